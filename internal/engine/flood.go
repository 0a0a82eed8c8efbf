package engine

import (
	"sort"
	"strconv"

	"github.com/vigil-ir/vigil/internal/model"
)

// FloodRule is the rule of the aggregate finding that stands for the
// findings of one rule beyond Options.MaxPerRule.
const FloodRule = "scan.flood.folded"

// DefaultMaxPerRule is how many findings of one rule a scan reports before
// folding the rest into one aggregate finding.
const DefaultMaxPerRule = 20

// flood folds the findings of a rule beyond a limit: a shadow file of
// 200,000 lines without passwd entries is one report, not 200,000. It is
// used under the engine's sink lock.
type flood struct {
	limit int // <= 0: never fold
	seen  map[string]int
	agg   map[string]*folded
}

// folded accumulates what was folded of one rule.
type folded struct {
	first    model.Finding // the first folded finding: detector, category, technique
	n        int
	sev      model.Severity
	conf     model.Confidence
	path     string // the evidence path they share, "" when they differ
	samePath bool
}

func newFlood(limit int) *flood {
	return &flood{limit: limit, seen: map[string]int{}, agg: map[string]*folded{}}
}

// fold reports whether f is beyond its rule's limit, and if so counts it.
func (fl *flood) fold(f model.Finding) bool {
	if fl.limit <= 0 {
		return false
	}
	fl.seen[f.RuleID]++
	if fl.seen[f.RuleID] <= fl.limit {
		return false
	}
	a := fl.agg[f.RuleID]
	if a == nil {
		a = &folded{first: f, sev: f.Severity, conf: f.Confidence, path: f.Evidence.Path, samePath: true}
		fl.agg[f.RuleID] = a
	}
	a.n++
	a.sev = max(a.sev, f.Severity)
	a.conf = max(a.conf, f.Confidence)
	if f.Evidence.Path != a.path {
		a.samePath = false
	}
	return true
}

// aggregates returns one finding per folded rule, sorted by rule: graded
// as the most severe finding it stands for, so that no filter hides a
// flood of critical findings, with the count in Folded.
func (fl *flood) aggregates() []model.Finding {
	rules := make([]string, 0, len(fl.agg))
	for r := range fl.agg {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	out := make([]model.Finding, 0, len(rules))
	for _, r := range rules {
		a := fl.agg[r]
		ev := model.Evidence{
			Text: r,
			Extra: map[string]string{
				"rule":   r,
				"folded": strconv.Itoa(a.n),
				"shown":  strconv.Itoa(fl.limit),
			},
		}
		if a.samePath {
			ev.Path = a.path
		}
		f := model.Finding{
			RuleID:    FloodRule,
			Subject:   r,
			Technique: a.first.Technique,
			Evidence:  ev,
			Folded:    a.n,
			Detector:  a.first.Detector,
			Key:       "flood:" + r,
		}.WithSeverity(a.sev).WithConfidence(a.conf)
		out = append(out, f)
	}
	return out
}
