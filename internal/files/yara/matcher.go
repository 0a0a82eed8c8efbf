package yara

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-ir/vigil/internal/files"
	"github.com/vigil-ir/vigil/internal/model"
)

// Matcher is the YARA matcher of the file walk: every non-empty regular
// file's content (the walk's bounded prefix) is scanned with the compiled
// rules. It is safe for concurrent use: each walk worker borrows its own
// scanner from a pool, and all share the one compiled rule set.
type Matcher struct {
	rules   *Rules
	bad     []CompileError
	timeout time.Duration
	pool    sync.Pool
	once    sync.Once
	scanned atomic.Int64
}

// Scanned is how many files were handed to libyara (the others were
// passed over by the prefilter, or not wanted).
func (y *Matcher) Scanned() int64 { return y.scanned.Load() }

// NewMatcher makes the matcher for a compiled set. bad are the rule files
// that did not compile (Load's CompileErrors): the matcher reports each as a
// gap once, so the scan's result says which rules did not run.
func NewMatcher(r *Rules, bad []CompileError, timeout time.Duration) *Matcher {
	return &Matcher{rules: r, bad: bad, timeout: timeout}
}

// Name implements files.Matcher.
func (*Matcher) Name() string { return "yara" }

// Rules implements files.Matcher: every rule id a YARA hit can have.
func (*Matcher) Rules() []string { return RuleIDs() }

// RuleIDs are the catalog rule ids of YARA hits on files.
func RuleIDs() []string {
	out := make([]string, 0, len(Families)+1)
	for _, f := range Families {
		out = append(out, RuleMeta{Family: f}.RuleID())
	}
	return append(out, RuleMeta{}.RuleID())
}

// Wants implements files.Matcher: the content of every non-empty file.
// A file of a size no rule allows (filesize bounds) is not wanted.
func (y *Matcher) Wants(m *files.Meta) files.Want {
	return files.Want{Content: m.Size > 0 && y.rules.pre.SizeMayMatch(m.Size)}
}

// Match implements files.Matcher. A file the prefilter shows no rule can
// match is not handed to libyara.
func (y *Matcher) Match(f *files.File, r files.Reporter) {
	y.reportBad(r)
	if !y.rules.pre.MayMatch(f.Content, f.Tail, f.Size) {
		return
	}
	y.scanned.Add(1)
	s, err := y.scanner()
	if err != nil {
		r.GapMsg(model.GapError, f.Path, model.Msg("yara.gap.scan", err))
		return
	}
	defer y.pool.Put(s)
	// One scan of the head and, for a file larger than the content limit,
	// its end (where payloads are appended), with the file's real size.
	ms, err := s.ScanFile(f.Content, f.Tail, f.TailOffset, f.Size, FileInfo{Path: f.Path})
	switch {
	case errors.Is(err, ErrTimeout):
		r.GapMsg(model.GapSkipped, f.Path, model.Msg("yara.gap.timeout", s.timeout.String()))
	case err != nil:
		r.GapMsg(model.GapError, f.Path, model.Msg("yara.gap.scan", err))
	}
	for _, m := range ms {
		r.Hit(Hit(m))
	}
}

// Finish implements files.Finisher: the compile errors are reported even
// when the walk met no file.
func (y *Matcher) Finish(r files.Reporter) { y.reportBad(r) }

func (y *Matcher) reportBad(r files.Reporter) {
	y.once.Do(func() { CompileGaps(r, y.bad) })
}

// CompileGaps records each rule file that did not compile as a gap at its
// path: file:line and libyara's error.
func CompileGaps(r interface {
	GapMsg(model.GapKind, string, model.Message)
}, bad []CompileError) {
	for _, ce := range bad {
		r.GapMsg(model.GapError, ce.File, model.Msg("yara.gap.compile", ce.File, strconv.Itoa(ce.Line), ce.Text))
	}
}

func (y *Matcher) scanner() (*Scanner, error) {
	if s, ok := y.pool.Get().(*Scanner); ok {
		return s, nil
	}
	return y.rules.NewScanner(y.timeout)
}

// Hit turns a match on a file into the walk's hit: the rule id of its
// family, the rule's own grading, the first string's offset, and the rule
// name with the matched strings as text.
func Hit(m Match) files.Hit {
	h := files.Hit{Rule: m.Rule.RuleID(), Text: EvidenceText(m), Extra: Extra(m)}
	if len(m.Strings) > 0 {
		h.Offset = m.Strings[0].Offset
	}
	h.Technique = m.Rule.Technique
	if m.Rule.SeveritySet || m.Rule.ConfSet {
		h.Severity, h.Confidence = m.Rule.grade()
		h.Graded = true
	}
	return h
}

// grade is the rule's severity and confidence, the catalog's defaults for
// its rule id where the rule's meta does not say.
func (m RuleMeta) grade() (model.Severity, model.Confidence) {
	sev, conf := model.Critical, model.ConfHigh
	switch m.RuleID() {
	case "files.yara.packer":
		sev = model.Medium
	case "files.yara.miner":
		sev = model.High
	case "files.yara.match":
		sev, conf = model.High, model.ConfMedium
	}
	if m.SeveritySet {
		sev = m.Severity
	}
	if m.ConfSet {
		conf = m.Confidence
	}
	return sev, conf
}
