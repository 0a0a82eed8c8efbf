package staging

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/hashcache"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Rule ids.
const (
	ruleMasqName   = "files.masquerade.name"
	ruleMasqExt    = "files.masquerade.extension"
	ruleExecutable = "files.staged.executable"
	ruleHidden     = "files.staged.hidden"
	ruleCredCopy   = "files.credential.copy"
)

// Indicator ids this package adds (texts in rules/indicators.yaml).
const (
	indDaemonName = "daemon-name"
	indSystemCopy = "system-binary-copy"
	indCompiled   = "compiled-program"
	indScript     = "script-program"
	indExtension  = "extension-mismatch"
)

// Detector is the staging-place check.
type Detector struct {
	readHook func(p string) // tests: called for each read of a file's content
}

// New returns the detector.
func New() *Detector { return &Detector{} }

// Name implements engine.Detector.
func (*Detector) Name() string { return "staging" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 1 }

// NeedsLive implements engine.Detector.
func (*Detector) NeedsLive() bool { return false }

// Rules implements engine.Detector.
func (*Detector) Rules() []string {
	return []string{ruleMasqName, ruleMasqExt, ruleExecutable, ruleHidden, ruleCredCopy}
}

// Bounds of the walk.
const (
	maxDepth  = 10
	maxFiles  = 200000
	headSmall = 512      // bytes read to tell a program
	headCred  = 64 << 10 // bytes read for the credential test
	maxCred   = 16 << 20 // larger files are not credential copies
)

// walkPlaces are walked for content, temporary directories first.
var walkPlaces = []string{"/tmp", "/var/tmp", "/dev/shm", "/run/shm", "/root", "/home/*", "/opt", "/srv", "/usr/local", "/var/backups"}

// topPlaces are the system directories whose entries are checked by name
// only, for masquerading names.
var topPlaces = []string{"/", "/etc", "/var", "/var/lib", "/var/spool", "/var/log", "/var/cache", "/usr", "/usr/lib",
	"/usr/lib64", "/usr/share", "/usr/bin", "/usr/sbin", "/usr/include", "/lib", "/bin", "/sbin", "/boot", "/mnt", "/media", "/run"}

// skipDirs are not entered: version control, dependency trees, caches.
var skipDirs = map[string]bool{".git": true, "node_modules": true, "__pycache__": true, "go-build": true,
	".rustup": true, "site-packages": true, "dist-packages": true, ".npm": true}

type run struct {
	env   *engine.Env
	t     *target.Target
	pk    pkgdb.View
	files int
	named map[string]bool // masquerade findings already emitted
	sys   *digestIndex
	homes []string // home directories of the accounts

	facts    *hashcache.Table // what earlier scans read (facts.go)
	cur      *fileFacts       // facts of the file being judged
	readHook func(p string)
}

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	r := &run{env: env, t: env.Target, pk: inventory.Packages(env), named: map[string]bool{},
		facts: env.Facts(), readHook: d.readHook}
	for _, a := range inventory.Accounts(env) {
		r.homes = append(r.homes, a.Home)
	}
	for _, dir := range topPlaces {
		r.topLevel(dir)
	}
	if err := r.walked(ctx); err != nil {
		if errors.Is(err, errStop) {
			r.facts.Complete() // the walk is deterministic: it stops where the last one did
			return nil
		}
		return err
	}
	r.facts.Complete()
	return nil
}

// topLevel checks the names of one system directory's entries.
func (r *run) topLevel(dir string) {
	ents, err := r.t.ReadDir(dir)
	if err != nil {
		return // a missing /usr/lib64 is no gap
	}
	for _, e := range ents {
		if places.Masquerade(e.Name()) {
			r.masquerade(path.Join(dir, e.Name()), e.IsDir())
		}
	}
}

var errStop = errors.New("file budget exhausted")

// Walks implements engine.Walker: the staging places and web roots, from
// the scan's one walk.
func (d *Detector) Walks(env *engine.Env) []target.WalkSpec {
	var roots []string
	for _, g := range walkPlaces {
		roots = append(roots, env.Target.Glob(g)...)
	}
	roots = append(roots, inventory.WebRoots(env).WalkRoots()...)
	return []target.WalkSpec{{Roots: roots, MaxDepth: maxDepth, MaxKeep: maxFiles, Visit: visit}}
}

// visit keeps what walked judges: masquerading names, directories and
// files in temporary places, and the files checkFile may read (a cheap
// superset of its own test). It runs in the walk's workers: it only reads.
func visit(e *target.WalkEntry) (keep, prune bool) {
	masq := e.Depth > 0 && places.Masquerade(e.Name)
	if e.IsDir() {
		prune = e.Depth > 0 && skipDirs[e.Name]
		return masq || !prune && places.Temporary(e.Path), prune
	}
	if !e.Type.IsRegular() {
		return masq, false
	}
	st, err := e.Lstat()
	if err != nil {
		return masq, false
	}
	ext := strings.ToLower(path.Ext(e.Name))
	return masq || places.Temporary(e.Path) || st.Mode&0o111 != 0 || ext == "" || credExt[ext] ||
		programExt[ext] != "" || credNameHint.MatchString(e.Name), false
}

// walked judges what the walk kept, in walk order.
func (r *run) walked(ctx context.Context) error {
	res, err := r.env.Walked(ctx)
	if err != nil {
		return err
	}
	rs := res[0]
	for _, e := range rs.Errors {
		target.Record(r.env, e.Path, e.Err)
	}
	for _, d := range rs.Deep {
		r.env.GapMsg(model.GapSkipped, rs.Roots[d.Root], model.Msg("staging.gap.too-deep", d.Count, maxDepth))
	}
	for i := range rs.Kept {
		if err := ctx.Err(); err != nil {
			return err
		}
		e := &rs.Kept[i]
		if e.Depth > 0 && places.Masquerade(e.Name) {
			r.masquerade(e.Path, e.IsDir())
		}
		if e.IsDir() {
			if (e.Depth == 0 || !skipDirs[e.Name]) && e.Depth < maxDepth {
				r.hiddenInTemp(e.Path, true)
			}
			continue
		}
		if !e.Type.IsRegular() {
			continue
		}
		r.hiddenInTemp(e.Path, false)
		if st, err := e.Info(); err == nil {
			r.checkFile(e.Path, st)
		}
	}
	if rs.Dropped > 0 {
		r.env.GapMsg(model.GapSkipped, rs.Roots[rs.DroppedRoot], model.Msg("staging.gap.file-budget", maxFiles))
		return errStop
	}
	return nil
}

// masquerade reports a file or directory named to pass for nothing.
func (r *run) masquerade(p string, dir bool) {
	if r.named[p] {
		return
	}
	r.named[p] = true
	kind, note := "file", "staging.note.masquerade-file"
	if dir {
		kind, note = "directory", "staging.note.masquerade-dir"
	}
	ev := r.evidence(p)
	ev.Note = model.Msg(note, fmt.Sprintf("%q", path.Base(p)))
	ev.Extra = map[string]string{"kind": kind}
	r.emit(ruleMasqName, p, ev, []string{places.IndMasquerade}, model.High, model.ConfHigh)
}

// hiddenInTemp reports the first hidden component of a path in a
// temporary directory.
func (r *run) hiddenInTemp(p string, dir bool) {
	if !places.Temporary(p) || places.HiddenDir(p) != "" || places.Hidden(p) == "" || places.MasqueradeIn(p) != "" {
		return
	}
	kind := "file"
	if dir {
		kind = "directory"
	}
	ev := r.evidence(p)
	ev.Extra = map[string]string{"kind": kind}
	r.emit(ruleHidden, p, ev, []string{places.IndHidden, places.IndTemporary}, model.Low, model.ConfMedium)
}

// evidence fills path and mtime.
func (r *run) evidence(p string) model.Evidence {
	ev := model.Evidence{Path: p}
	if fi, err := r.t.Lstat(p); err == nil {
		mt := fi.ModTime().UTC()
		ev.MTime = &mt
	}
	return ev
}

func (r *run) emit(rule, subject string, ev model.Evidence, ind []string, sev model.Severity, conf model.Confidence) {
	f := model.Finding{RuleID: rule, Subject: subject, Indicators: ind, Evidence: ev, Key: subject}
	r.env.Emit(f.WithSeverity(sev).WithConfidence(conf))
}
