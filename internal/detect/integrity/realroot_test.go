package integrity

import (
	"os"
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
)

// TestRealRoot runs the detector over a real root (VIGIL_E2E_ROOT, e.g.
// the debootstrap root of scripts/debian-root.sh) and requires no finding
// at medium or above: a stock Debian server must verify clean.
func TestRealRoot(t *testing.T) {
	dir := os.Getenv("VIGIL_E2E_ROOT")
	if dir == "" {
		t.Skip("VIGIL_E2E_ROOT not set")
	}
	res := enginetest.Run(t, New(), dir, false)
	for _, f := range res.Findings {
		t.Logf("%s %s %s %v %v", f.Severity, f.RuleID, f.Subject, f.Indicators, f.Evidence.Extra)
	}
	for _, g := range res.Gaps {
		t.Logf("gap %s %s %s", g.Kind, g.Path, g.Reason)
	}
	t.Logf("status %+v", res.Status)
	if os.Getenv("VIGIL_E2E_ALLOW") == "" && len(res.AtLeast(2)) > 0 {
		t.Errorf("%d findings at medium or above on a clean root", len(res.AtLeast(2)))
	}
}

func BenchmarkRealRoot(b *testing.B) {
	dir := os.Getenv("VIGIL_E2E_ROOT")
	if dir == "" {
		b.Skip("VIGIL_E2E_ROOT not set")
	}
	for b.Loop() {
		enginetest.Run(b, New(), dir, false)
	}
}
