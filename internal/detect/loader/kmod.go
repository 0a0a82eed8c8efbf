package loader

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/rootkits"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// moduleSuffixes are the file names of kernel modules, compressed or not.
var moduleSuffixes = []string{".ko", ".ko.xz", ".ko.zst", ".ko.gz"}

// ModuleName returns the module name of a module file name ("" if it is
// not one), normalised like the kernel does ('-' is '_').
func ModuleName(file string) string {
	base := path.Base(file)
	for _, s := range moduleSuffixes {
		if n, ok := strings.CutSuffix(base, s); ok && n != "" {
			return Normalize(n)
		}
	}
	return ""
}

// Normalize maps a module name to the kernel's form.
func Normalize(name string) string { return strings.ReplaceAll(name, "-", "_") }

// modTree is one /lib/modules/<release> directory.
type modTree struct {
	release string
	dir     string            // target path, symlinks resolved
	files   map[string]string // module name -> file path
	builtin map[string]bool
}

// modIndex is every module tree of the target.
type modIndex struct {
	trees     []*modTree
	aliases   map[string]bool // exact alias names (fs-ext4, char-major-10-229 ...)
	truncated bool
}

func (ix *modIndex) tree(release string) *modTree {
	for _, t := range ix.trees {
		if t.release == release {
			return t
		}
	}
	return nil
}

// known reports whether any tree ships or builds in the module, or an alias
// resolves to it.
func (ix *modIndex) known(name string) bool {
	n := Normalize(name)
	for _, t := range ix.trees {
		if _, ok := t.files[n]; ok || t.builtin[n] {
			return true
		}
	}
	return ix.aliases[n] || ix.aliases[name]
}

// maxTreeEntries bounds one module tree walk.
const maxTreeEntries = 100000

// loadIndex reads every /lib/modules/<release> (and /usr/lib/modules) tree.
func (r *run) loadIndex() *modIndex {
	ix := &modIndex{aliases: map[string]bool{}}
	seen := map[string]bool{}
	for _, base := range []string{"/lib/modules", "/usr/lib/modules"} {
		ents, err := r.t.ReadDir(base)
		if !target.Record(r.env, base, err) {
			continue
		}
		for _, e := range ents {
			dir := path.Join(base, e.Name())
			rd, err := r.t.Resolve(dir)
			if err != nil || seen[rd] {
				continue
			}
			if st, err := r.t.Stat(rd); err != nil || !st.IsDir() {
				continue
			}
			seen[rd] = true
			ix.trees = append(ix.trees, r.loadTree(e.Name(), rd, ix))
		}
	}
	return ix
}

func (r *run) loadTree(release, dir string, ix *modIndex) *modTree {
	t := &modTree{release: release, dir: dir, files: map[string]string{}, builtin: map[string]bool{}}
	n := 0
	err := r.t.Walk(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			target.Record(r.env, p, err)
			return nil
		}
		if n++; n > maxTreeEntries {
			ix.truncated = true
			return fs.SkipAll
		}
		if d.IsDir() {
			if d.Name() == "build" || d.Name() == "source" {
				return fs.SkipDir
			}
			return nil
		}
		if name := ModuleName(p); name != "" {
			if _, dup := t.files[name]; !dup {
				t.files[name] = p
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.SkipAll) {
		target.Record(r.env, dir, err)
	}
	if ix.truncated {
		r.env.GapMsg(model.GapSkipped, dir, model.Msg("loader.gap.tree-budget", maxTreeEntries))
	}
	if b, err := r.t.ReadFile(path.Join(dir, "modules.builtin"), 16<<20); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if name := ModuleName(strings.TrimSpace(l)); name != "" {
				t.builtin[name] = true
			}
		}
	}
	if b, err := r.t.ReadFile(path.Join(dir, "modules.alias"), 32<<20); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			f := strings.Fields(l)
			if len(f) == 3 && f[0] == "alias" && !strings.ContainsAny(f[1], "*?[") {
				ix.aliases[Normalize(f[1])] = true
			}
		}
	}
	return t
}

// LoadedModule is one line of /proc/modules.
type LoadedModule struct {
	Name  string
	Line  int
	Text  string
	Taint string // flags between parentheses, e.g. "OE"
}

// ParseProcModules reads /proc/modules: "name size refs deps state addr
// [(taint)]".
func ParseProcModules(b []byte) []LoadedModule {
	var out []LoadedModule
	for i, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		m := LoadedModule{Name: f[0], Line: i + 1, Text: strings.TrimSpace(l)}
		if last := f[len(f)-1]; len(f) > 6 && strings.HasPrefix(last, "(") && strings.HasSuffix(last, ")") {
			m.Taint = strings.Trim(last, "()")
		}
		out = append(out, m)
	}
	return out
}

// taintBits names the kernel taint flags that point at foreign modules.
var taintBits = []struct {
	bit    uint
	letter string
	what   string
}{
	{0, "P", "proprietary module"},
	{1, "F", "module force-loaded"},
	{3, "R", "module force-unloaded"},
	{12, "O", "out-of-tree module"},
	{13, "E", "unsigned module"},
}

// liveModules checks the running kernel's modules: loaded but not on disk,
// hidden from /proc/modules or from /sys/module, and the taint flags.
func (r *run) liveModules(ix *modIndex) {
	if !r.t.IsLive() {
		r.env.GapMsg(model.GapNotApplicable, "/proc/modules", model.Msg("loader.gap.live-only"))
		return
	}
	relB, okRel := r.read("/proc/sys/kernel/osrelease")
	rel := strings.TrimSpace(string(relB))
	b1, ok := r.read("/proc/modules")
	if !ok {
		r.env.GapMsg(model.GapSkipped, "/proc/modules", model.Msg("loader.gap.no-module-list"))
		return
	}
	mods := ParseProcModules(b1)
	var tree *modTree
	if okRel {
		tree = ix.tree(rel)
	}
	if tree == nil {
		r.env.GapMsg(model.GapSkipped, "/lib/modules/"+rel, model.Msg("loader.gap.no-tree-running"))
	}
	loaded := map[string]bool{}
	for _, m := range mods {
		loaded[Normalize(m.Name)] = true
		if rk, ok := rootkits.ByModule(m.Name); ok {
			f := model.Finding{RuleID: ruleKnownRootkitModule, Subject: "module " + m.Name, Key: "rootkit-loaded:" + Normalize(m.Name),
				Indicators: []string{indKnownRootkit},
				Evidence: model.Evidence{Path: "/proc/modules", Line: m.Line, Text: m.Text, User: "root", When: "running",
					Extra: map[string]string{"module": m.Name, "rootkit": rk.Name, "source": rk.Source}}}
			r.emit(f)
		}
	}
	if tree != nil {
		for _, m := range mods {
			n := Normalize(m.Name)
			if _, ok := tree.files[n]; ok || tree.builtin[n] {
				continue
			}
			f := model.Finding{RuleID: ruleNotOnDisk, Subject: "module " + m.Name, Key: "module:" + n,
				Evidence: model.Evidence{Path: "/proc/modules", Line: m.Line, Text: m.Text, User: "root", When: "running",
					Extra: map[string]string{"module": m.Name, "release": rel, "taint": m.Taint}}}
			r.emit(f)
		}
	}
	r.hiddenModules(mods, loaded)
	r.taint(mods, tree)
}

// hiddenModules compares /proc/modules with /sys/module. A loadable module
// has a /sys/module/<name>/initstate; one that is there but not in the list
// unlinked itself from the list (Diamorphine, Reptile do), and one in the
// list without a sysfs directory removed its kobject.
func (r *run) hiddenModules(mods []LoadedModule, loaded map[string]bool) {
	ents, err := r.t.ReadDir("/sys/module")
	if !target.Record(r.env, "/sys/module", err) {
		return
	}
	// Read the list again: a module loaded meanwhile is not hidden.
	if b2, ok := r.read("/proc/modules"); ok {
		for _, m := range ParseProcModules(b2) {
			loaded[Normalize(m.Name)] = true
		}
	}
	insys := map[string]bool{}
	for _, e := range ents {
		n := Normalize(e.Name())
		insys[n] = true
		if loaded[n] {
			continue
		}
		st, err := r.t.ReadFile(path.Join("/sys/module", e.Name(), "initstate"), 64)
		if err != nil {
			continue // built in: no initstate
		}
		state := strings.TrimSpace(string(st))
		if state != "live" {
			continue // coming or going: not settled
		}
		f := model.Finding{RuleID: ruleHidden, Subject: "module " + e.Name(), Key: "hidden-sysfs:" + n,
			Indicators: []string{indHiddenModule},
			Evidence: model.Evidence{Path: path.Join("/sys/module", e.Name()), Note: model.Msg("loader.note.sysmodule-only"), User: "root", When: "running",
				Extra: map[string]string{"module": e.Name(), "initstate": state}}}
		if rk, ok := rootkits.ByModule(e.Name()); ok {
			f.Indicators = append(f.Indicators, indKnownRootkit)
			f.Evidence.Extra["rootkit"], f.Evidence.Extra["source"] = rk.Name, rk.Source
		}
		r.emit(f)
	}
	for _, m := range mods {
		n := Normalize(m.Name)
		if insys[n] {
			continue
		}
		if _, err := r.t.Lstat(path.Join("/sys/module", m.Name)); err == nil {
			continue
		}
		f := model.Finding{RuleID: ruleHidden, Subject: "module " + m.Name, Key: "hidden-proc:" + n,
			Indicators: []string{indHiddenModule},
			Evidence: model.Evidence{Path: "/proc/modules", Line: m.Line, Text: m.Text, User: "root", When: "running",
				Extra: map[string]string{"module": m.Name, "detail": "in /proc/modules, no /sys/module directory"}}}
		r.emit(f.WithSeverity(model.High).WithConfidence(model.ConfMedium))
	}
}

// taint reports the kernel taint flags of foreign modules, with the
// modules that carry them.
func (r *run) taint(mods []LoadedModule, tree *modTree) {
	b, ok := r.read("/proc/sys/kernel/tainted")
	if !ok {
		return
	}
	v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		r.env.GapMsg(model.GapError, "/proc/sys/kernel/tainted", model.Msg("loader.gap.tainted", err))
		return
	}
	var flags, whats []string
	for _, tb := range taintBits {
		if v&(1<<tb.bit) != 0 {
			flags = append(flags, tb.letter)
			whats = append(whats, tb.what)
		}
	}
	if len(flags) == 0 {
		return
	}
	var culprits []string
	unexplained := false
	for _, m := range mods {
		if m.Taint == "" || !strings.ContainsAny(m.Taint, "POEF") {
			continue
		}
		culprits = append(culprits, m.Name+"("+m.Taint+")")
		if tree == nil {
			continue
		}
		p, ok := tree.files[Normalize(m.Name)]
		if !ok {
			unexplained = true // reported on its own as not on disk
			continue
		}
		if own := r.pk.Owner(p); own == model.NoPackage && !r.dkms(p, m.Name) {
			unexplained = true
		}
	}
	sort.Strings(culprits)
	sev, conf := model.Info, model.ConfHigh
	switch {
	case tree == nil:
		// No module tree to explain them with (a container): context only.
	case len(culprits) == 0:
		// The module that tainted the kernel is gone from the list:
		// unloaded since, or hiding.
		sev, conf = model.Medium, model.ConfMedium
	case unexplained:
		sev, conf = model.Medium, model.ConfMedium
	case strings.Contains(strings.Join(flags, ""), "F") || strings.Contains(strings.Join(flags, ""), "R"):
		sev, conf = model.Medium, model.ConfMedium
	}
	text := fmt.Sprintf("tainted=%d (%s)", v, strings.Join(flags, ""))
	if len(culprits) > 0 {
		text += ": " + strings.Join(culprits, " ")
	}
	f := model.Finding{RuleID: ruleTainted, Subject: "kernel taint " + strings.Join(flags, ""),
		Key: "taint:" + strings.Join(flags, "") + ":" + strings.Join(culprits, ","),
		Evidence: model.Evidence{Path: "/proc/sys/kernel/tainted", Text: text, User: "root", When: "running",
			Extra: map[string]string{"flags": strings.Join(whats, "; "), "modules": strings.Join(culprits, " ")}}}
	r.emit(f.WithSeverity(sev).WithConfidence(conf))
}

// dkms reports whether a module file is a DKMS build: under updates/dkms
// (or extra/) with a matching /var/lib/dkms entry.
func (r *run) dkms(p, name string) bool {
	if !strings.Contains(p, "/updates/dkms/") && !strings.Contains(p, "/extra/") && !strings.Contains(p, "/updates/") {
		return false
	}
	if strings.Contains(p, "/updates/dkms/") {
		return true
	}
	for _, cand := range []string{name, strings.ReplaceAll(name, "_", "-")} {
		if _, err := r.t.Stat(path.Join("/var/lib/dkms", cand)); err == nil {
			return true
		}
	}
	return false
}
