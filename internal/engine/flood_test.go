package engine_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// flooder emits n findings of one rule, the last one high, and one of
// another rule.
func flooder(n int) fake {
	return fake{name: "flood", run: func(env *engine.Env) error {
		for i := range n {
			f := model.Finding{RuleID: "scan.coverage.incomplete", Subject: fmt.Sprintf("entry %d", i), Evidence: model.Evidence{Path: "/etc/shadow", Line: i + 1}}
			if i == n-1 {
				f = f.WithSeverity(model.High)
			}
			env.Emit(f)
		}
		env.Emit(model.Finding{RuleID: "other.rule", Subject: "alone"})
		return nil
	}}
}

func TestFloodFolding(t *testing.T) {
	tests := []struct {
		name       string
		max        int
		wantListed int // findings of the flooding rule reported one by one
		wantFolded int
	}{
		{"default limit", 0, engine.DefaultMaxPerRule, 10000 - engine.DefaultMaxPerRule},
		{"custom limit", 5, 5, 9995},
		{"never fold", -1, 10000, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &engine.Engine{Catalog: catalog.MustLoad(), Detectors: []engine.Detector{flooder(10000)},
				Options: engine.Options{MaxPerRule: tt.max}}
			s := &sink{}
			st := e.Run(context.Background(), target.NewUnchecked(t.TempDir(), false), model.TargetInfo{MachineID: "m"}, s)
			listed, other := 0, 0
			var agg []model.Finding
			for _, f := range s.findings {
				switch f.RuleID {
				case "scan.coverage.incomplete":
					listed++
				case engine.FloodRule:
					agg = append(agg, f)
				default:
					other++
				}
			}
			if listed != tt.wantListed || other != 1 {
				t.Fatalf("listed %d of the flooding rule (want %d), %d others (want 1)", listed, tt.wantListed, other)
			}
			if st[0].Findings != listed+other {
				t.Errorf("check status counts %d findings, want %d", st[0].Findings, listed+other)
			}
			if tt.wantFolded == 0 {
				if len(agg) != 0 {
					t.Fatalf("aggregate without folding: %+v", agg)
				}
				return
			}
			if len(agg) != 1 {
				t.Fatalf("%d aggregate findings, want 1", len(agg))
			}
			a := agg[0]
			if a.Folded != tt.wantFolded || a.Evidence.Extra["folded"] != strconv.Itoa(tt.wantFolded) {
				t.Errorf("aggregate folds %d (extra %q), want %d", a.Folded, a.Evidence.Extra["folded"], tt.wantFolded)
			}
			if a.Subject != "scan.coverage.incomplete" || a.Evidence.Path != "/etc/shadow" || a.Fingerprint == "" || a.Detector != "flood@3" {
				t.Errorf("aggregate not completed: %+v", a)
			}
			if a.Severity != model.High {
				t.Errorf("aggregate severity %v, want the most severe folded (high)", a.Severity)
			}
			if a.Category != "scan" {
				t.Errorf("aggregate category %q", a.Category)
			}
		})
	}
}

func TestFloodRuleInCatalog(t *testing.T) {
	c := catalog.MustLoad()
	for _, lang := range []string{catalog.English, catalog.Chinese} {
		f := model.Finding{RuleID: engine.FloodRule}
		c.Localize(&f, lang)
		if f.Title == "" || f.Why == "" || f.Remediation == "" {
			t.Errorf("%s: %s has no texts", lang, engine.FloodRule)
		}
	}
}
