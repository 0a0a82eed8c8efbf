package webshell

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/lazyre"
)

// TestRegexpsCompile: every pattern of the package compiles (they are
// compiled on first use, not at start-up).
func TestRegexpsCompile(t *testing.T) {
	if expr, err := lazyre.CompileAll(); err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
}
