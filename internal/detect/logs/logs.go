package logs

import (
	"context"
	"io"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/ioc"
	lsrc "github.com/vigil-ir/vigil/internal/logs"
	"github.com/vigil-ir/vigil/internal/logs/rules"
	"github.com/vigil-ir/vigil/internal/logs/sigma"
	"github.com/vigil-ir/vigil/internal/model"
)

// RuleCoverage is the info finding that reports what one log covered.
const RuleCoverage = "logs.source.coverage"

// Options say what to read and how to judge it.
type Options struct {
	// Files are log files inside the target ("-" is Stdin); empty reads
	// the standard places (internal/logs.Discover).
	Files []string
	// Format of Files ("" guesses from each name: auth unless the name
	// says syslog, cron, an access log ...).
	Format string
	Stdin  io.Reader
	// Since and Until bound the events judged (zero: unbounded).
	Since, Until time.Time
	Rules        rules.Config
	// Sigma rules evaluated on every event (nil: none); the files that did
	// not load are reported as gaps.
	Sigma *sigma.Set
	// IOCs, when set, are indicator lists (--ioc) matched in every event;
	// what the lists could not use is reported as gaps.
	IOCs *ioc.Set
	// Observers judge every event beside the built-in rules;
	// ObserverRules are the rule ids they can emit.
	Observers     []rules.Observer
	ObserverRules []string
	// OnEvent, when set, also receives every event judged (the timeline);
	// the event is valid during the call only (copy it to keep it).
	OnEvent func(*model.Event)
	// OnCoverage, when set, receives each log's coverage after it is read.
	OnCoverage func(lsrc.Coverage)
	// Memory, when set, holds what earlier runs saw of the logs' files: a
	// log that shrank or was replaced since is reported (memory.go).
	Memory Memory
}

// Detector runs the log rules over a target's logs.
type Detector struct{ opt Options }

// New returns the detector.
func New(opt Options) *Detector { return &Detector{opt: opt} }

// Name implements engine.Detector.
func (*Detector) Name() string { return "logs" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 1 }

// NeedsLive implements engine.Detector.
func (*Detector) NeedsLive() bool { return false }

// Rules implements engine.Detector.
func (d *Detector) Rules() []string {
	ids := append([]string{RuleCoverage}, rules.IDs()...)
	ids = append(ids, sigma.IDs()...)
	ids = append(ids, RuleIOC, RuleShrank, RuleReplaced)
	return append(ids, d.opt.ObserverRules...)
}

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	set := rules.New(d.opt.Rules)
	if d.opt.Sigma != nil {
		for _, p := range d.opt.Sigma.Problems {
			env.GapMsg(model.GapError, p.File, model.Msg("logs.gap.sigma", p.Err))
		}
		if d.opt.Sigma.Len() > 0 {
			set.Add(d.opt.Sigma)
		}
	}
	if d.opt.IOCs != nil {
		ioc.ProblemGaps(env, d.opt.IOCs.Problems)
		set.Add(IOCs{Set: d.opt.IOCs})
	}
	for _, o := range d.opt.Observers {
		set.Add(o)
	}
	ropt := lsrc.Options{Stdin: d.opt.Stdin, Context: ctx, Now: env.Now()}
	srcs := d.sources(env)
	if len(d.opt.Files) == 0 && !hasAuthLog(srcs) {
		// The SSH, sudo, su and account rules read nothing: a host that
		// keeps no authentication log must not look like a quiet one.
		env.GapMsg(model.GapNotApplicable, "/var/log/auth.log", model.Msg("logs.gap.no-auth-log"))
	}
	d.compareMemory(env, srcs)
	// A journal beside auth.log holds the same sshd lines: one copy counts.
	var dedup *lsrc.Dedup
	if lsrc.NeedsDedup(srcs) {
		dedup = lsrc.NewDedup(0)
	}
	var mu sync.Mutex
	rec := lockedRec{mu: &mu, rec: env}
	stream := make(chan item, 8)
	free := make(chan []model.Event, 16) // batches to reuse: the reader rarely needs more at once
	go d.readAll(env.Target, rec, srcs, ropt, stream, free)
	var readErr error
	for it := range stream {
		src := srcs[it.src]
		switch {
		case it.err != nil:
			readErr = it.err
		case it.begin:
			set.Begin(src.Name, logFiles(src))
		case it.cov != nil:
			cov := *it.cov
			set.End(src.Name, cov.Cut)
			if dedup != nil {
				cov.Duplicates = dedup.Dropped(src.Name)
			}
			mu.Lock()
			env.Emit(coverageFinding(cov))
			mu.Unlock()
			if d.opt.OnCoverage != nil {
				d.opt.OnCoverage(cov)
			}
		default:
			for j := range it.evs {
				ev := &it.evs[j]
				if dedup != nil && dedup.Duplicate(it.src, src.Name, ev) {
					continue
				}
				set.Observe(ev)
				if d.opt.OnEvent != nil {
					d.opt.OnEvent(ev)
				}
			}
			select {
			case free <- it.evs:
			default:
			}
		}
	}
	if readErr != nil {
		return readErr
	}
	if dedup != nil && dedup.Capped() {
		env.GapMsg(model.GapSkipped, "", model.Msg("logs.gap.dedup-capped"))
	}
	for _, f := range set.Finish() {
		env.Emit(f)
	}
	for _, m := range set.Problems() {
		env.GapMsg(model.GapSkipped, "", m)
	}
	return nil
}

// sources are the logs to read: the given files (each with its rotated
// siblings) or the standard places.
func (d *Detector) sources(env *engine.Env) []lsrc.Source {
	if len(d.opt.Files) == 0 {
		return lsrc.Discover(env.Target)
	}
	var out []lsrc.Source
	for _, f := range d.opt.Files {
		format := d.opt.Format
		if format == "" {
			format = GuessFormat(f)
		}
		if !lsrc.Supported(format) {
			env.GapMsg(model.GapSkipped, f, model.Msg("logs.gap.format", format))
			continue
		}
		if f == "-" {
			out = append(out, lsrc.Source{Name: "-", Format: format})
			continue
		}
		src, ok := lsrc.Rotated(env.Target, f, format)
		if !ok && len(src.Skipped) == 0 {
			env.GapMsg(model.GapError, f, model.Msg("logs.gap.no-file"))
			continue
		}
		out = append(out, src)
	}
	return out
}

// logFiles are the files of src as the rules know them.
func logFiles(src lsrc.Source) []rules.LogFile {
	out := make([]rules.LogFile, len(src.Files))
	for i, f := range src.Files {
		out[i] = rules.LogFile{Path: f.Path, Rotation: f.Rotation}
	}
	return out
}

// GuessFormat names the format of a log from its file name.
func GuessFormat(p string) string {
	b := strings.ToLower(path.Base(p))
	switch {
	case strings.Contains(b, "access"):
		return lsrc.FormatWebAccess
	case strings.Contains(b, "error"):
		return lsrc.FormatWebError
	case strings.HasPrefix(b, "audit"):
		return lsrc.FormatAudit
	case strings.HasPrefix(b, "dpkg"):
		return lsrc.FormatDpkg
	case strings.HasPrefix(b, "wtmp"):
		return lsrc.FormatWtmp
	case strings.HasPrefix(b, "btmp"):
		return lsrc.FormatBtmp
	case strings.HasSuffix(b, ".journal") || strings.HasSuffix(b, ".journal~"):
		return lsrc.FormatJournal
	case strings.HasPrefix(b, "syslog") || strings.HasPrefix(b, "messages"):
		return lsrc.FormatSyslog
	case strings.HasPrefix(b, "cron"):
		return lsrc.FormatCron
	}
	return lsrc.FormatAuth
}

// coverageFinding reports what one log covered.
func coverageFinding(c lsrc.Coverage) model.Finding {
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	ev := model.Evidence{
		Path: c.Name,
		Note: model.Msg("logs.note.coverage", c.Format, n(c.Lines), n(c.Parsed), n(c.Unparsed), n(c.Events), c.Files),
		Extra: map[string]string{
			"format": c.Format, "files": strconv.Itoa(c.Files), "lines": n(c.Lines), "parsed": n(c.Parsed),
			"unparsed": n(c.Unparsed), "events": n(c.Events), "clipped": n(c.Clipped), "invalid_utf8": n(c.Invalid),
			"errors": n(c.Errors), "skipped": n(c.Skipped),
		},
	}
	if c.Duplicates > 0 {
		ev.Extra["duplicates"] = n(c.Duplicates)
	}
	if !c.First.IsZero() {
		ev.Extra["first_time"] = c.First.UTC().Format(time.RFC3339)
		ev.Extra["last_time"] = c.Last.UTC().Format(time.RFC3339)
	}
	for i, s := range c.Samples {
		ev.Extra["unparsed_sample_"+strconv.Itoa(i+1)] = s
	}
	f := model.Finding{RuleID: RuleCoverage, Subject: c.Name, Evidence: ev, Key: "coverage\x00" + c.Name}
	return f.WithSeverity(model.Info).WithConfidence(model.ConfHigh)
}

// hasAuthLog reports whether srcs hold a log with the authentication
// messages (auth.log or secure, or a systemd journal) and a file to read.
func hasAuthLog(srcs []lsrc.Source) bool {
	for _, s := range srcs {
		if (s.Format == lsrc.FormatAuth || s.Format == lsrc.FormatJournal) && len(s.Files) > 0 {
			return true
		}
	}
	return false
}
