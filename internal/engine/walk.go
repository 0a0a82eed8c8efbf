package engine

import (
	"context"
	"errors"
	"os"
	"sync/atomic"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Walker is a Detector that walks the target's files. Before the checks
// run, the engine asks every Walker what it wants walked (its places,
// bounds and a judgement of each entry: target.WalkSpec), walks the union
// once — each directory listed and each entry stat-ed once, however many
// checks want it — and hands each check its part through Env.Walked. A
// check that asks for the content of its files (WalkSpec.Content, the
// files check) gets each file opened once, during the walk.
type Walker interface {
	Detector
	// Walks returns what the check wants walked in this scan. It may read
	// the shared inventories (accounts, web roots) but must not emit.
	Walks(env *Env) []target.WalkSpec
}

// sharedWalk is the one walk of a scan.
type sharedWalk struct {
	done    chan struct{}
	results []target.WalkResult
	dur     time.Duration
}

// envWalk is one check's part of the shared walk.
type envWalk struct {
	shared   *sharedWalk
	off, n   int
	err      error                      // Walks panicked
	panicked atomic.Pointer[panicError] // a Visit panicked
	pause    func() func()              // releases the check's run slot while it waits
}

// errNoWalk is returned by Walked for a check that is no Walker.
var errNoWalk = errors.New("check declared no walk (engine.Walker)")

// Walked returns this check's results of the scan's one walk, one per spec
// its Walks returned, in that order, waiting for the walk to end. A panic
// in the check's Walks or in one of its Visit functions is returned as an
// error (the check fails with it).
func (e *Env) Walked(ctx context.Context) ([]target.WalkResult, error) {
	w := e.walk
	if w == nil {
		return nil, errNoWalk
	}
	if w.err != nil {
		return nil, w.err
	}
	resume := w.pause()
	select {
	case <-w.shared.done:
	case <-ctx.Done():
	}
	resume()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if p := w.panicked.Load(); p != nil {
		return nil, p
	}
	return w.shared.results[w.off : w.off+w.n], nil
}

// planWalk asks the Walkers among envs' checks for their specs and starts
// the one walk of them all; it returns at once.
func (e *Engine) planWalk(ctx context.Context, t *target.Target, dets []Detector, envs []*Env, workers int, dbg *debugLog, pause func() func()) {
	sw := &sharedWalk{done: make(chan struct{})}
	var all []target.WalkSpec
	for i, d := range dets {
		wk, ok := d.(Walker)
		if !ok || envs[i] == nil {
			continue
		}
		ew := &envWalk{shared: sw, off: len(all), pause: pause}
		envs[i].walk = ew
		specs, err := askWalks(wk, envs[i])
		if err != nil {
			ew.err = err
			continue
		}
		for _, sp := range specs {
			all = append(all, guardVisit(sp, ew))
		}
		ew.n = len(specs)
	}
	go func() {
		defer close(sw.done)
		start := time.Now()
		sw.results = t.WalkSpecs(ctx, all, workers)
		sw.dur = time.Since(start)
		dbg.printf("shared walk: %d specs of %d checks, %s", len(all), countWalkers(envs), sw.dur.Round(time.Millisecond))
	}()
}

func countWalkers(envs []*Env) int {
	n := 0
	for _, e := range envs {
		if e != nil && e.walk != nil {
			n++
		}
	}
	return n
}

// askWalks calls Walks, turning a panic into the check's error.
func askWalks(w Walker, env *Env) (specs []target.WalkSpec, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = recovered(r)
		}
	}()
	return w.Walks(env), nil
}

// guardVisit makes a panic in sp.Visit or sp.Content fail its check
// instead of the process (they run in the walk's goroutines).
func guardVisit(sp target.WalkSpec, ew *envWalk) target.WalkSpec {
	if v := sp.Visit; v != nil {
		sp.Visit = func(e *target.WalkEntry) (keep, prune bool) {
			defer func() {
				if r := recover(); r != nil {
					ew.panicked.CompareAndSwap(nil, recovered(r))
					keep, prune = false, true
				}
			}()
			return v(e)
		}
	}
	if c := sp.Content; c != nil {
		sp.Content = func(ctx context.Context, e *target.WalkEntry, f *os.File, err error) {
			defer func() {
				if r := recover(); r != nil {
					ew.panicked.CompareAndSwap(nil, recovered(r))
				}
			}()
			c(ctx, e, f, err)
		}
	}
	return sp
}

// slotPauser returns the pause function of a run-slot semaphore.
func slotPauser(sem chan struct{}) func() func() {
	return func() func() {
		<-sem
		return func() { sem <- struct{}{} }
	}
}

// WalkGaps records what a check's part of the walk could not examine: each
// entry that could not be read (target.Record), and, with deep, the
// directories its depth kept out, one gap per root with the message deep
// makes of them.
func (e *Env) WalkGaps(rs target.WalkResult, deep func(d target.DeepCut) model.Message) {
	for _, x := range rs.Errors {
		target.Record(e, x.Path, x.Err)
	}
	if deep == nil {
		return
	}
	for _, d := range rs.Deep {
		e.GapMsg(model.GapSkipped, rs.Roots[d.Root], deep(d))
	}
}
