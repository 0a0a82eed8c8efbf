package cli

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/lazyre"
)

// TestRegexpsCompile: every package pattern compiled on first use
// (internal/lazyre) compiles. The command line links every package, so
// each has registered its patterns by the time this runs: what a start-up
// MustCompile used to prove for every command.
func TestRegexpsCompile(t *testing.T) {
	if expr, err := lazyre.CompileAll(); err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	if n := lazyre.Count(); n < 100 {
		t.Fatalf("only %d patterns registered: is the registry filled?", n)
	}
}
