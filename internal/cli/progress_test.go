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

func TestScanSuppressionsFileWithoutStore(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot)
	setFindings(t, root, "high persistence.ldso.preload /etc/ld.so.preload\ncritical persistence.cron.command /etc/cron.d/x\n")
	file := writeFile(t, "team.yaml", "version: 1\nsuppressions:\n  - rule: persistence.ldso.*\n    path: /etc/ld.so.preload\n    reason: vendor agent (OPS-1)\n")

	r := vigil(t, "scan", "--root", root, "--no-store", "--format", "json", "--suppressions", file)
	res := decode[model.Result](t, r)
	if len(res.Findings) != 1 || res.Findings[0].RuleID != "persistence.cron.command" || res.Summary.Suppressed != 1 {
		t.Fatalf("--suppressions with --no-store: findings %+v summary %+v (stderr %s)", res.Findings, res.Summary, r.err)
	}
	r = vigil(t, "scan", "--root", root, "--no-store", "--format", "json", "--suppressions", file, "--show-suppressed")
	res = decode[model.Result](t, r)
	marked := false
	for _, f := range res.Findings {
		if f.RuleID == "persistence.ldso.preload" && strings.HasPrefix(f.Evidence.Extra["suppressed_by"], "file: vendor agent") {
			marked = true
		}
	}
	if !marked {
		t.Errorf("--show-suppressed did not mark the file-suppressed finding: %+v", res.Findings)
	}
	if r := vigil(t, "scan", "--root", root, "--no-store", "--suppressions", file+".missing"); r.code != ExitError {
		t.Errorf("missing suppressions file: exit %d", r.code)
	}
}
