package engine_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

type fake struct {
	name string
	live bool
	run  func(env *engine.Env) error
}

func (f fake) Name() string                                 { return f.name }
func (f fake) Version() int                                 { return 3 }
func (f fake) NeedsLive() bool                              { return f.live }
func (f fake) Rules() []string                              { return []string{"scan.coverage.incomplete"} }
func (f fake) Run(_ context.Context, env *engine.Env) error { return f.run(env) }

type sink struct {
	findings []model.Finding
	gaps     []model.Gap
}

func (s *sink) Finding(f model.Finding) { s.findings = append(s.findings, f) }
func (s *sink) Gap(g model.Gap)         { s.gaps = append(s.gaps, g) }

func TestEngineIsolatesFailuresAndFillsFindings(t *testing.T) {
	var loads atomic.Int32
	load := func(*target.Target, target.Recorder) int { loads.Add(1); return 42 }
	emitter := func(env *engine.Env) error {
		if engine.Shared(env, "k", load) != 42 {
			t.Error("shared value")
		}
		env.Emit(model.Finding{RuleID: "scan.coverage.incomplete", Subject: "x", Evidence: model.Evidence{Path: "/etc/x", PID: 7}})
		env.Emit(model.Finding{RuleID: "scan.coverage.incomplete", Subject: "y"}.WithSeverity(model.Critical))
		return nil
	}
	e := &engine.Engine{Catalog: catalog.MustLoad(), Detectors: []engine.Detector{
		fake{name: "ok", run: emitter},
		fake{name: "ok2", run: emitter},
		fake{name: "fails", run: func(*engine.Env) error { return errors.New("boom") }},
		fake{name: "panics", run: func(*engine.Env) error { panic("oops") }},
		fake{name: "live-only", live: true, run: func(*engine.Env) error { t.Error("live-only ran offline"); return nil }},
	}}
	s := &sink{}
	st := e.Run(context.Background(), target.NewUnchecked(t.TempDir(), false), model.TargetInfo{MachineID: "m"}, s)
	want := map[string]string{"ok": "ok", "ok2": "ok", "fails": "failed", "panics": "failed", "live-only": "not-applicable"}
	for _, c := range st {
		if want[c.Name] != c.Status {
			t.Errorf("check %s status %s, want %s", c.Name, c.Status, want[c.Name])
		}
	}
	if loads.Load() != 1 {
		t.Errorf("shared loader ran %d times", loads.Load())
	}
	if len(s.findings) != 4 {
		t.Fatalf("%d findings", len(s.findings))
	}
	for _, f := range s.findings {
		if f.Category != "scan" || f.Fingerprint == "" || f.Detector == "" {
			t.Errorf("finding not completed: %+v", f)
		}
		if f.Subject == "y" && f.Severity != model.Critical {
			t.Errorf("detector severity overridden by catalog default")
		}
		if f.Subject == "x" && f.Severity != model.Info {
			t.Errorf("catalog default severity not applied: %v", f.Severity)
		}
	}
	gapKinds := map[model.GapKind]int{}
	for _, g := range s.gaps {
		gapKinds[g.Kind]++
	}
	if gapKinds[model.GapError] != 2 || gapKinds[model.GapNotApplicable] != 1 {
		t.Errorf("gaps = %+v", s.gaps)
	}
}

func TestFingerprintStable(t *testing.T) {
	a := model.Finding{RuleID: "r", Subject: "s", Evidence: model.Evidence{Path: "/p", Text: "a  b", PID: 1}}
	b := model.Finding{RuleID: "r", Subject: "s", Evidence: model.Evidence{Path: "/p", Text: "a b", PID: 2}}
	if model.Fingerprint(a.RuleID, "t", a.IdentityKey()) != model.Fingerprint(b.RuleID, "t", b.IdentityKey()) {
		t.Fatal("fingerprint depends on pid or whitespace")
	}
	if model.Fingerprint("r", "t1", "k") == model.Fingerprint("r", "t2", "k") {
		t.Fatal("fingerprint ignores the target")
	}
}
