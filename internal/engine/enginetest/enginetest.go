// Package enginetest runs one detector over a fixture root for tests, and
// checks the contract every detector keeps: it emits only the rule ids it
// declares, and each of those has a complete catalog entry.
package enginetest

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/hashcache"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Now is the fixed clock fixture scans run at.
var Now = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// Result is what one detector produced.
type Result struct {
	Findings []model.Finding
	Gaps     []model.Gap
	Status   model.CheckStatus
}

// Rules returns the rule ids of the findings, sorted, with duplicates.
func (r Result) Rules() []string {
	out := make([]string, 0, len(r.Findings))
	for _, f := range r.Findings {
		out = append(out, f.RuleID)
	}
	sort.Strings(out)
	return out
}

// Has reports whether a finding of rule id has the given subject ("" for
// any subject).
func (r Result) Has(ruleID, subject string) bool {
	for _, f := range r.Findings {
		if f.RuleID == ruleID && (subject == "" || f.Subject == subject) {
			return true
		}
	}
	return false
}

// Find returns the findings of rule id.
func (r Result) Find(ruleID string) []model.Finding {
	var out []model.Finding
	for _, f := range r.Findings {
		if f.RuleID == ruleID {
			out = append(out, f)
		}
	}
	return out
}

// AtLeast returns the findings at or above sev.
func (r Result) AtLeast(sev model.Severity) []model.Finding {
	var out []model.Finding
	for _, f := range r.Findings {
		if f.Severity >= sev {
			out = append(out, f)
		}
	}
	return out
}

type sink struct {
	findings []model.Finding
	gaps     []model.Gap
}

func (s *sink) Finding(f model.Finding) { s.findings = append(s.findings, f) }
func (s *sink) Gap(g model.Gap)         { s.gaps = append(s.gaps, g) }

// Run runs d over the directory root (live selects whether the target counts
// as the running host) with the embedded catalog and a fixed clock.
func Run(t testing.TB, d engine.Detector, root string, live bool) Result {
	t.Helper()
	return RunTarget(t, d, target.NewUnchecked(root, live), engine.Options{})
}

// RunTarget is Run with an explicit target and options.
func RunTarget(t testing.TB, d engine.Detector, tg *target.Target, opt engine.Options) Result {
	t.Helper()
	cat := catalog.MustLoad()
	CheckRules(t, cat, d)
	if opt.Now == nil {
		opt.Now = func() time.Time { return Now }
	}
	eng := &engine.Engine{Catalog: cat, Detectors: []engine.Detector{d}, Options: opt}
	s := &sink{}
	st := eng.Run(context.Background(), tg, model.TargetInfo{Root: tg.Root(), MachineID: "fixture"}, s)
	declared := d.Rules()
	for _, f := range s.findings {
		if !slices.Contains(declared, f.RuleID) && f.RuleID != engine.FloodRule {
			t.Errorf("%s emitted rule %q that it does not declare in Rules()", d.Name(), f.RuleID)
		}
	}
	if st[0].Status == "failed" {
		t.Errorf("%s failed: %s", d.Name(), st[0].Reason)
	}
	return Result{Findings: s.findings, Gaps: s.gaps, Status: st[0]}
}

// CheckRules fails t when a rule d declares has no complete catalog entry.
func CheckRules(t testing.TB, cat *catalog.Catalog, d engine.Detector) {
	t.Helper()
	for _, id := range d.Rules() {
		r, ok := cat.Rule(id)
		if !ok {
			t.Errorf("%s declares rule %q with no catalog entry (rules/checks/*.yaml)", d.Name(), id)
			continue
		}
		for _, lang := range catalog.Languages {
			tx := r.Texts[lang]
			if tx.Title == "" || tx.Why == "" || tx.Verify == "" || tx.Remediation == "" {
				t.Errorf("rule %s: %s text incomplete", id, lang)
			}
		}
	}
}

// RunFacts runs d on the fixture root with fact tables kept in mem
// (engine.Env.Facts), as internal/app does: load each check's table, scan,
// save what a completed pass learnt. at is the scan's clock for the
// tables' trust rules (hashcache.RacyWindow): an hour after the fixture was
// written keeps its files from looking "racy"; full is vigil scan --full.
func RunFacts(t testing.TB, d engine.Detector, root string, mem *hashcache.Memory, at time.Time, full bool) Result {
	t.Helper()
	ctx := context.Background()
	set := hashcache.NewSet(func(check string) *hashcache.Table {
		snap, err := mem.LoadHashes(ctx, check)
		if err != nil {
			t.Fatal(err)
		}
		return hashcache.New(snap, at, full)
	})
	r := RunTarget(t, d, target.NewUnchecked(root, false), engine.Options{Facts: set})
	set.Each(func(check string, tab *hashcache.Table) {
		if s, ok := tab.Result(); ok {
			if err := mem.SaveHashes(ctx, check, s); err != nil {
				t.Fatal(err)
			}
		}
	})
	return r
}

// Summary is one sorted line per finding (rule, subject, severity, hash,
// indicators) and gap: what two runs must agree on to have reported the
// same thing.
func Summary(r Result) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, fmt.Sprintf("%s %s %s %s %v", f.RuleID, f.Subject, f.Severity, f.Evidence.SHA256, f.Indicators))
	}
	for _, g := range r.Gaps {
		out = append(out, fmt.Sprintf("gap %s %s", g.Path, g.Reason))
	}
	slices.Sort(out)
	return out
}
