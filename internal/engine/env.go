package engine

import (
	"fmt"
	"sync"
	"time"

	"github.com/vigil-ir/vigil/internal/hashcache"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Env is one detector's view of a scan.
type Env struct {
	Target  *target.Target
	Options Options

	check  string
	prov   string
	now    func() time.Time
	shared *memo
	emit   func(model.Finding)
	gap    func(model.Gap)
	walk   *envWalk // this check's part of the scan's one walk (Walker)
}

// Emit reports a finding. The engine stamps the detector's name and version.
func (e *Env) Emit(f model.Finding) {
	f.Detector = e.prov
	e.emit(f)
}

// GapMsg records something this check could not examine, and why, as a
// message id with arguments (implements target.Recorder):
//
//	env.GapMsg(model.GapSkipped, dir, model.Msg("tools.gap.too-deep", n, depth, example))
//
// The id's texts go in rules/messages/*.yaml, in both languages.
func (e *Env) GapMsg(kind model.GapKind, path string, m model.Message) {
	e.gap(model.Gap{Check: e.check, Kind: kind, Path: path, Msg: m})
}

// Facts is this check's table of facts about files it read in earlier
// scans of the target (nil when the scan keeps none: read everything). A
// check records facts only about what it read itself, and calls
// Complete on the table when its pass covered everything it meant to, so
// that what a cut-short pass did not revisit is not forgotten.
func (e *Env) Facts() *hashcache.Table { return e.Options.Facts.For(e.check) }

// Now is the scan's clock.
func (e *Env) Now() time.Time { return e.now() }

// ReadFile reads a target file, recording a gap when it exists but cannot be
// read. ok is false when there is nothing to examine.
func (e *Env) ReadFile(p string) ([]byte, bool) {
	return e.Target.ReadFileRec(e, p, 0)
}

type memoEntry struct {
	once     sync.Once
	val      any
	panicked *panicError
}

type memo struct {
	mu    sync.Mutex
	vals  map[string]*memoEntry
	debug *debugLog
}

// gapBuffer collects the gaps of a shared load, so that they are reported
// once, by the check that triggered the load, under the loader's name.
type gapBuffer struct {
	name string
	gaps []model.Gap
}

func (g *gapBuffer) GapMsg(kind model.GapKind, path string, m model.Message) {
	g.gaps = append(g.gaps, model.Gap{Check: g.name, Kind: kind, Path: path, Msg: m})
}

// Shared returns the value that load computes once per scan under key, for
// inventories several detectors read (accounts, package ownership). Gaps the
// loader records are reported once, with key as their check name.
func Shared[T any](e *Env, key string, load func(t *target.Target, rec target.Recorder) T) T {
	e.shared.mu.Lock()
	ent, ok := e.shared.vals[key]
	if !ok {
		ent = &memoEntry{}
		e.shared.vals[key] = ent
	}
	e.shared.mu.Unlock()
	ent.once.Do(func() {
		buf := &gapBuffer{name: key}
		defer func() {
			for _, g := range buf.gaps {
				e.gap(g)
			}
			if r := recover(); r != nil {
				ent.panicked = recovered(r)
				e.shared.debug.printf("shared inventory %s: %v\n%s", key, ent.panicked, ent.panicked.stack)
			}
		}()
		ent.val = load(e.Target, buf)
	})
	if ent.panicked != nil {
		// Every check that needs the inventory fails with the loader's
		// one-line reason (not a nil value it would trip over later).
		panic(fmt.Sprintf("loading %s: %v", key, ent.panicked.value))
	}
	return ent.val.(T)
}
