package cli

import (
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

func TestScanProgressAndFinishTime(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot)
	setFindings(t, root, "high persistence.ldso.preload /etc/ld.so.preload\ninfo scan.coverage.incomplete /etc/gshadow\n")

	// Progress goes to stderr only; stdout stays one JSON document.
	r := vigil(t, "scan", "--root", root, "--no-store", "--format", "json", "--progress", "always", "--min-severity", "low")
	res := decode[model.Result](t, r)
	if !strings.Contains(r.err, "[1/1] fake ok") {
		t.Errorf("no progress line on stderr: %q", r.err)
	}
	if res.Meta.Finished.IsZero() || res.Meta.Finished.Before(res.Meta.Started) {
		t.Errorf("scan finish time %v (started %v)", res.Meta.Finished, res.Meta.Started)
	}
	if res.Summary.Hidden != 1 || res.Summary.Suppressed != 0 || res.Summary.Total != 1 {
		t.Errorf("summary %+v: the info finding is hidden by --min-severity, not suppressed", res.Summary)
	}

	// Default (auto) on a non-terminal: nothing on stderr.
	if r := vigil(t, "scan", "--root", root, "--no-store", "--format", "json"); strings.Contains(r.err, "[1/1]") {
		t.Errorf("progress printed to a non-terminal by default: %q", r.err)
	}
	if r := vigil(t, "scan", "--root", root, "--no-store", "--progress", "sometimes"); r.code != ExitError {
		t.Errorf("bad --progress value: exit %d", r.code)
	}
}
