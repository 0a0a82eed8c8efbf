package cli

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// flooder emits 10,000 findings of one rule (a shadow file of 10,000
// entries without passwd lines).
type flooder struct{}

func (flooder) Name() string    { return "flood" }
func (flooder) Version() int    { return 1 }
func (flooder) NeedsLive() bool { return false }
func (flooder) Rules() []string { return []string{"scan.coverage.incomplete"} }
func (flooder) Run(_ context.Context, env *engine.Env) error {
	for i := range 10000 {
		env.Emit(model.Finding{RuleID: "scan.coverage.incomplete", Subject: fmt.Sprintf("entry%d", i),
			Evidence: model.Evidence{Path: "/etc/shadow", Line: i + 1}}.WithSeverity(model.Medium))
	}
	return nil
}

// TestFloodInJSONAndStore: the JSON of a flooded scan lists the first
// findings of the rule and one aggregate with the count, the summary says
// how many were folded, and a replay from the store says the same.
func TestFloodInJSONAndStore(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot)
	db := t.TempDir() + "/vigil.db"
	ctx := context.WithValue(context.Background(), detectorsKey{}, []engine.Detector{flooder{}})
	var out, errb bytes.Buffer
	if code := Run(ctx, []string{"scan", "--root", root, "--store", db, "--format", "json", "--fail-on", "none"}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	check := func(name string, r model.Result) {
		t.Helper()
		listed, folded := 0, 0
		for _, f := range r.Findings {
			switch f.RuleID {
			case "scan.coverage.incomplete":
				listed++
			case engine.FloodRule:
				folded += f.Folded
				if f.Subject != "scan.coverage.incomplete" || f.Severity != model.Medium || f.Evidence.Path != "/etc/shadow" {
					t.Errorf("%s: aggregate %+v", name, f)
				}
			}
		}
		if listed != engine.DefaultMaxPerRule || folded != 10000-engine.DefaultMaxPerRule || r.Summary.Folded != folded {
			t.Errorf("%s: %d listed, %d folded, summary.folded %d", name, listed, folded, r.Summary.Folded)
		}
	}
	check("scan", decode[model.Result](t, cliResult{out: out.String()}))
	check("show", decode[model.Result](t, vigil(t, "show", "latest", "--store", db, "--format", "json")))
	if tab := vigil(t, "show", "latest", "--store", db); !strings.Contains(tab.out, "9980") {
		t.Errorf("the table does not say how many were folded:\n%s", tab.out)
	}
}

// TestMaxPerRule: --max-per-rule N lists N and folds the rest; 0 never
// folds (it once reached the engine as 0, the engine's "default").
func TestMaxPerRule(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot)
	ctx := context.WithValue(context.Background(), detectorsKey{}, []engine.Detector{flooder{}})
	for _, tc := range []struct {
		flag           string
		listed, folded int
	}{{"5", 5, 9995}, {"0", 10000, 0}} {
		var out, errb bytes.Buffer
		if code := Run(ctx, []string{"scan", "--root", root, "--no-store", "--format", "json", "--fail-on", "none", "--max-per-rule", tc.flag},
			strings.NewReader(""), &out, &errb); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		r := decode[model.Result](t, cliResult{out: out.String()})
		listed := 0
		for _, f := range r.Findings {
			if f.RuleID == "scan.coverage.incomplete" {
				listed++
			}
		}
		if listed != tc.listed || r.Summary.Folded != tc.folded {
			t.Errorf("--max-per-rule %s: %d listed, %d folded; want %d, %d", tc.flag, listed, r.Summary.Folded, tc.listed, tc.folded)
		}
	}
}
