package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/hashcache"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/report"
	"github.com/vigil-ir/vigil/internal/sysinfo"
	"github.com/vigil-ir/vigil/internal/target"
)

// Version is the tool version stamped into results (set by the linker).
var Version = "0.1.0-dev"

// ScanOptions configure a scan.
type ScanOptions struct {
	Target       *target.Target
	Detectors    []engine.Detector
	Catalog      *catalog.Catalog
	Lang         string
	ChangedSince time.Time
	Now          func() time.Time
	// Kind is the command making the run (model.KindScan when empty) and
	// Operator who runs it; both are saved with it.
	Kind, Operator string
	// MaxPerRule bounds the findings of one rule reported one by one
	// (engine.Options.MaxPerRule: 0 default, negative never folds).
	MaxPerRule int
	// Filter, when set, decides which findings reach the handler (display
	// threshold, suppressions, "--new"); the others are counted as
	// suppressed.
	Filter func(model.Finding) bool
	// View, when set, replaces Filter: it may mark the finding it is given
	// and says whether it is shown, hidden, or shown marked as suppressed
	// (counted as suppressed, not in the counts that set the exit status).
	View func(*model.Finding) Verdict
	// Record, when set, receives the whole scan before any filtering: every
	// finding and gap, and a summary counting all findings (the store). Its
	// failure never stops the scan: Scan returns it as a *RecordError
	// after the output is complete.
	Record report.Handler
	// Progress, when set, is called as each check ends; ChecksDone after
	// the last, before the handler's End writes the report.
	Progress   func(done, total int, st model.CheckStatus)
	ChecksDone func()
	// Hashes, when set, keeps the package-integrity check's digests per
	// target between scans (the store); Full rehashes every file anyway.
	Hashes hashcache.Store
	Full   bool
	// Skip names checks not to run (SelectChecks).
	Skip map[string]bool
	// Warn reports a problem that does not stop the scan (stderr), as a
	// message id of the catalog and its arguments.
	Warn func(id string, a ...any)
	// Debug, when set, receives the engine's developer diagnostics
	// (engine.Options.Debug): stacks of recovered panics, whole reasons.
	Debug io.Writer
	// Gaps are notices about the scan's context, reported as its gaps
	// before the checks run (AdvisoryFreshness: the vulnerability data).
	Gaps []model.Gap
}

// Verdict is a View's decision about one finding.
type Verdict int

// Verdicts.
const (
	Show           Verdict = iota // shown and counted
	Hide                          // suppressed: not shown; counted as suppressed
	ShowSuppressed                // shown, marked; counted as suppressed
	Filtered                      // below the display threshold or not new: not shown; counted as hidden
)

// RecordError is the failure of ScanOptions.Record: the scan itself and
// its output are complete.
type RecordError struct{ Err error }

func (e *RecordError) Error() string { return e.Err.Error() }
func (e *RecordError) Unwrap() error { return e.Err }

// Scan runs the detectors over the target and streams the result into h.
// It returns the summary of what reached h.
func Scan(ctx context.Context, opt ScanOptions, h report.Handler) (model.Summary, error) {
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	t := opt.Target
	meta := model.ScanMeta{
		Tool:     "vigil",
		Version:  Version,
		Started:  now().UTC(),
		Target:   sysinfo.Describe(t),
		Lang:     opt.Lang,
		Kind:     opt.Kind,
		Operator: opt.Operator,
	}
	meta.Kind = meta.RunKind()
	meta.ID = meta.Started.Format("20060102T150405.000Z")
	if err := h.Begin(meta); err != nil {
		return model.Summary{}, err
	}
	view := opt.View
	if view == nil && opt.Filter != nil {
		view = func(f *model.Finding) Verdict {
			if opt.Filter(*f) {
				return Show
			}
			return Filtered
		}
	}
	sink := &filterSink{h: h, view: view, counts: map[model.Severity]int{}, errGaps: map[string]int{},
		rec: opt.Record, recCounts: map[model.Severity]int{}}
	if sink.rec != nil {
		sink.recErr = sink.rec.Begin(meta)
	}
	for _, g := range opt.Gaps {
		sink.Gap(g)
	}
	warnf := opt.Warn
	if warnf == nil {
		warnf = func(string, ...any) {}
	}
	hashKey := HashTargetKey(meta.Target)
	hashes := loadHashes(ctx, opt.Hashes, hashKey, meta.Started, opt.Full, warnf)
	facts := loadFacts(ctx, opt.Hashes, hashKey, meta.Started, opt.Full, warnf)
	eng := &engine.Engine{
		Catalog:   opt.Catalog,
		Detectors: opt.Detectors,
		Options: engine.Options{ChangedSince: opt.ChangedSince, Now: now, Progress: opt.Progress, MaxPerRule: opt.MaxPerRule,
			Hashes: hashes, Facts: facts, Skip: opt.Skip, Debug: opt.Debug},
	}
	checks := eng.Run(ctx, t, meta.Target, sink)
	saveHashes(ctx, opt.Hashes, hashKey, hashes, warnf)
	saveFacts(ctx, opt.Hashes, hashKey, facts, warnf)
	if opt.ChecksDone != nil {
		opt.ChecksDone()
	}
	if f, ok := coverageFinding(checks, sink.errGaps); ok {
		f.Category = "scan"
		f.Severity, f.Confidence = model.Info, model.ConfHigh
		f.Fingerprint = model.Fingerprint(f.RuleID, meta.Target.Key(), f.IdentityKey())
		sink.Finding(f)
	}
	if sink.err != nil {
		return model.Summary{}, fmt.Errorf("output: %w", sink.err)
	}
	meta.Finished = now().UTC()
	sum := model.Summary{Counts: sink.counts, Total: sink.total, Suppressed: sink.suppressed, SuppressedCounts: sink.suppCounts, Hidden: sink.hidden, Gaps: sink.gaps, Folded: sink.folded, Checks: checks}
	if err := endWithMeta(h, meta, sum); err != nil {
		return sum, err
	}
	if sink.rec != nil {
		if sink.recErr == nil {
			all := model.Summary{Counts: sink.recCounts, Total: sink.recTotal, Suppressed: sink.suppressed, SuppressedCounts: sink.suppCounts, Gaps: sink.gaps, Folded: sink.folded, Checks: checks}
			sink.recErr = endWithMeta(sink.rec, meta, all)
		}
		if sink.recErr != nil {
			return sum, &RecordError{Err: sink.recErr}
		}
	}
	return sum, nil
}

func endWithMeta(h report.Handler, meta model.ScanMeta, sum model.Summary) error {
	report.UpdateMeta(h, meta)
	return h.End(sum)
}

type filterSink struct {
	h          report.Handler
	view       func(*model.Finding) Verdict
	counts     map[model.Severity]int
	total      int
	suppressed int
	suppCounts map[model.Severity]int // suppressed findings by severity
	hidden     int
	gaps       int
	folded     int            // findings folded into aggregates (engine.FloodRule)
	errGaps    map[string]int // unreadable items per check
	err        error

	rec       report.Handler // unfiltered (the store)
	recCounts map[model.Severity]int
	recTotal  int
	recErr    error
}

func (s *filterSink) Finding(f model.Finding) {
	s.folded += f.Folded
	if s.rec != nil && s.recErr == nil {
		s.recCounts[f.Severity]++
		s.recTotal++
		s.recErr = s.rec.Finding(f)
	}
	v := Show
	if s.view != nil {
		v = s.view(&f)
	}
	switch v {
	case Hide:
		s.suppress(f.Severity)
		return
	case Filtered:
		s.hidden++
		return
	case ShowSuppressed:
		s.suppress(f.Severity)
	default:
		s.counts[f.Severity]++
		s.total++
	}
	if s.err == nil {
		s.err = s.h.Finding(f)
	}
}

// suppress counts a suppressed finding of severity sev.
func (s *filterSink) suppress(sev model.Severity) {
	s.suppressed++
	if s.suppCounts == nil {
		s.suppCounts = map[model.Severity]int{}
	}
	s.suppCounts[sev]++
}

func (s *filterSink) Gap(g model.Gap) {
	s.gaps++
	if g.Kind == model.GapError {
		s.errGaps[g.Check]++
	}
	if s.rec != nil && s.recErr == nil {
		s.recErr = s.rec.Gap(g)
	}
	if s.err == nil {
		s.err = s.h.Gap(g)
	}
}

// ExitCode maps a summary to the documented exit status: 1 when anything
// shown is at or above failOn, else 0.
func ExitCode(sum model.Summary, failOn model.Severity) int {
	for sev, n := range sum.Counts {
		if n > 0 && sev >= failOn {
			return 1
		}
	}
	return 0
}
