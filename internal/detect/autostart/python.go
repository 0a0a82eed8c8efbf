package autostart

import (
	"fmt"
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// siteDirGlobs are the system site directories whose .pth files site.py
// processes, on Debian-family (dist-packages), RHEL, SUSE, Arch and Alpine
// layouts, plus interpreters installed one level under /opt
// (/opt/NAME/lib/python3.X/site-packages: Anaconda, vendor runtimes).
var siteDirGlobs = []string{
	"/usr/lib/python3*/site-packages", "/usr/lib/python3*/dist-packages",
	"/usr/lib64/python3*/site-packages", "/usr/lib64/python3*/dist-packages",
	"/usr/local/lib/python3*/site-packages", "/usr/local/lib/python3*/dist-packages",
	"/usr/local/lib64/python3*/site-packages",
	"/opt/*/lib/python3*/site-packages",
}

// customizeDirGlobs are directories on every interpreter's sys.path
// (the standard library) and Debian's /etc/python3.X, which the
// sitecustomize.py of the standard library links to.
var customizeDirGlobs = []string{"/usr/lib/python3*", "/usr/lib64/python3*", "/etc/python3*"}

// customizeNames are the modules site.py imports after the .pth files:
// sitecustomize for everyone, usercustomize when the user site is on.
var customizeNames = []string{"sitecustomize.py", "usercustomize.py", "sitecustomize/__init__.py", "usercustomize/__init__.py"}

// siteDir is a directory whose .pth files Python processes at start.
type siteDir struct {
	dir  string
	user string // the account whose interpreters use it; "" for a system directory
	home string
}

// ordinaryUser reports whether only an ordinary account's interpreters
// use the directory (root's own user site counts as system-wide: root's
// jobs and tools run it).
func (s siteDir) ordinaryUser() bool { return s.user != "" && s.user != "root" }

// python grades the .pth files of every site directory and the
// sitecustomize/usercustomize modules Python imports at start.
func (r *run) python() {
	var sites []siteDir
	seen := map[string]bool{}
	add := func(s siteDir) {
		real, err := r.t.Resolve(s.dir)
		if err != nil || seen[real] {
			return
		}
		if fi, err := r.t.Stat(s.dir); err != nil || !fi.IsDir() {
			return
		}
		seen[real] = true
		sites = append(sites, s)
	}
	for _, g := range siteDirGlobs {
		for _, d := range r.t.Glob(g) {
			add(siteDir{dir: d})
		}
	}
	for _, h := range r.homes {
		for _, d := range r.t.Glob(path.Join(h.dir, ".local/lib/python3*/site-packages")) {
			add(siteDir{dir: d, user: h.user, home: h.dir})
		}
	}
	for _, s := range sites {
		r.siteDir(s)
	}
	for _, g := range customizeDirGlobs {
		for _, d := range r.t.Glob(g) {
			if fi, err := r.t.Stat(d); err != nil || !fi.IsDir() {
				continue
			}
			for _, name := range customizeNames {
				r.customize(path.Join(d, name), siteDir{dir: d})
			}
		}
	}
}

// siteDir grades the .pth files and customize modules of one site
// directory.
func (r *run) siteDir(s siteDir) {
	for _, e := range r.listDir(s.dir) {
		name := e.Name()
		switch {
		case strings.HasSuffix(name, ".pth") && !e.IsDir():
			r.pthFile(path.Join(s.dir, name), s)
		case name == "sitecustomize.py" || name == "usercustomize.py":
			r.customize(path.Join(s.dir, name), s)
		case (name == "sitecustomize" || name == "usercustomize") && e.IsDir():
			r.customize(path.Join(s.dir, name, "__init__.py"), s)
		}
	}
}

// pthFile grades the executed lines of one .pth file.
func (r *run) pthFile(p string, s siteDir) {
	if _, first := r.firstVisit(p); !first {
		return
	}
	b, ok := r.read(p)
	if !ok {
		return
	}
	f := r.facts(p, b)
	if f.origin.Pristine {
		return
	}
	for _, l := range ParsePth(b) {
		if l.Kind != PthPath {
			r.pthLine(f, l, s)
		}
	}
}

// pthLine grades one import line of a .pth file.
func (r *run) pthLine(f fileFacts, l PthLine, s siteDir) {
	text := strings.TrimLeft(l.Raw, " \t\f\v")
	shape, finder := PthShape(text)
	if shape == "editable-finder" {
		if r.editableFinder(s.dir, finder) {
			return
		}
	} else if shape != "" {
		return
	}
	var v pyVerdict
	if code, escapes, ok := ExecLiteral(text); ok {
		v = gradePyLine(code)
		if escapes >= 8 {
			v.raise(model.High, model.ConfMedium, indPyObfuscation, "exec of a literal spelled with escapes", 0)
		}
		if !v.Suspicious && benignExecCode(code) {
			return // coverage.py / pytest-cov subprocess hooks
		}
	} else {
		v = gradePyLine(text)
	}
	evUser := s.user
	if s.user == "" {
		evUser = everyone
	}
	ev := f.evidence(l.N, l.Raw, evUser, "exec")
	ev.Extra["site_dir"] = s.dir
	ev.Extra["runs"] = "at every start of a Python interpreter with " + s.dir + " on sys.path"
	if l.Kind == PthInert {
		if !v.Suspicious {
			return // taken for a path: nothing runs
		}
		ev.Extra["runs"] = "no: leading blanks before import make site.py take the line for a path (older or patched interpreters may differ)"
	}
	ind := []string{f.origin.Indicator()}
	if !v.Suspicious {
		// A plain import: what runs is the module. Grade the line by
		// where it is, and the module by what it does.
		sev := model.Medium
		if s.ordinaryUser() || f.origin.Package == "" {
			sev = model.Low // a user's own site, or ownership unknown
		}
		v.raise(sev, model.ConfMedium, indPyStartupImport, "", 0)
		for _, m := range importedModules(text) {
			mv, mp := r.followModule(s.dir, m)
			if mp == "" {
				continue
			}
			ev.Extra["module"] = mp
			if mv.Suspicious {
				if s.ordinaryUser() {
					mv.lowerForUser()
				}
				v.merge(mv)
				ev.Extra["module"] = fmt.Sprintf("%s:%d", mp, mv.Line)
				ev.Extra["module_matched"] = textclip.Valid(mv.Fragment, 400)
				break
			}
		}
	} else if s.ordinaryUser() {
		v.lowerForUser()
	}
	if l.Kind == PthInert {
		v.Severity = lower(v.Severity)
		ind = append(ind, "not-run")
	}
	if v.Fragment != "" {
		ev.Extra["matched"] = textclip.Valid(v.Fragment, 400)
	}
	r.emit(rulePthExec, ev, append(ind, v.Indicators...), v.Severity, v.Confidence)
}

// followModule grades the module a .pth line imports when it lies in the
// same site directory and is not a pristine packaged file. It returns the
// module's path ("" when not found there).
func (r *run) followModule(dir, name string) (pyVerdict, string) {
	for _, cand := range []string{path.Join(dir, name+".py"), path.Join(dir, name, "__init__.py")} {
		if _, err := r.t.Lstat(cand); err != nil {
			continue
		}
		if r.originOf(cand).Pristine {
			return pyVerdict{}, cand
		}
		b, ok := r.read(cand)
		if !ok {
			return pyVerdict{}, cand
		}
		return gradePyBlock(pySource(b)), cand
	}
	return pyVerdict{}, ""
}

// editableFinder reports whether the module a PEP 660 editable-install
// line imports is setuptools' generated finder (and does nothing else).
func (r *run) editableFinder(dir, module string) bool {
	p := path.Join(dir, module+".py")
	b, ok := r.read(p)
	if !ok || !strings.Contains(string(b), "class _EditableFinder") {
		return false
	}
	return !gradePyBlock(pySource(b)).Suspicious
}

// customize grades a sitecustomize or usercustomize module: Python imports
// it at every start, after the .pth files.
func (r *run) customize(p string, s siteDir) {
	if _, err := r.t.Lstat(p); err != nil {
		return
	}
	real, first := r.firstVisit(p)
	if !first {
		return
	}
	b, ok := r.read(p)
	if !ok {
		return
	}
	f := r.facts(p, b)
	if f.origin.Pristine {
		return
	}
	f.path = real // what the responder reads and edits; the link is named below
	src := pySource(b)
	if len(src) == 0 {
		return // empty or comments only: nothing runs
	}
	evUser, user := everyone, s.ordinaryUser()
	if s.user != "" {
		evUser = s.user
	}
	sev, ind := model.Low, []string{}
	if !user {
		sev = model.Info // ownership unknown: inventory
		if f.origin.Unowned() || f.origin.Modified {
			sev = model.Medium
		}
		ind = append(ind, f.origin.Indicator())
	}
	conf := model.ConfMedium
	v := gradePyBlock(src)
	if user {
		v.lowerForUser()
	}
	line, text := src[0].N, src[0].Text
	if v.Suspicious {
		if v.Line > 0 {
			line, text = v.Line, lineText(src, v.Line)
		}
		if v.Severity >= sev {
			sev, conf = v.Severity, v.Confidence
		}
		ind = append(ind, v.Indicators...)
	}
	ev := f.evidence(line, text, evUser, "exec")
	ev.Extra["module"] = strings.TrimSuffix(path.Base(strings.TrimSuffix(p, "/__init__.py")), ".py")
	ev.Extra["lines_of_code"] = fmt.Sprint(len(src))
	if real != p {
		ev.Extra["loaded_as"] = p
	}
	if v.Fragment != "" {
		ev.Extra["matched"] = textclip.Valid(v.Fragment, 400)
	}
	r.emit(ruleCustomize, ev, ind, sev, conf)
}

func lineText(src []srcLine, n int) string {
	for _, l := range src {
		if l.N == n {
			return l.Text
		}
	}
	return ""
}
