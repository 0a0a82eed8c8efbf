package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestContainStatusWatchEnds: the watch loop ends by itself when there is
// no isolation to watch (the namespace tests of internal/contain/netfw
// exercise the repair itself).
func TestContainStatusWatchEnds(t *testing.T) {
	db := filepath.Join(t.TempDir(), "state", "vigil.db")
	code, out, errs := runVigil(t, "contain", "status", "--watch", "10ms", "--repair", "--store", db)
	if code != 0 || strings.Count(out, "\n") != 1 {
		t.Errorf("status --watch without an isolation: %d\n%s%s", code, out, errs)
	}
}
