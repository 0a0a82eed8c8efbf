package ioc

import (
	"strconv"
	"sync"

	"github.com/vigil-ir/vigil/internal/files"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// Rule ids of indicator hits on files.
const (
	RuleHash = "files.ioc.hash" // a file's MD5, SHA-1 or SHA-256 is listed
	RuleName = "files.ioc.name" // a file's name or whole path is listed
)

// Matcher is the file walk's matcher for the hash, name and path
// indicators of a Set: hashes are the walk's digests (computed once per
// file) looked up in the set, names and paths are looked up from the
// metadata. Safe for concurrent use (the Set is read-only).
type Matcher struct {
	set  *Set
	once sync.Once
}

// NewMatcher makes the matcher; nil when the set holds no file indicator.
func NewMatcher(s *Set) *Matcher {
	if s == nil {
		return nil
	}
	return &Matcher{set: s}
}

// Name implements files.Matcher.
func (*Matcher) Name() string { return "ioc" }

// Rules implements files.Matcher.
func (*Matcher) Rules() []string { return RuleIDs() }

// RuleIDs are the catalog rule ids of indicator hits on files.
func RuleIDs() []string { return []string{RuleHash, RuleName} }

func (m *Matcher) extra() files.Hash {
	var h files.Hash
	if m.set.HasHashes(MD5) {
		h |= files.MD5
	}
	if m.set.HasHashes(SHA1) {
		h |= files.SHA1
	}
	return h
}

// Wants implements files.Matcher: the digests of every non-empty file when
// hashes are listed; a file whose name or path is listed is read (and
// hashed) for the evidence.
func (m *Matcher) Wants(meta *files.Meta) files.Want {
	hashes := m.set.HasHashes(MD5) || m.set.HasHashes(SHA1) || m.set.HasHashes(SHA256)
	if hashes && meta.Size > 0 {
		return files.Want{Digest: true, Hashes: m.extra()}
	}
	if _, ok := m.set.LookupName(meta.Name); ok {
		return files.Want{Digest: true}
	}
	if _, ok := m.set.LookupPath(meta.Path); ok {
		return files.Want{Digest: true}
	}
	return files.Want{}
}

// Match implements files.Matcher.
func (m *Matcher) Match(f *files.File, r files.Reporter) {
	m.reportProblems(r)
	for _, d := range []string{f.SHA256, f.SHA1, f.MD5} {
		if d == "" {
			continue
		}
		if ind, ok := m.set.LookupHash(d); ok {
			r.Hit(hit(RuleHash, ind, model.High, model.ConfHigh))
			break
		}
	}
	if ind, ok := m.set.LookupPath(f.Path); ok {
		r.Hit(hit(RuleName, ind, model.High, model.ConfMedium))
	} else if ind, ok := m.set.LookupName(f.Name); ok {
		r.Hit(hit(RuleName, ind, model.Medium, model.ConfMedium))
	}
}

// Finish implements files.Finisher: the entries the lists had that are not
// indicators are reported once.
func (m *Matcher) Finish(r files.Reporter) { m.reportProblems(r) }

func (m *Matcher) reportProblems(r files.Reporter) {
	m.once.Do(func() { ProblemGaps(r, m.set.Problems) })
}

// ProblemGaps records the entries of the lists that could not be used.
func ProblemGaps(r interface {
	GapMsg(model.GapKind, string, model.Message)
}, ps []Problem) {
	for _, p := range ps {
		r.GapMsg(model.GapSkipped, p.List, model.Msg("ioc.gap."+p.Kind, p.List, strconv.Itoa(p.Line), p.Detail))
	}
}

func hit(rule string, ind Indicator, sev model.Severity, conf model.Confidence) files.Hit {
	return files.Hit{
		Rule:       rule,
		Text:       string(ind.Type) + " " + ind.Value,
		Severity:   sev,
		Confidence: conf,
		Graded:     true,
		Extra:      Extra(ind),
	}
}

// Extra is the indicator's citation for a finding's extra facts: the list
// file and line, the type and value, and the list's description.
func Extra(ind Indicator) map[string]string {
	x := map[string]string{
		"ioc_list":  ind.List,
		"ioc_line":  strconv.Itoa(ind.Line),
		"ioc_type":  string(ind.Type),
		"ioc_value": textclip.Clip(ind.Value, 200),
	}
	if ind.Desc != "" {
		x["ioc_description"] = ind.Desc
	}
	return x
}
