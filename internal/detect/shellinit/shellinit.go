package shellinit

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/grade/shscript"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// readLimit bounds one start-up file; a larger one is a gap, not a read.
const readLimit = 4 << 20

// Detector is the shell start-up file check.
type Detector struct{}

// New returns the detector.
func New() *Detector { return &Detector{} }

// Name implements engine.Detector.
func (*Detector) Name() string { return "shellinit" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 1 }

// NeedsLive implements engine.Detector: every file it reads is on disk.
func (*Detector) NeedsLive() bool { return false }

// Rules implements engine.Detector.
func (*Detector) Rules() []string { return append([]string(nil), allRules...) }

// kind is how a file is read.
type kind int

const (
	kindSh  kind = iota // POSIX/bash/zsh/ksh
	kindCsh             // csh/tcsh
	kindEnv             // KEY=VALUE
	kindPam             // pam_env.conf
)

// rcFile is one start-up file to grade.
type rcFile struct {
	path   string
	kind   kind
	user   string // account whose sessions run it; "*" for every user
	home   string
	when   string
	system bool
	skel   string // for a home file: the /etc/skel file it may be a copy of
}

// System-wide files and directories, read for every login.
var (
	systemFiles = []struct {
		p string
		k kind
	}{
		{"/etc/profile", kindSh}, {"/etc/bash.bashrc", kindSh}, {"/etc/bashrc", kindSh},
		{"/etc/bash.bash_logout", kindSh}, {"/etc/bash_completion", kindSh},
		{"/etc/zshenv", kindSh}, {"/etc/zprofile", kindSh}, {"/etc/zshrc", kindSh}, {"/etc/zlogin", kindSh}, {"/etc/zlogout", kindSh},
		{"/etc/csh.cshrc", kindCsh}, {"/etc/csh.login", kindCsh}, {"/etc/csh.logout", kindCsh},
		{"/etc/ksh.kshrc", kindSh}, {"/etc/mksh/mkshrc", kindSh}, {"/etc/shrc", kindSh},
		{"/etc/environment", kindEnv}, {"/etc/security/pam_env.conf", kindPam},
	}
	systemDirs = []struct {
		dir string
		k   kind
	}{
		{"/etc/profile.d", kindSh}, {"/etc/zsh", kindSh}, {"/etc/bash_completion.d", kindSh},
		{"/etc/environment.d", kindEnv}, {"/usr/lib/environment.d", kindEnv}, {"/etc/skel", kindSh},
	}
	// homeFiles are the per-user start-up files.
	homeFiles = []struct {
		name string
		k    kind
	}{
		{".bashrc", kindSh}, {".bash_profile", kindSh}, {".bash_login", kindSh}, {".profile", kindSh},
		{".bash_logout", kindSh}, {".bash_aliases", kindSh}, {".zshrc", kindSh}, {".zprofile", kindSh},
		{".zshenv", kindSh}, {".zlogin", kindSh}, {".zlogout", kindSh}, {".kshrc", kindSh}, {".mkshrc", kindSh},
		{".shrc", kindSh}, {".cshrc", kindCsh}, {".tcshrc", kindCsh}, {".login", kindCsh}, {".logout", kindCsh},
		{".pam_environment", kindPam}, {".config/fish/config.fish", kindSh},
	}
)

func whenOf(p string) string {
	base := path.Base(p)
	if strings.Contains(base, "logout") {
		return "logout"
	}
	return "login"
}

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	r := &run{env: env, t: env.Target, pk: inventory.Packages(env)}
	r.files = r.discover()
	for _, f := range r.files {
		if err := ctx.Err(); err != nil {
			return err
		}
		r.grade(f, 0)
	}
	return nil
}

type run struct {
	env   *engine.Env
	t     *target.Target
	pk    pkgdb.View
	files []rcFile
	seen  map[string]bool // files already graded (a sourced file read once)
}

// discover lists every start-up file that exists, system-wide first.
func (r *run) discover() []rcFile {
	var out []rcFile
	for _, s := range systemFiles {
		out = append(out, rcFile{path: s.p, kind: s.k, user: "*", home: "$HOME", when: whenOf(s.p), system: true})
	}
	for _, s := range systemDirs {
		ents, err := r.t.ReadDir(s.dir)
		if !target.Record(r.env, s.dir, err) {
			continue
		}
		for _, e := range ents {
			name := e.Name()
			k := s.k
			switch {
			case s.k == kindEnv && !strings.HasSuffix(name, ".conf"):
				continue // systemd reads *.conf only
			case strings.HasSuffix(name, ".csh") || name == ".cshrc" || name == ".tcshrc" || name == ".login":
				k = kindCsh
			case e.IsDir():
				continue
			}
			p := path.Join(s.dir, name)
			out = append(out, rcFile{path: p, kind: k, user: "*", home: "$HOME", when: whenOf(p), system: true})
		}
	}
	for _, h := range loadHomes(r.env) {
		for _, hf := range homeFiles {
			p := path.Join(h.home, hf.name)
			out = append(out, rcFile{path: p, kind: hf.k, user: h.user, home: h.home, when: whenOf(p), skel: path.Join("/etc/skel", hf.name)})
		}
		for _, p := range r.t.Glob(path.Join(h.home, ".config/environment.d/*.conf")) {
			out = append(out, rcFile{path: p, kind: kindEnv, user: h.user, home: h.home, when: "login"})
		}
	}
	return out
}

// grade reads one file and emits its findings. depth counts sourced-file
// hops.
func (r *run) grade(f rcFile, depth int) {
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	if r.seen[f.path] {
		return
	}
	r.seen[f.path] = true
	st, err := r.t.Stat(f.path)
	if err != nil {
		target.Record(r.env, f.path, err)
		return
	}
	if st.IsDir() {
		return
	}
	r.checkLink(f)
	b, err := r.t.ReadFile(f.path, readLimit)
	if !target.Record(r.env, f.path, err) {
		return
	}
	pkg := r.pk.Owner(f.path)
	if pkg != "" && pkg != model.NoPackage && r.pk.Pristine(f.path) {
		return // exactly as the package shipped it
	}
	if !f.system && f.skel != "" && r.sameAsPristineSkel(f.skel, b) {
		return // an untouched copy of the packaged template
	}
	r.checkMode(f, st, pkg)
	if f.system && pkg == model.NoPackage && strings.HasPrefix(f.path, "/etc/profile.d/") {
		r.emit(f, pkg, hit{rule: ruleUnowned, line: shscript.Line{}, v: verdict{ok: true, sev: model.Info, conf: model.ConfHigh}})
	}
	sc := scope{home: f.home, system: f.system}
	ff := facts{r: r}
	var hits []hit
	var sourced []string
	switch f.kind {
	case kindEnv:
		hits = analyzeEnv(b, sc, ff, false)
	case kindPam:
		hits = analyzeEnv(b, sc, ff, true)
	default:
		hits, sourced = analyzeRC(b, sc, ff, f.kind == kindCsh)
	}
	if f.skel != "" && f.kind == kindSh {
		graded := map[int]bool{}
		for _, h := range hits {
			graded[h.line.N] = true
		}
		hits = append(hits, addedLines(b, r.baseline(path.Base(f.skel)), sc, graded)...)
	}
	for _, h := range hits {
		r.emit(f, pkg, h)
	}
	if depth < 2 {
		for _, p := range sourced {
			g := f
			g.path, g.kind, g.skel = p, kindSh, ""
			r.grade(g, depth+1)
		}
	}
}

// sameAsPristineSkel reports whether b equals the packaged /etc/skel file.
func (r *run) sameAsPristineSkel(skel string, b []byte) bool {
	sb, err := r.t.ReadFile(skel, readLimit)
	if err != nil || !bytes.Equal(sb, b) {
		return false
	}
	own := r.pk.Owner(skel)
	return own != "" && own != model.NoPackage && r.pk.Pristine(skel)
}

// checkLink reports a start-up file that is a symlink into a place anyone
// can write to or a hidden one: the shell reads whatever is put there.
func (r *run) checkLink(f rcFile) {
	fi, err := r.t.Lstat(f.path)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return
	}
	dest, err := r.t.Resolve(f.path)
	if err != nil {
		return
	}
	var v verdict
	if places.Temporary(dest) {
		v.raise(model.High, model.ConfHigh, indWritable)
	} else if hid := places.Hidden(dest) != ""; hid && !underDir(dest, f.home) {
		// A dotfile manager links ~/.bashrc into ~/.dotfiles: ordinary.
		// A link out of the home into a hidden place is not.
		v.raise(model.Medium, model.ConfMedium, indHidden)
	}
	if !v.ok {
		return
	}
	v.extra = map[string]string{"link": dest}
	r.emit(f, "", hit{rule: ruleSource, what: "symlink to " + dest, line: shscript.Line{Text: f.path + " -> " + dest, Raw: f.path + " -> " + dest}, v: v})
}

// checkMode reports a start-up file that others can write: whoever can
// write it runs commands in the next session of its user (root for
// system-wide files).
func (r *run) checkMode(f rcFile, st fs.FileInfo, pkg string) {
	if st.Mode().Perm()&0o002 == 0 {
		return
	}
	v := verdict{ok: true, sev: model.Medium, conf: model.ConfHigh, indicators: []string{indWritable},
		extra: map[string]string{"mode": fmt.Sprintf("%04o", st.Mode().Perm())}}
	if f.system || f.user == "root" {
		v.sev = model.High
	}
	r.emit(f, pkg, hit{rule: ruleWritable, line: shscript.Line{}, v: v})
}

func (r *run) emit(f rcFile, pkg string, h hit) {
	subject := f.path
	if h.what != "" {
		subject = f.path + " (" + h.what + ")"
	}
	ev := model.Evidence{Path: f.path, Line: h.line.N, Text: textclip.Clip(h.line.Raw, 400), User: f.user, Package: pkg, When: f.when}
	if len(h.v.extra) > 0 {
		ev.Extra = h.v.extra
	}
	ind := append([]string(nil), h.v.indicators...)
	sort.Strings(ind)
	r.env.Emit(model.Finding{RuleID: h.rule, Subject: subject, Indicators: ind, Evidence: ev}.
		WithSeverity(h.v.sev).WithConfidence(h.v.conf))
}

// facts implements fileFacts over the target.
type facts struct{ r *run }

func (f facts) exists(p string) bool {
	_, err := f.r.t.Stat(p)
	return err == nil
}

func (f facts) owner(p string) string { return f.r.pk.Owner(p) }

func (f facts) worldWritable(p string) bool {
	st, err := f.r.t.Stat(p)
	return err == nil && st.Mode().Perm()&0o002 != 0
}

// shadows lists watched command names that dir holds as executables not
// installed by a package.
func (f facts) shadows(dir string) []string {
	if !strings.HasPrefix(dir, "/") {
		return nil
	}
	if st, err := f.r.t.Stat(dir); err != nil || !st.IsDir() {
		return nil
	}
	var out []string
	for name := range watched {
		p := path.Join(dir, name)
		st, err := f.r.t.Stat(p)
		if err != nil || !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
			continue
		}
		if own := f.r.pk.Owner(p); own != "" && own != model.NoPackage {
			continue
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func underDir(p, dir string) bool {
	if dir == "" || dir == "/" || strings.HasPrefix(dir, "$") {
		return false
	}
	return strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}
