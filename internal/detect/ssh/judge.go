package ssh

import (
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/cmdscan"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/model"
)

// verdict is what a command run by sshd or ssh amounts to.
type verdict struct {
	sev      model.Severity
	conf     model.Confidence
	inds     []string
	fragment string
	flagged  bool   // cmdscan or the program's location found something
	program  string // the program it runs, as written
	pkg      string // owner of program: package, NoPackage or "" (not looked up)
}

// severe cmdscan indicators make any command that carries them critical:
// there is no benign reason for them in a line sshd runs.
func severe(id string) bool {
	return strings.HasPrefix(id, "reverse-shell.") || id == "download-exec" || id == "download-python" || id == "miner"
}

func inWritable(p string) bool { return places.Temporary(p) }

// hiddenComponent returns the first unconventional dot-directory of p.
func hiddenComponent(p string) string { return places.HiddenDir(p) }

// programOf returns the program a command line runs: the first word after
// variable assignments and exec-like prefixes.
func programOf(cmd string) string {
	words := strings.Fields(cmd)
	for _, w := range words {
		w = strings.Trim(w, `"'`)
		switch {
		case w == "":
			continue
		case strings.Contains(w, "=") && !strings.HasPrefix(w, "/"):
			continue // VAR=value
		case w == "exec" || w == "nohup" || w == "env" || w == "sudo" || w == "setsid" || w == "command":
			continue
		}
		return w
	}
	return ""
}

// judgeCommand grades a command that sshd or ssh runs. base is the severity
// when nothing in particular is found.
func (r *run) judgeCommand(cmd string, base model.Severity) verdict {
	v := verdict{sev: base, conf: model.ConfLow, program: programOf(cmd)}
	for _, m := range cmdscan.Scan(cmd) {
		if m.ID == "exec-hidden-path" && hiddenComponent(pathIn(m.Fragment)) == "" {
			continue // a tool directory such as ~/.local/bin
		}
		v.flagged = true
		v.inds = appendUnique(v.inds, m.ID)
		sev := sevMax(m.Severity, model.Medium)
		if severe(m.ID) {
			sev = model.Critical
		}
		if sev > v.sev || (v.fragment == "" && sev >= v.sev) {
			v.fragment = m.Fragment
		}
		v.sev = sevMax(v.sev, sev)
		if m.Confidence > v.conf {
			v.conf = m.Confidence
		}
	}
	p := v.program
	if strings.HasPrefix(p, "/") {
		p = path.Clean(p)
		switch {
		case inWritable(p):
			v.flagged = true
			v.inds = appendUnique(v.inds, indWritable)
			v.sev, v.conf = sevMax(v.sev, model.High), model.ConfHigh
		case hiddenComponent(p) != "":
			v.flagged = true
			v.inds = appendUnique(v.inds, indHidden)
			v.sev, v.conf = sevMax(v.sev, model.High), sevConf(v.conf, model.ConfMedium)
		}
		if r.worldWritable(p) {
			v.flagged = true
			v.inds = appendUnique(v.inds, indWritable)
			v.sev, v.conf = sevMax(v.sev, model.High), model.ConfHigh
		}
		v.pkg = r.pk.Owner(p)
	}
	return v
}

// pathIn returns the first absolute path in a command fragment.
func pathIn(s string) string {
	i := strings.IndexByte(s, '/')
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.IndexAny(s, " \t;&|'\"`)"); j >= 0 {
		s = s[:j]
	}
	return s
}

func sevConf(a, b model.Confidence) model.Confidence {
	if a > b {
		return a
	}
	return b
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// worldWritable reports whether anyone may replace the program at p: the
// file or a directory on the way is world-writable (without the sticky
// bit). Ownership by another account is judged by the callers that know
// whose command it is.
func (r *run) worldWritable(p string) bool {
	st, err := r.t.Stat("/")
	if err != nil {
		return false
	}
	rootUID, _, _ := owner(st)
	w, ok := places.NonRootWritable(r.t, p, uint32(rootUID))
	return ok && w.World
}
