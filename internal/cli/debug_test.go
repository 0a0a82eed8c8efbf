package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/testutil"
)

type panicDetector struct{ fakeDetector }

func (panicDetector) Name() string                           { return "panics" }
func (panicDetector) Run(context.Context, *engine.Env) error { panic("boom in a parser") }

// TestDebugLogTakesTheStack: a failed check is one line under "Not
// checked"; its stack is printed only with --debug (stderr or a file).
func TestDebugLogTakesTheStack(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot)
	logFile := filepath.Join(t.TempDir(), "debug.log")
	for _, tc := range []struct {
		name  string
		args  []string
		stack func(stderr string) string
	}{
		{"no debug", nil, nil},
		{"stderr", []string{"--debug"}, func(stderr string) string { return stderr }},
		{"file", []string{"--debug=" + logFile}, func(string) string { b, _ := os.ReadFile(logFile); return string(b) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.WithValue(context.Background(), detectorsKey{}, []engine.Detector{panicDetector{}})
			var out, errb bytes.Buffer
			args := append([]string{"scan", "--root", root, "--no-store", "--progress=never", "--color=never"}, tc.args...)
			Run(ctx, args, strings.NewReader(""), &out, &errb)
			if !strings.Contains(out.String(), "boom in a parser") {
				t.Errorf("the failure's reason is not shown:\n%s", out.String())
			}
			if strings.Contains(out.String(), "goroutine") {
				t.Errorf("a stack trace in the report:\n%s", out.String())
			}
			if tc.stack == nil {
				if strings.Contains(errb.String(), "goroutine") {
					t.Errorf("a stack trace on stderr without --debug:\n%s", errb.String())
				}
				return
			}
			if s := tc.stack(errb.String()); !strings.Contains(s, "goroutine") || !strings.Contains(s, "boom in a parser") {
				t.Errorf("debug log lacks the stack:\n%s", s)
			}
		})
	}
}
