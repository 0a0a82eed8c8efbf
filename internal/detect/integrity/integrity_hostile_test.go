package integrity

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
)

// TestHostileExcludeKeepsCheck is the regression test of the panic fuzzing
// found: a path-exclude line whose glob holds a non-UTF-8 byte inside
// brackets took the whole check down, and a trojaned /usr/bin/ls went
// unreported. The line is an intruder's to write; the check must carry on.
func TestHostileExcludeKeepsCheck(t *testing.T) {
	root := fixture(t, "clean.txtar")
	cfg := filepath.Join(root, "etc/dpkg/dpkg.cfg.d/zz-evil")
	if err := os.WriteFile(cfg, []byte("path-exclude=/usr/[\xff]*\npath-exclude /usr/bin/l[\xc3-\xff]\npath-exclude [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "usr/bin/ls"), []byte("ELF ls, trojaned\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	res := enginetest.Run(t, New(), root, false)
	if res.Status.Status != "ok" {
		t.Fatalf("status %s: %s", res.Status.Status, res.Status.Reason)
	}
	if !res.Has(ruleSystemBinary, "/usr/bin/ls") {
		t.Errorf("modified /usr/bin/ls not reported; findings: %v", res.Rules())
	}
}
