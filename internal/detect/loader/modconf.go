package loader

import (
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/cmdscan"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/grade/rootkits"
	"github.com/vigil-ir/vigil/internal/grade/shscript"
	"github.com/vigil-ir/vigil/internal/model"
)

// AutoloadEntry is one module named in /etc/modules or modules-load.d.
type AutoloadEntry struct {
	Line   int
	Text   string
	Module string
}

// ParseModulesLoad reads /etc/modules and modules-load.d files: one module
// per line (parameters after it in /etc/modules), # or ; comments.
func ParseModulesLoad(b []byte) []AutoloadEntry {
	var out []AutoloadEntry
	for i, l := range strings.Split(string(b), "\n") {
		if i >= 10000 {
			break
		}
		t := strings.TrimSpace(strings.TrimSuffix(l, "\r"))
		if t == "" || t[0] == '#' || t[0] == ';' {
			continue
		}
		f := strings.Fields(t)
		out = append(out, AutoloadEntry{Line: i + 1, Text: t, Module: f[0]})
	}
	return out
}

// ModprobeLine is one command of a modprobe.d file.
type ModprobeLine struct {
	Line    int
	Text    string
	Verb    string // install, remove, options, alias, blacklist, softdep
	Module  string
	Command string // the shell command of install/remove
}

// ParseModprobe reads a modprobe.d file: backslash continuations, #
// comments, "verb module rest".
func ParseModprobe(b []byte) []ModprobeLine {
	var out []ModprobeLine
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines) && i < 100000; i++ {
		start := i
		t := strings.TrimSuffix(lines[i], "\r")
		for strings.HasSuffix(t, "\\") && i+1 < len(lines) && i-start < 64 {
			i++
			t = strings.TrimSuffix(t, "\\") + " " + strings.TrimSuffix(lines[i], "\r")
		}
		t = strings.TrimSpace(t)
		if t == "" || t[0] == '#' {
			continue
		}
		f := strings.Fields(t)
		ml := ModprobeLine{Line: start + 1, Text: t, Verb: f[0]}
		if len(f) > 1 {
			ml.Module = f[1]
		}
		if (ml.Verb == "install" || ml.Verb == "remove") && len(f) > 2 {
			ml.Command = afterFields(t, 2)
		}
		out = append(out, ml)
	}
	return out
}

// benignModprobeHeads are what distributions and hardening guides put in
// install/remove commands: disable a module, or load it with others.
var benignModprobeHeads = map[string]bool{
	"true": true, "false": true, ":": true, "modprobe": true, "insmod": true, "rmmod": true,
	"echo": true, "logger": true, "exit": true, "test": true, "[": true,
}

// JudgeModprobeCommand grades the command of an install/remove line. It
// returns ok=false for the ordinary ones.
func JudgeModprobeCommand(cmd string) (sev model.Severity, conf model.Confidence, ind []string, ok bool) {
	sev, conf = model.High, model.ConfMedium
	for _, m := range cmdscan.Scan(cmd) {
		ok = true
		ind = append(ind, m.ID)
		if m.Severity > sev {
			sev, conf = m.Severity, m.Confidence
		}
	}
	for _, c := range shscript.Commands(cmd) {
		w := c.Words
		if len(w) == 0 {
			continue
		}
		head := w[0]
		switch {
		case strings.Contains(head, "$"):
			continue // $MODPROBE, $CMDLINE_OPTS
		case benignModprobeHeads[path.Base(head)]:
			continue
		case places.Temporary(head):
			sev, conf, ok = model.Critical, model.ConfHigh, true
			ind = append(ind, indWritable)
		default:
			if hid := places.Hidden(head) != ""; hid {
				sev, conf, ok = model.Critical, model.ConfHigh, true
				ind = append(ind, indHidden)
				continue
			}
			ok = true
			ind = append(ind, indModprobeRuns)
		}
	}
	return sev, conf, sorted(ind), ok
}

// modprobeDirs and loadDirs are where kmod and systemd read their
// configuration.
var (
	modprobeDirs = []string{"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d", "/lib/modprobe.d"}
	loadDirs     = []string{"/etc/modules-load.d", "/run/modules-load.d", "/usr/local/lib/modules-load.d", "/usr/lib/modules-load.d", "/lib/modules-load.d"}
)

// confFiles lists the *.conf files of dirs, each target file once (the
// /lib and /usr/lib of a merged-usr system are the same).
func (r *run) confFiles(dirs []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range dirs {
		for _, p := range r.t.Glob(path.Join(d, "*.conf")) {
			rp, err := r.t.Resolve(p)
			if err != nil {
				rp = p
			}
			if seen[rp] {
				continue
			}
			seen[rp] = true
			out = append(out, p)
		}
	}
	return out
}

// autoload checks the modules configured to load at boot.
func (r *run) autoload(ix *modIndex) {
	files := append([]string{"/etc/modules"}, r.confFiles(loadDirs)...)
	if len(ix.trees) == 0 {
		r.env.GapMsg(model.GapSkipped, "/lib/modules", model.Msg("loader.gap.no-tree"))
		return
	}
	for _, p := range files {
		b, ok := r.read(p)
		if !ok {
			continue
		}
		pkg := r.pk.Owner(p)
		if pkg != "" && pkg != model.NoPackage && r.pk.Pristine(p) {
			continue
		}
		for _, e := range ParseModulesLoad(b) {
			if _, rk := rootkits.ByModule(e.Module); ix.known(e.Module) || rk {
				continue // a known rootkit name is its own finding
			}
			f := model.Finding{RuleID: ruleAutoload, Subject: p + " (" + e.Module + ")", Indicators: []string{indModuleUnknown},
				Evidence: model.Evidence{Path: p, Line: e.Line, Text: e.Text, Package: pkg, User: "root", When: "boot",
					Extra: map[string]string{"module": e.Module}}}
			r.emit(f)
		}
	}
}

// modprobe checks install/remove commands of modprobe.d files.
func (r *run) modprobe() {
	files := append(r.confFiles(modprobeDirs), "/etc/modprobe.conf")
	for _, p := range files {
		b, ok := r.read(p)
		if !ok {
			continue
		}
		pkg := r.pk.Owner(p)
		if pkg != "" && pkg != model.NoPackage && r.pk.Pristine(p) {
			continue
		}
		for _, ml := range ParseModprobe(b) {
			if ml.Command == "" {
				continue
			}
			sev, conf, ind, bad := JudgeModprobeCommand(ml.Command)
			if !bad {
				continue
			}
			f := model.Finding{RuleID: ruleModprobe, Subject: p + " (" + ml.Verb + " " + ml.Module + ")", Indicators: ind,
				Evidence: model.Evidence{Path: p, Line: ml.Line, Text: ml.Text, Package: pkg, User: "root", When: "event",
					Extra: map[string]string{"module": ml.Module, "command": ml.Command}}}
			r.emit(f.WithSeverity(sev).WithConfidence(conf))
		}
	}
}

// afterFields returns s without its first n white-space separated fields.
func afterFields(s string, n int) string {
	for ; n > 0; n-- {
		s = strings.TrimLeft(s, " \t")
		i := strings.IndexAny(s, " \t")
		if i < 0 {
			return ""
		}
		s = s[i:]
	}
	return strings.TrimSpace(s)
}
