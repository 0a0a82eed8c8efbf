package loader

import (
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/grade/rootkits"
	"github.com/vigil-ir/vigil/internal/model"
)

// knownRootkitModules judges module names in /etc/modules, modules-load.d
// and modprobe.d by name against the public rootkit list: an image without
// /lib/modules (or with the module file removed) still shows that a
// rootkit is set to load. A blacklist line naming one is a defence, not a
// finding.
func (r *run) knownRootkitModules() {
	seen := map[string]bool{}
	for _, p := range append([]string{"/etc/modules"}, r.confFiles(loadDirs)...) {
		rp, err := r.t.Resolve(p)
		if err != nil {
			rp = p
		}
		if seen[rp] {
			continue // modules-load.d/modules.conf -> ../modules
		}
		seen[rp] = true
		b, ok := r.read(p)
		if !ok {
			continue
		}
		for _, e := range ParseModulesLoad(b) {
			r.rootkitModule(p, e.Line, e.Text, "load", e.Module)
		}
	}
	for _, p := range append(r.confFiles(modprobeDirs), "/etc/modprobe.conf") {
		b, ok := r.read(p)
		if !ok {
			continue
		}
		for _, ml := range ParseModprobe(b) {
			for _, m := range modprobeModules(ml) {
				r.rootkitModule(p, ml.Line, ml.Text, ml.Verb, m)
			}
		}
	}
}

// modprobeModules returns the module names a modprobe.d line makes load or
// configures: install/options name one, alias points a name at one,
// softdep names several.
func modprobeModules(ml ModprobeLine) []string {
	f := strings.Fields(ml.Text)
	switch ml.Verb {
	case "install", "options":
		if ml.Module != "" {
			return []string{ml.Module}
		}
	case "alias":
		if len(f) > 2 {
			return []string{f[1], f[2]}
		}
	case "softdep":
		var out []string
		for _, w := range f[1:] {
			if !strings.HasSuffix(w, ":") {
				out = append(out, w)
			}
		}
		return out
	}
	return nil
}

// rootkitModule reports module when the rootkit list knows its name.
func (r *run) rootkitModule(p string, line int, text, verb, module string) {
	rk, ok := rootkits.ByModule(module)
	if !ok {
		return
	}
	f := model.Finding{RuleID: ruleKnownRootkitModule, Subject: p + " (" + module + ")", Indicators: []string{indKnownRootkit},
		Evidence: model.Evidence{Path: p, Line: line, Text: text, Package: r.pk.Owner(p), User: "root", When: "boot",
			Extra: map[string]string{"module": module, "directive": verb, "rootkit": rk.Name, "source": rk.Source}}}
	r.emit(f)
}

// rootkitLibDirs are where user-land rootkits install their library by
// default, besides the multiarch directories and the temporary ones.
var rootkitLibDirs = []string{"/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib", "/usr/local/lib64"}

// maxRootkitWalk bounds the files of rootkit names judged in temporary
// directories.
const maxRootkitWalk = 50000

// knownRootkitFiles looks for the default library names and paths of the
// public user-land rootkits in the library and temporary directories. A
// file a package installed is not theirs.
func (r *run) knownRootkitFiles() {
	names := rootkits.FileNames()
	seen := map[string]bool{}
	check := func(p string) {
		rp, err := r.t.Resolve(p)
		if err != nil {
			rp = p
		}
		if seen[rp] {
			return
		}
		seen[rp] = true
		r.rootkitFile(p)
	}
	dirs := append([]string(nil), rootkitLibDirs...)
	dirs = append(dirs, r.t.Glob("/lib/*-linux-gnu*")...)
	dirs = append(dirs, r.t.Glob("/usr/lib/*-linux-gnu*")...)
	for _, d := range dirs {
		ents, err := r.t.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if names[e.Name()] && !e.IsDir() {
				check(path.Join(d, e.Name()))
			}
		}
	}
	for _, p := range rootkits.Paths() {
		if _, err := r.t.Lstat(p); err == nil {
			check(p)
		}
	}
	if rs := r.walked(1); rs != nil {
		for _, e := range rs.Kept {
			check(e.Path)
		}
	}
}

// rootkitFile reports p when the list knows its path or name and no
// package owns it.
func (r *run) rootkitFile(p string) {
	rk, ok := rootkits.ByFile(p)
	if !ok {
		return
	}
	own := r.pk.Owner(p)
	if own != "" && own != model.NoPackage {
		return
	}
	conf := model.ConfHigh
	if own == "" {
		conf = model.ConfMedium // no package database to say it is foreign
	}
	ind := append([]string{indKnownRootkit}, places.Of(p).Indicators()...)
	ev := model.Evidence{Path: p, Package: own, User: "*", When: "exec", MTime: r.mtime(p),
		Extra: map[string]string{"rootkit": rk.Name, "source": rk.Source}}
	if h, ok := r.hash(p); ok {
		ev.SHA256 = h
	}
	f := model.Finding{RuleID: ruleKnownRootkitFile, Subject: p, Indicators: sorted(ind), Evidence: ev}
	r.emit(f.WithConfidence(conf))
}
