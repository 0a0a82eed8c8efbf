package engine_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// TestPanicStackGoesToDebugLog: a recovered panic is a one-line gap for the
// user; its stack is only in the debug log. A panicking shared loader fails
// the checks that need it, with its reason, and no other.
func TestPanicStackGoesToDebugLog(t *testing.T) {
	var dbg bytes.Buffer
	badLoad := func(*target.Target, target.Recorder) *int { panic("users: corrupt\nsecond line") }
	e := &engine.Engine{Options: engine.Options{Debug: &dbg, Parallel: 1}, Detectors: []engine.Detector{
		fake{name: "panics", run: func(*engine.Env) error { panic("index out of range") }},
		fake{name: "needs-users", run: func(env *engine.Env) error { _ = engine.Shared(env, "users", badLoad); return nil }},
		fake{name: "needs-users-too", run: func(env *engine.Env) error { _ = engine.Shared(env, "users", badLoad); return nil }},
		fake{name: "multi-line", run: func(env *engine.Env) error {
			env.GapMsg(model.GapError, "/etc/x", model.Msg("target.read-error", "first\nsecond\tthird "+strings.Repeat("y", 1000)))
			return nil
		}},
		fake{name: "fine", run: func(*engine.Env) error { return nil }},
	}}
	s := &sink{}
	st := e.Run(context.Background(), target.NewUnchecked(t.TempDir(), false), model.TargetInfo{MachineID: "m"}, s)
	want := map[string]string{"panics": "failed", "needs-users": "failed", "needs-users-too": "failed", "multi-line": "ok", "fine": "ok"}
	for _, c := range st {
		if want[c.Name] != c.Status {
			t.Errorf("check %s status %s, want %s", c.Name, c.Status, want[c.Name])
		}
		if strings.Contains(c.Reason, "\n") {
			t.Errorf("check %s reason has several lines: %q", c.Name, c.Reason)
		}
	}
	for _, g := range s.gaps {
		if strings.ContainsAny(g.Reason, "\n\t") || len(g.Reason) > engine.MaxReason || strings.Contains(g.Reason, "goroutine") {
			t.Errorf("gap reason is not one short line: %q", g.Reason)
		}
		if g.Check == "needs-users" && !strings.Contains(g.Reason, "loading users: users: corrupt") {
			t.Errorf("shared loader's reason lost: %q", g.Reason)
		}
	}
	log := dbg.String()
	for _, w := range []string{"index out of range", "goroutine", "shared inventory users", "reason in full: first\nsecond"} {
		if !strings.Contains(log, w) {
			t.Errorf("debug log lacks %q:\n%s", w, log)
		}
	}
}

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"a\nb\r\n\tc":  "a b c",
		"  x  ":        "x",
		"bad \x1b[31m": "bad [31m",
		"\xff ok":      "\uFFFD ok", // shown as text
		"":             "",
	} {
		if got := engine.OneLine(in); got != want {
			t.Errorf("OneLine(%q) = %q, want %q", in, got, want)
		}
	}
}
