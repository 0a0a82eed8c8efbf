package cli

import (
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

func TestScanOnlySkip(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot)
	for _, c := range []struct {
		args     []string
		code     int
		skipped  bool   // the fake check is listed as skipped by request
		errorSay string // what a usage error names
	}{
		{args: []string{"--only", "fake"}},
		{args: []string{"--skip", "fake"}, skipped: true},
		{args: []string{"--only", "nosuch,fake"}, code: ExitError, errorSay: "unknown check nosuch; the checks are: fake"},
		{args: []string{"--skip", "integrity"}, code: ExitError, errorSay: "the checks are: fake"},
	} {
		args := append([]string{"scan", "--root", root, "--no-store", "--format", "json", "--fail-on", "none"}, c.args...)
		r := vigil(t, args...)
		if r.code != c.code {
			t.Errorf("%v: exit %d, want %d (stderr %s)", c.args, r.code, c.code, r.err)
			continue
		}
		if c.code != 0 {
			if !strings.Contains(r.err, c.errorSay) {
				t.Errorf("%v: stderr %q does not say %q", c.args, r.err, c.errorSay)
			}
			continue
		}
		res := decode[model.Result](t, r)
		gap := false
		for _, g := range res.Gaps {
			gap = gap || (g.Check == "fake" && g.Kind == model.GapSkipped && strings.Contains(g.Reason, "by request"))
		}
		if gap != c.skipped || (len(res.Findings) == 0) != c.skipped {
			t.Errorf("%v: skipped gap %v, %d findings; want skipped %v", c.args, gap, len(res.Findings), c.skipped)
		}
		if c.skipped && res.Summary.Checks[0].Status != "skipped" {
			t.Errorf("%v: check status %q", c.args, res.Summary.Checks[0].Status)
		}
	}
}
