package cli

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// TestLogsMemory runs vigil logs twice on one root with one store: a log
// that grew, or was rotated by logrotate, is quiet; a log cut between the
// runs is a finding naming both runs.
func TestLogsMemory(t *testing.T) {
	auth := bruteForceAuth()
	root := testutil.RootFromString(t, minimalRoot+"-- var/log/auth.log --\n"+auth+"-- var/log/syslog --\n"+auth)
	db := filepath.Join(t.TempDir(), "vigil.db")
	run := func() map[string]model.Finding {
		t.Helper()
		r := vigil(t, "logs", "--root", root, "--store", db, "-f", "json")
		if r.code != ExitFindings {
			t.Fatalf("exit %d\n%s", r.code, r.err)
		}
		out := map[string]model.Finding{}
		for _, f := range decode[model.Result](t, r).Findings {
			out[f.RuleID+" "+f.Subject] = f
		}
		return out
	}
	first := run()
	for k := range first {
		if k == "logs.tamper.shrank /var/log/auth.log" || k == "logs.tamper.replaced /var/log/auth.log" {
			t.Fatalf("first run: %s", k)
		}
	}
	p := filepath.Join(root, "var/log")
	// syslog is rotated (create); auth.log loses its last lines in place.
	if err := os.Rename(filepath.Join(p, "syslog"), filepath.Join(p, "syslog.1")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p, "syslog"), []byte(auth[:200]), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(filepath.Join(p, "auth.log"), int64(len(auth)-200)); err != nil {
		t.Fatal(err)
	}
	second := run()
	f, ok := second["logs.tamper.shrank /var/log/auth.log"]
	if !ok {
		t.Fatalf("the cut auth.log was not noticed: %v", second)
	}
	if x := f.Evidence.Extra; x["before_run"] == "" || x["after_size"] != strconv.Itoa(len(auth)-200) || x["same_inode"] != "true" {
		t.Errorf("evidence %+v", x)
	}
	for k := range second {
		if k == "logs.tamper.shrank /var/log/syslog" || k == "logs.tamper.replaced /var/log/syslog" {
			t.Errorf("a rotation was judged: %s", k)
		}
	}
}
