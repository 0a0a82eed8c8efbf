package autostart

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/collect/users"
	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/grade/jobexec"
	"github.com/vigil-ir/vigil/internal/grade/shscript"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// Rule ids: per place, something suspicious that runs, and the inventory
// of what no package installed.
const (
	ruleAutostartCommand = "persistence.autostart.command"
	ruleAutostartEntry   = "persistence.autostart.entry"
	ruleIncronCommand    = "persistence.incron.command"
	ruleIncronEntry      = "persistence.incron.entry"
	rulePthExec          = "persistence.python.pth-exec"
	ruleCustomize        = "persistence.python.customize"
)

// Indicator ids this package adds (texts in rules/indicators.yaml).
const (
	indProgramNotPackaged = "program-not-from-package"
	indWatchSensitive     = "incron.watch-sensitive"
	indWatchExposed       = "incron.watch-exposed"
	indRunsEventFile      = "incron.runs-event-file"
	indPyExecPayload      = "python.exec-payload"
	indPyNetworkExec      = "python.network-exec"
	indPyExec             = "python.exec"
	indPyObfuscation      = "python.obfuscation"
	indPyNetwork          = "python.network"
	indPyProcess          = "python.process"
	indPyStartupImport    = "python.startup-import"
)

// everyone is Evidence.User for what runs in every account's sessions.
const everyone = "*"

// Detector is the check of desktop autostart entries, incron tables and
// Python startup hooks.
type Detector struct{}

// New returns the detector.
func New() *Detector { return &Detector{} }

// Name implements engine.Detector.
func (*Detector) Name() string { return "autostart" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 1 }

// NeedsLive implements engine.Detector.
func (*Detector) NeedsLive() bool { return false }

// Rules implements engine.Detector.
func (*Detector) Rules() []string {
	return []string{ruleAutostartCommand, ruleAutostartEntry, ruleIncronCommand, ruleIncronEntry,
		rulePthExec, ruleCustomize}
}

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	r := &run{env: env, t: env.Target, x: inventory.JobEnv(env), seen: map[string]bool{}}
	r.homes = homesOf(inventory.Accounts(env))
	for _, step := range []func(){r.xdg, r.incron, r.python} {
		if err := ctx.Err(); err != nil {
			return err
		}
		step()
	}
	return nil
}

type run struct {
	env   *engine.Env
	t     *target.Target
	x     *jobexec.Env
	homes []home
	seen  map[string]bool // resolved paths of files already graded
}

// home is a home directory and the account whose sessions use it.
type home struct{ user, dir string }

// homesOf lists each home directory once, named after the first account
// with a login shell that uses it (else the first account).
func homesOf(accts []inventory.Account) []home {
	idx := map[string]int{}
	login := map[string]bool{}
	var out []home
	for _, a := range accts {
		if a.Home == "" || a.Home == "/" {
			continue
		}
		i, ok := idx[a.Home]
		if !ok {
			idx[a.Home] = len(out)
			out = append(out, home{user: a.Name, dir: a.Home})
			login[a.Home] = users.LoginShell(a.Shell)
			continue
		}
		if !login[a.Home] && users.LoginShell(a.Shell) {
			out[i].user = a.Name
			login[a.Home] = true
		}
	}
	return out
}

// fileLimit bounds every file this check reads: desktop entries, incron
// tables, .pth files and Python modules are small; a larger one is a gap.
const fileLimit = 1 << 20

// read reads p, recording a gap when it exists but cannot be read (too
// large, not a regular file, no permission).
func (r *run) read(p string) ([]byte, bool) { return r.t.ReadFileRec(r.env, p, fileLimit) }

// listDir returns the entries of dir, recording a gap when it exists but
// cannot be read.
func (r *run) listDir(dir string) []fs.DirEntry {
	ents, err := r.t.ReadDir(dir)
	if err != nil {
		target.Record(r.env, dir, err)
		return nil
	}
	return ents
}

// masked reports whether p is a symlink to /dev/null (how an entry is
// switched off for good): nothing to read, nothing that runs.
func (r *run) masked(p string) bool {
	fi, err := r.t.Lstat(p)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return false
	}
	real, err := r.t.Resolve(p)
	return err == nil && real == "/dev/null"
}

// firstVisit reports whether the file p resolves to has not been graded
// yet in this scan, and returns that resolved path.
func (r *run) firstVisit(p string) (string, bool) {
	real, err := r.t.Resolve(p)
	if err != nil {
		real = p
	}
	if r.seen[real] {
		return real, false
	}
	r.seen[real] = true
	return real, true
}

// originOf looks p up in the package database. A symlink is judged by the
// link: a link no package installed is not packaged whatever it points
// to; a packaged link is pristine only when the file it reaches is.
func (r *run) originOf(p string) jobexec.Origin {
	fi, err := r.t.Lstat(p)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return r.x.OriginOf(p)
	}
	o := jobexec.Origin{Package: r.x.Owner(p)}
	if o.Package == "" || o.Package == model.NoPackage {
		return o
	}
	if real, err := r.t.Resolve(p); err == nil {
		o.Pristine = r.x.Pristine(real)
	}
	o.Modified = !o.Pristine
	return o
}

// fileFacts are what every file finding shows.
type fileFacts struct {
	path   string
	origin jobexec.Origin
	mtime  *time.Time
	sha    string
}

func (r *run) facts(p string, content []byte) fileFacts {
	f := fileFacts{path: p, origin: r.originOf(p)}
	if fi, err := r.t.Stat(p); err == nil {
		mt := fi.ModTime().UTC()
		f.mtime = &mt
	}
	if content != nil {
		sum := sha256.Sum256(content)
		f.sha = hex.EncodeToString(sum[:])
	}
	return f
}

func (f fileFacts) evidence(line int, text, user, when string) model.Evidence {
	return model.Evidence{Path: f.path, Line: line, Text: textclip.Valid(text, 400), User: user, When: when,
		Package: f.origin.Package, MTime: f.mtime, SHA256: f.sha, Extra: map[string]string{}}
}

// emit sends one finding.
func (r *run) emit(rule string, ev model.Evidence, ind []string, sev model.Severity, conf model.Confidence) {
	if len(ev.Extra) == 0 {
		ev.Extra = nil
	}
	f := model.Finding{RuleID: rule, Subject: ev.Path, Indicators: uniq(ind), Evidence: ev}
	r.env.Emit(f.WithSeverity(sev).WithConfidence(conf))
}

// pathDirs are where a bare program name is looked up (the default PATH of
// a session).
var pathDirs = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}

// lookPath finds a program named without a directory in the default PATH
// of the target, after ~/.local/bin and ~/bin of home when home is set
// ("" when not found). Absolute names are returned when they exist.
func (r *run) lookPath(name, home string) string {
	if name == "" {
		return ""
	}
	if home != "" {
		name = shscript.ExpandHome(name, home)
	}
	if strings.Contains(name, "/") {
		if !strings.HasPrefix(name, "/") {
			return ""
		}
		if fi, err := r.t.Stat(name); err == nil && !fi.IsDir() {
			return path.Clean(name)
		}
		return ""
	}
	dirs := pathDirs
	if home != "" {
		dirs = append([]string{path.Join(home, ".local/bin"), path.Join(home, "bin")}, pathDirs...)
	}
	for _, d := range dirs {
		p := path.Join(d, name)
		if fi, err := r.t.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	return ""
}

// systemProgramDirs hold programs that packages install: an unpackaged
// program there is out of place.
var systemProgramDirs = []string{"/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/usr/lib/", "/usr/libexec/",
	"/lib/", "/usr/lib64/", "/lib64/", "/usr/games/"}

// unpackagedSystemProgram reports whether p sits in a system program
// directory but no package installed it (false when that is unknown).
func (r *run) unpackagedSystemProgram(p string) bool {
	in := false
	for _, d := range systemProgramDirs {
		if strings.HasPrefix(p, d) {
			in = true
			break
		}
	}
	if !in || r.x.Owner(p) != model.NoPackage {
		return false
	}
	_, err := r.t.Lstat(p)
	return err == nil // a missing program is no unpackaged one
}

// bump raises a severity one step, up to critical.
func bump(s model.Severity) model.Severity {
	if s < model.Critical {
		return s + 1
	}
	return s
}

// lower drops a severity one step, never below low.
func lower(s model.Severity) model.Severity {
	if s > model.Low {
		return s - 1
	}
	return s
}

func uniq(ids []string) []string {
	var out []string
	for _, id := range ids {
		if id == "" {
			continue
		}
		dup := false
		for _, x := range out {
			if x == id {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, id)
		}
	}
	return out
}
