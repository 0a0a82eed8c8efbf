package files

import (
	"context"
	"errors"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/files"
	"github.com/vigil-ir/vigil/internal/files/memscan"
	"github.com/vigil-ir/vigil/internal/files/ransom"
	"github.com/vigil-ir/vigil/internal/files/webshell"
	"github.com/vigil-ir/vigil/internal/files/yara"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/ioc"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// RuleCoverage is the info finding that records what the walk covered.
const RuleCoverage = "files.coverage"

// Bounds of the walk a plain scan runs (web roots and staging directories).
const (
	BoundedBytes = 1 << 30
	BoundedFiles = 200000
	BoundedTime  = 2 * time.Minute
)

// SystemBinDirs are the system's program directories a wide walk covers.
var SystemBinDirs = []string{"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/libexec"}

// WidePlaces are the places a wide walk covers by default, besides the web
// roots and the homes of the accounts.
var WidePlaces = []string{"/tmp", "/var/tmp", "/dev/shm", "/run/shm", "/root", "/home", "/usr/local", "/opt", "/srv"}

// Config steers the detector. The zero value is the plain scan's bounded
// walk of web roots and staging directories.
type Config struct {
	// Wide is the vigil files / scan --files walk: Paths, or the default
	// places, with the budgets below (none by default).
	Wide bool
	// Paths are the target paths to walk (vigil files PATH...).
	Paths []string
	// Walk holds the budgets and limits (Roots is set by the detector).
	Walk files.Options
	// Matchers are more matchers to run in the same walk (YARA, IOCs).
	Matchers []files.Matcher
	// WalkDone, when set, is called when the walk ends (to clear a
	// progress line set in Walk.Progress).
	WalkDone func()
}

// Detector runs the file walk as a check: a part of the scan's one walk
// (engine.Walker), which opens each file its matchers want once.
type Detector struct {
	cfg Config

	mu    sync.Mutex
	scans map[*engine.Env]*files.Scan // planned by Walks, finished by Run
	sinks map[*engine.Env]*sink
}

// New returns the detector of a plain scan (bounded, web roots and
// staging directories).
func New() *Detector { return &Detector{} }

// NewWith returns the detector with a configuration.
func NewWith(cfg Config) *Detector { return &Detector{cfg: cfg} }

// Name implements engine.Detector.
func (*Detector) Name() string { return "files" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 1 }

// NeedsLive implements engine.Detector.
func (*Detector) NeedsLive() bool { return false }

// Rules implements engine.Detector: the built-in matchers' rules, and
// those of the optional matchers (YARA rules, indicator lists) that a run
// may add, so the catalog's rules are declared whatever the configuration.
func (d *Detector) Rules() []string {
	out := []string{RuleCoverage}
	seen := map[string]bool{RuleCoverage: true}
	add := func(ids []string) {
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	for _, m := range d.matchers(nil) {
		add(m.Rules())
	}
	add(yara.RuleIDs())
	add(ioc.RuleIDs())
	add([]string{memscan.RuleMemory, ioc.RuleProcess})
	return out
}

func (d *Detector) matchers(webRoots []string) []files.Matcher {
	ms := []files.Matcher{webshell.New(webRoots), ransom.New()}
	return append(ms, d.cfg.Matchers...)
}

var _ engine.Walker = (*Detector)(nil)

// Walks implements engine.Walker: the places to walk and the scan's
// judgement of each entry, with the content of the files the matchers want.
func (d *Detector) Walks(env *engine.Env) []target.WalkSpec {
	scan, s := d.plan(env)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.scans == nil {
		d.scans, d.sinks = map[*engine.Env]*files.Scan{}, map[*engine.Env]*sink{}
	}
	d.scans[env], d.sinks[env] = scan, s
	return []target.WalkSpec{scan.Spec()}
}

// plan chooses the places and budgets of this scan's walk.
func (d *Detector) plan(env *engine.Env) (*files.Scan, *sink) {
	webRoots := inventory.WebRoots(env).WalkRoots()
	opt := d.cfg.Walk
	switch {
	case len(d.cfg.Paths) > 0:
		opt.Roots = d.cfg.Paths
	case d.cfg.Wide:
		opt.Roots = append(append(append([]string{}, webRoots...), WidePlaces...), SystemBinDirs...)
		// The homes of people (root and UIDs from 1000; a home found
		// without passwd has UID -1): system accounts' "homes" are /dev,
		// /bin or /nonexistent.
		for _, a := range inventory.Accounts(env) {
			if (a.UID == 0 || a.UID >= 1000 || a.UID < 0) && a.Home != "/" && a.Home != "" && !strings.HasPrefix(a.Home, "/nonexistent") {
				opt.Roots = append(opt.Roots, a.Home)
			}
		}
	default:
		opt.Roots = append(append([]string{}, webRoots...), places.StagingDirs()...)
		if opt.MaxBytes == 0 {
			opt.MaxBytes = BoundedBytes
		}
		if opt.MaxFiles == 0 {
			opt.MaxFiles = BoundedFiles
		}
		if opt.MaxTime == 0 {
			opt.MaxTime = BoundedTime
		}
	}
	if env.Target.IsLive() {
		opt.ExcludeIDs = append(opt.ExcludeIDs, selfIDs()...)
	}
	s := &sink{env: env}
	return files.NewScan(env.Target, d.matchers(webRoots), s, opt), s
}

// Run implements engine.Detector: it waits for the scan's walk, in which
// the matchers judged the files, then finishes the file scan (judgements
// over the whole walk, gaps) and reports its coverage.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	d.mu.Lock()
	scan, s := d.scans[env], d.sinks[env]
	delete(d.scans, env)
	delete(d.sinks, env)
	d.mu.Unlock()
	if scan == nil {
		return errors.New("files: the check's walk was not planned (engine.Walker)")
	}
	res, err := env.Walked(ctx)
	if err != nil {
		scan.Finish(ctx, target.WalkResult{})
		if d.cfg.WalkDone != nil {
			d.cfg.WalkDone()
		}
		return err
	}
	cov := scan.Finish(ctx, res[0])
	if d.cfg.WalkDone != nil {
		d.cfg.WalkDone()
	}
	s.coverage(cov)
	if cov.Stopped == "cancelled" {
		return ctx.Err()
	}
	return nil
}

// selfIDs is the identity of Vigil's own binary: never read, never reported.
func selfIDs() []files.FileID {
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	var st syscall.Stat_t
	if syscall.Stat(exe, &st) != nil {
		return nil
	}
	return []files.FileID{{Dev: uint64(st.Dev), Ino: st.Ino}}
}

// sink turns hits into findings (from the walk's workers, one at a time).
type sink struct {
	env       *engine.Env
	knownGood atomic.Int64
}

// packages is the package inventory, loaded once per scan on the first hit.
func (s *sink) packages() pkgdb.View { return inventory.Packages(s.env) }

// GapMsg implements files.Reporter.
func (s *sink) GapMsg(kind model.GapKind, p string, m model.Message) { s.env.GapMsg(kind, p, m) }

// Hit implements files.Reporter.
func (s *sink) Hit(h files.Hit) {
	ev := model.Evidence{Path: h.Path, Line: h.Line, Text: h.Text, Note: h.Note, SHA256: h.SHA256, Extra: h.Extra}
	if !h.ModTime.IsZero() {
		mt := h.ModTime.UTC()
		ev.MTime = &mt
	}
	if ev.Extra == nil {
		ev.Extra = map[string]string{}
	}
	if h.Offset > 0 {
		ev.Extra["offset"] = strconv.FormatInt(h.Offset, 10)
	}
	if !utf8.ValidString(h.Path) {
		ev.Extra["path_quoted"] = strconv.Quote(h.Path)
	}
	// Known-good: a package's file as the package shipped it (a directory
	// judged as a whole has no owner).
	pk := s.packages()
	owner := pk.Owner(h.Path)
	if owner != "" && owner != model.NoPackage && pk.Pristine(h.Path) {
		s.knownGood.Add(1)
		return
	}
	ev.Package = owner
	if len(ev.Extra) == 0 {
		ev.Extra = nil
	}
	f := model.Finding{RuleID: h.Rule, Subject: h.Path, Evidence: ev, Indicators: h.Indicators, Technique: h.Technique}
	if h.Graded {
		f = f.WithSeverity(h.Severity).WithConfidence(h.Confidence)
	}
	s.env.Emit(f)
}

// coverage reports what the walk covered as an info finding.
func (s *sink) coverage(c files.Coverage) {
	var skipped []string
	for _, r := range c.Reasons() {
		skipped = append(skipped, r+" "+strconv.FormatInt(c.Skipped[r], 10))
	}
	sort.Strings(skipped)
	sk := strings.Join(skipped, ", ")
	if sk == "" {
		sk = "-"
	}
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	ex := map[string]string{
		"seen": n(c.Seen), "content_scanned": n(c.Content), "hashed": n(c.Hashed), "bytes": n(c.Bytes),
		"directories": n(c.Dirs), "errors": n(c.Errors), "skipped": sk, "known_good": n(s.knownGood.Load()),
	}
	if c.OddNames > 0 {
		ex["names_not_utf8"] = n(c.OddNames)
	}
	if c.Stopped != "" {
		ex["stopped"] = c.Stopped
	}
	s.env.Emit(model.Finding{RuleID: RuleCoverage, Subject: "files", Key: "files-coverage",
		Evidence: model.Evidence{Extra: ex,
			Note: model.Msg("files.note.coverage", n(c.Seen), n(c.Content), n(c.Hashed), bytesText(c.Bytes), n(c.Errors), sk)}})
}

// bytesText is a byte count for people (MiB with one decimal).
func bytesText(b int64) string {
	return strconv.FormatFloat(float64(b)/(1<<20), 'f', 1, 64) + " MiB"
}
