package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/hashcache"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Detector turns what it reads from a target into findings.
type Detector interface {
	// Name is the stable plugin name, e.g. "accounts".
	Name() string
	// Version changes when the detector's logic changes.
	Version() int
	// NeedsLive reports whether the detector only makes sense on the running
	// host (processes, sockets). On an offline root it is skipped with a
	// not-applicable gap.
	NeedsLive() bool
	// Rules lists every rule id the detector can emit.
	Rules() []string
	// Run examines the target. A returned error marks the check failed; the
	// findings it emitted before still count.
	Run(ctx context.Context, env *Env) error
}

// Options tune a scan for every detector.
type Options struct {
	// ChangedSince, when non-zero, asks time-aware detectors to list files
	// changed since then.
	ChangedSince time.Time
	// Now is the scan's clock (injectable for tests).
	Now func() time.Time
	// Parallel bounds concurrently running detectors (default GOMAXPROCS).
	Parallel int
	// Progress, when set, is called as each check ends (done of total), for
	// a progress line on stderr. Calls are serialised.
	Progress func(done, total int, st model.CheckStatus)
	// MaxPerRule is how many findings of one rule are reported before the
	// rest are folded into one aggregate finding (FloodRule) that counts
	// them: 0 means DefaultMaxPerRule, a negative value never folds.
	MaxPerRule int
	// Hashes, when set, is the target's cache of file digests (the
	// package-integrity check rehashes only files whose metadata changed);
	// nil hashes everything.
	Hashes *hashcache.Table
	// Facts, when set, holds per check what it learnt from reading files
	// (Env.Facts), trusted while a file's metadata is unchanged, so that a
	// rescan does not read the same programs again; nil reads everything.
	Facts *hashcache.Set
	// Skip names checks not to run (vigil scan --only / --skip): each is
	// reported with status "skipped" and a gap saying it was skipped by
	// request.
	Skip map[string]bool
	// Debug, when set, receives diagnostics for developers: the stack of a
	// recovered detector panic, the whole text of a gap reason shortened
	// for the user. Gaps themselves carry one-line reasons only.
	Debug io.Writer
}

// Sink receives a scan's stream. Calls are serialised by the engine.
type Sink interface {
	Finding(model.Finding)
	Gap(model.Gap)
}

// Engine runs detectors.
type Engine struct {
	Catalog   *catalog.Catalog
	Detectors []Detector
	Options   Options
}

// Run runs every detector over t, streaming to sink, and returns the status
// of each check. Findings are completed from the catalog and fingerprinted
// with tinfo's key.
func (e *Engine) Run(ctx context.Context, t *target.Target, tinfo model.TargetInfo, sink Sink) []model.CheckStatus {
	now := e.Options.Now
	if now == nil {
		now = time.Now
	}
	par := e.Options.Parallel
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	dbg := &debugLog{w: e.Options.Debug}
	shared := &memo{vals: map[string]*memoEntry{}, debug: dbg}
	var mu sync.Mutex // serialises sink calls
	limit := e.Options.MaxPerRule
	if limit == 0 {
		limit = DefaultMaxPerRule
	}
	fl := newFlood(limit)
	statuses := make([]model.CheckStatus, len(e.Detectors))
	done := 0
	progress := func(st model.CheckStatus) {
		if e.Options.Progress == nil {
			return
		}
		mu.Lock()
		done++
		e.Options.Progress(done, len(e.Detectors), st)
		mu.Unlock()
	}
	sem := make(chan struct{}, par)
	envs := make([]*Env, len(e.Detectors))
	for i, d := range e.Detectors {
		st := &statuses[i]
		st.Name, st.Version = d.Name(), d.Version()
		if e.Options.Skip[d.Name()] {
			st.Status, st.Msg = "skipped", model.Msg("engine.skipped")
			st.Reason = e.english(st.Msg)
			mu.Lock()
			sink.Gap(e.render(model.Gap{Check: d.Name(), Kind: model.GapSkipped, Msg: st.Msg}))
			mu.Unlock()
			progress(*st)
			continue
		}
		if d.NeedsLive() && !t.IsLive() {
			st.Status = "not-applicable"
			st.Msg = model.Msg("engine.needs-live")
			st.Reason = e.english(st.Msg)
			mu.Lock()
			sink.Gap(e.render(model.Gap{Check: d.Name(), Kind: model.GapNotApplicable, Msg: st.Msg}))
			mu.Unlock()
			progress(*st)
			continue
		}
		envs[i] = &Env{
			Target:  t,
			Options: e.Options,
			check:   d.Name(),
			prov:    fmt.Sprintf("%s@%d", d.Name(), d.Version()),
			now:     now,
			shared:  shared,
			emit: func(f model.Finding) {
				e.complete(&f, tinfo)
				mu.Lock()
				defer mu.Unlock()
				if fl.fold(f) {
					return
				}
				st.Findings++
				sink.Finding(f)
			},
			gap: func(g model.Gap) {
				g.Msg.Args = slices.Clone(g.Msg.Args)
				for i, a := range g.Msg.Args {
					if r := OneLine(a); r != a {
						dbg.printf("%s: gap %s: reason in full: %s", g.Check, g.Path, a)
						g.Msg.Args[i] = r
					}
				}
				g = e.render(g)
				mu.Lock()
				sink.Gap(g)
				mu.Unlock()
			},
		}
	}
	e.planWalk(ctx, t, e.Detectors, envs, par, dbg, slotPauser(sem))
	var wg sync.WaitGroup
	for i, d := range e.Detectors {
		env := envs[i]
		if env == nil {
			continue
		}
		st := &statuses[i]
		wg.Add(1)
		go func(d Detector) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			start := time.Now()
			err := runSafely(ctx, d, env)
			st.Duration = time.Since(start)
			defer func() { progress(*st) }()
			if err != nil {
				var p *panicError
				if errors.As(err, &p) {
					dbg.printf("%s: %v\n%s", d.Name(), err, p.stack)
				}
				st.Status, st.Msg = "failed", model.Msg("engine.check-failed", OneLine(err.Error()))
				st.Reason = e.english(st.Msg)
				env.gap(model.Gap{Check: d.Name(), Kind: model.GapError, Msg: st.Msg})
				return
			}
			st.Status = "ok"
		}(d)
	}
	wg.Wait()
	for _, f := range fl.aggregates() {
		e.complete(&f, tinfo)
		sink.Finding(f)
	}
	return statuses
}

func runSafely(ctx context.Context, d Detector, env *Env) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = recovered(r)
		}
	}()
	if err := ctx.Err(); err != nil {
		return err
	}
	return d.Run(ctx, env)
}

// complete fills catalog defaults, provenance and the fingerprint.
func (e *Engine) complete(f *model.Finding, tinfo model.TargetInfo) {
	if e.Catalog != nil {
		if r, ok := e.Catalog.Rule(f.RuleID); ok {
			if !f.SeveritySet {
				f.Severity = r.Severity
			}
			if !f.ConfidenceSet {
				f.Confidence = r.Confidence
			}
			if f.Category == "" {
				f.Category = r.Category
			}
			if f.Technique == "" {
				f.Technique = r.Technique
			}
		}
	}
	if f.Subject == "" {
		f.Subject = f.Evidence.Path
	}
	if !f.Evidence.Note.IsZero() && f.Evidence.Text == "" {
		f.Evidence.Text = e.english(f.Evidence.Note)
	}
	f.Fingerprint = model.Fingerprint(f.RuleID, tinfo.Key(), f.IdentityKey())
}

// render fills a gap's English reason from its message: JSON readers and
// older tools read "reason"; people read Msg in their language.
func (e *Engine) render(g model.Gap) model.Gap {
	if !g.Msg.IsZero() {
		g.Reason = OneLine(e.english(g.Msg))
	}
	return g
}

// english renders m in English (the id and arguments without a catalog).
func (e *Engine) english(m model.Message) string {
	if e.Catalog == nil {
		return m.String()
	}
	return e.Catalog.Message(catalog.English, m)
}
