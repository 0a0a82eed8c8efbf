package changed

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Rule ids.
const (
	ruleRecent     = "files.changed.recent"
	ruleExecutable = "files.changed.executable"
)

// Indicator ids (texts in rules/indicators.yaml).
const (
	indNotPackaged = "not-from-package"
	indModified    = "modified-package-file"
	indExecutable  = "executable-file"
	indWritable    = "writable-location"
	indHidden      = "hidden-location"
)

// Detector lists files changed since --changed-since.
type Detector struct{}

// New returns the detector.
func New() *Detector { return &Detector{} }

// Name implements engine.Detector.
func (*Detector) Name() string { return "changed" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 1 }

// NeedsLive implements engine.Detector.
func (*Detector) NeedsLive() bool { return false }

// Rules implements engine.Detector.
func (*Detector) Rules() []string { return []string{ruleRecent, ruleExecutable} }

// Bounds: a window of a few days on a server changes hundreds of files;
// these stop a window that covers an upgrade of everything.
const (
	maxEntries  = 500000
	maxFindings = 20000
	maxDepth    = 20
)

// watchedPlaces are the persistence locations whose changes are listed. Homes
// are handled apart: their dot-files and a few dot-directories only.
var watchedPlaces = []string{
	"/etc", "/root", "/usr/local", "/opt", "/var/spool/cron", "/tmp", "/var/tmp", "/dev/shm",
	"/lib/systemd", "/usr/lib/systemd", "/usr/bin", "/usr/sbin", "/bin", "/sbin", "/lib/modules", "/usr/lib/modules",
}

// homeDirs are the dot-directories of a home that hold persistence.
var homeDirs = []string{".ssh", ".config/autostart", ".config/systemd", ".local/bin"}

// systemDirs hold what the system runs; an unpackaged executable appearing
// there is graded higher.
var systemDirs = []string{"/usr/bin", "/usr/sbin", "/bin", "/sbin", "/lib/modules", "/usr/lib/modules", "/lib/systemd", "/usr/lib/systemd", "/etc"}

// change is one changed file.
type change struct {
	path          string
	m, c, b       time.Time
	mode          fs.FileMode
	size          int64
	inM, inC, inB bool
}

type run struct {
	env     *engine.Env
	t       *target.Target
	pk      pkgdb.View
	since   time.Time
	changes []change
}

var _ engine.Walker = (*Detector)(nil)

// Walks implements engine.Walker: the watched places and web roots down to
// maxDepth, and the tops of homes (dot-files and dot-directories), from the
// scan's one walk; each entry's times are judged as it is met, and only
// what changed in the window is kept (at most maxEntries per part).
func (d *Detector) Walks(env *engine.Env) []target.WalkSpec {
	since := env.Options.ChangedSince
	if since.IsZero() {
		return nil
	}
	r := &run{env: env, t: env.Target, since: since}
	var deep, tops []string
	for _, rt := range r.roots() {
		if rt.depth == 0 {
			tops = append(tops, rt.path)
		} else {
			deep = append(deep, rt.path)
		}
	}
	return []target.WalkSpec{
		{Roots: deep, MaxDepth: maxDepth + 1, MaxKeep: maxEntries, Visit: r.visit(false)},
		{Roots: tops, MaxDepth: 1, MaxKeep: maxEntries, Visit: r.visit(true)},
	}
}

// visit judges an entry below a root by its times (dotOnly: a home's top,
// where only dot-files and dot-directories count); a changed one is kept
// with its change.
func (r *run) visit(dotOnly bool) func(e *target.WalkEntry) (keep, prune bool) {
	return func(e *target.WalkEntry) (keep, prune bool) {
		if e.Depth == 0 || dotOnly && !e.IsDir() && !strings.HasPrefix(e.Name, ".") {
			return false, false
		}
		ch, ok := r.consider(e)
		if ok {
			e.Carry = ch
		}
		return ok, false
	}
}

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	since := env.Options.ChangedSince
	if since.IsZero() {
		return nil
	}
	r := &run{env: env, t: env.Target, pk: inventory.Packages(env), since: since}
	res, err := env.Walked(ctx)
	if err != nil {
		return err
	}
	for i, rs := range res {
		var deep func(d target.DeepCut) model.Message
		if i == 0 { // the tops of homes are not cut: they are walked one level on purpose
			deep = func(d target.DeepCut) model.Message {
				return model.Msg("changed.gap.too-deep", d.Count, maxDepth, d.First)
			}
		}
		env.WalkGaps(rs, deep)
		for _, e := range rs.Kept {
			if ch, ok := e.Carry.(change); ok {
				r.changes = append(r.changes, ch)
			}
		}
		if rs.Dropped > 0 {
			env.GapMsg(model.GapSkipped, rs.Roots[rs.DroppedRoot], model.Msg("changed.gap.budget", maxEntries))
		}
	}
	sort.Slice(r.changes, func(i, j int) bool { return r.changes[i].path < r.changes[j].path })
	for i, c := range r.changes {
		if i >= maxFindings {
			r.env.GapMsg(model.GapSkipped, "", model.Msg("changed.gap.too-many", len(r.changes), maxFindings))
			break
		}
		r.emit(c)
	}
	return nil
}

type root struct {
	path  string
	depth int
}

// roots resolves the places (homes and web roots included), drops those
// nested inside another and returns them sorted.
func (r *run) roots() []root {
	cands := map[string]int{}
	add := func(p string, depth int) {
		res, err := r.t.Resolve(p)
		if err != nil {
			return
		}
		if st, err := r.t.Stat(res); err != nil || !st.IsDir() {
			return
		}
		if d, ok := cands[res]; !ok || depth > d {
			cands[res] = depth
		}
	}
	for _, p := range watchedPlaces {
		add(p, maxDepth)
	}
	for _, h := range r.t.Glob("/home/*") {
		add(h, 0) // dot-files at the top only
		for _, d := range homeDirs {
			add(path.Join(h, d), maxDepth)
		}
	}
	for _, w := range inventory.WebRoots(r.env).WalkRoots() {
		add(w, maxDepth)
	}
	keys := make([]string, 0, len(cands))
	for k := range cands {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []root
	var deep []string
	for _, k := range keys {
		if under(k, deep) {
			continue
		}
		out = append(out, root{k, cands[k]})
		if cands[k] > 0 {
			deep = append(deep, k)
		}
	}
	return out
}

func under(p string, dirs []string) bool {
	for _, d := range dirs {
		if p == d || strings.HasPrefix(p, d+"/") || d == "/" {
			return true
		}
	}
	return false
}

// consider judges an entry by its times in the window. A directory counts
// only when it was created in the window: its mtime moves with every file
// added or removed inside it.
func (r *run) consider(e *target.WalkEntry) (change, bool) {
	m, c, b, err := e.Times()
	if err != nil {
		return change{}, false
	}
	ch := change{path: e.Path, m: m, c: c, b: b}
	ch.inM, ch.inC = !m.Before(r.since), !c.Before(r.since)
	ch.inB = !b.IsZero() && !b.Before(r.since)
	if e.IsDir() {
		if !ch.inB {
			return change{}, false
		}
	} else if !ch.inM && !ch.inC && !ch.inB {
		return change{}, false
	}
	if info, err := e.Info(); err == nil {
		ch.mode, ch.size = info.Mode(), info.Size()
	}
	return ch, true
}

func (r *run) emit(c change) {
	ev := model.Evidence{
		Path:  c.path,
		MTime: timePtr(c.m),
		Text:  describe(c),
		Extra: map[string]string{"mtime": fmtTime(c.m), "ctime": fmtTime(c.c), "mode": c.mode.String(), "size": fmt.Sprint(c.size)},
	}
	if !c.b.IsZero() {
		ev.Extra["btime"] = fmtTime(c.b)
	}
	f := model.Finding{RuleID: ruleRecent, Subject: c.path, Key: c.path}
	exec := c.mode.IsRegular() && (c.mode.Perm()&0o111 != 0 || isModule(c.path))
	if !exec {
		f.Evidence = ev
		r.env.Emit(f)
		return
	}
	pkg := r.pk.Owner(c.path)
	ev.Package = pkg
	var ind []string
	switch {
	case pkg == "":
		// Ownership unknown (no package database): listed, not graded.
	case pkg == model.NoPackage:
		ind = append(ind, indExecutable, indNotPackaged)
	case !r.pk.Pristine(c.path):
		ind = append(ind, indExecutable, indModified)
	}
	if len(ind) == 0 {
		f.Evidence = ev
		r.env.Emit(f)
		return
	}
	sev := model.Low
	if inAny(c.path, systemDirs) || places.Temporary(c.path) || hidden(c.path) {
		sev = model.Medium
	}
	if places.Temporary(c.path) {
		ind = append(ind, indWritable)
	}
	if hidden(c.path) {
		ind = append(ind, indHidden)
	}
	f.RuleID, f.Evidence, f.Indicators = ruleExecutable, ev, ind
	r.env.Emit(f.WithSeverity(sev))
}

// describe says which of the file's times fall in the window.
func describe(c change) string {
	var parts []string
	if c.inB {
		parts = append(parts, "created "+fmtTime(c.b))
	}
	if c.inM {
		parts = append(parts, "modified "+fmtTime(c.m))
	}
	if c.inC && !c.inM && !c.inB {
		parts = append(parts, "metadata changed "+fmtTime(c.c)+" (owner, mode, links or a rename)")
	}
	return strings.Join(parts, ", ")
}

func isModule(p string) bool {
	return (strings.HasPrefix(p, "/lib/modules/") || strings.HasPrefix(p, "/usr/lib/modules/")) &&
		(strings.HasSuffix(p, ".ko") || strings.HasSuffix(p, ".ko.xz") || strings.HasSuffix(p, ".ko.zst") || strings.HasSuffix(p, ".ko.gz"))
}

func inAny(p string, dirs []string) bool {
	for _, d := range dirs {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

func hidden(p string) bool { return places.HiddenDir(p) != "" }

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
