package cli

import (
	"os"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// TestBroadSuppressionAsksForForce: a suppression matching every finding of
// its rules everywhere is refused without --force, with what it would hide
// of the latest scan by severity; the scan summary then names the most
// severe thing hidden, in its colour.
func TestBroadSuppressionAsksForForce(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot)
	db := t.TempDir() + "/vigil.db"
	if r := vigil(t, "ignore", "*", "--reason", "quiet", "--store", db); r.code != ExitError || !strings.Contains(r.err, "--force") {
		t.Errorf("broad suppression on an empty store: exit %d\n%s", r.code, r.err)
	}
	if r := vigil(t, "scan", "--root", root, "--store", db, "--format", "json"); r.code == ExitError {
		t.Fatal(r.err)
	}
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"*"}, []string{"hide 2 of the latest scan's findings", "1 critical, 1 low", "scan 1 (", "--force"}},
		{[]string{"persistence.*"}, []string{"hide 1 of the latest scan's findings", "1 critical", "--path"}},
		{[]string{"*", "--path", "**"}, []string{"hide 2 of"}},
	}
	for _, tt := range tests {
		r := vigil(t, append([]string{"ignore", "--reason", "quiet", "--store", db}, tt.args...)...)
		if r.code != ExitError {
			t.Errorf("ignore %v: exit %d, want refusal", tt.args, r.code)
		}
		for _, w := range tt.want {
			if !strings.Contains(r.err, w) {
				t.Errorf("ignore %v: %q not in\n%s", tt.args, w, r.err)
			}
		}
	}
	if zh := vigil(t, "ignore", "*", "--reason", "quiet", "--store", db, "--lang", "zh-CN"); !strings.Contains(zh.err, "1 项严重") {
		t.Errorf("zh-CN refusal:\n%s", zh.err)
	}
	// Narrow ones need no --force.
	if r := vigil(t, "ignore", "persistence.*", "--path", "/etc/profile.d/*", "--reason", "ok", "--store", db); r.code != ExitOK {
		t.Errorf("narrow suppression: exit %d\n%s", r.code, r.err)
	}
	if r := vigil(t, "ignore", "*", "--reason", "lab host", "--force", "--store", db); r.code != ExitOK || !strings.Contains(r.err, "1 critical") {
		t.Errorf("ignore * --force: exit %d\n%s", r.code, r.err)
	}
	res := decode[model.Result](t, vigil(t, "scan", "--root", root, "--store", db, "--format", "json"))
	if res.Summary.Suppressed != 2 || res.Summary.SuppressedCounts[model.Critical] != 1 || res.Summary.SuppressedCounts[model.Low] != 1 {
		t.Errorf("summary: %+v", res.Summary)
	}
	tab := vigil(t, "scan", "--root", root, "--store", db, "--color", "always")
	if !strings.Contains(tab.out, "\x1b[1;97;41msuppressed: 2 (1 critical)\x1b[0m") {
		t.Errorf("summary does not show the critical suppressed finding in its colour:\n%q", tab.out)
	}
	if show := vigil(t, "show", "latest", "--store", db); !strings.Contains(show.out, "suppressed: 2 (1 critical)") {
		t.Errorf("show:\n%s", show.out)
	}
}

// TestBroadImportAsksForForce: a broad suppression arriving in a file is
// refused like a typed one (nothing of the file is imported), and --force
// imports it saying what it hides.
func TestBroadImportAsksForForce(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot)
	db := t.TempDir() + "/vigil.db"
	if r := vigil(t, "scan", "--root", root, "--store", db, "--format", "json"); r.code == ExitError {
		t.Fatal(r.err)
	}
	file := t.TempDir() + "/team.yaml"
	if err := os.WriteFile(file, []byte("version: 1\nsuppressions:\n- rule: 'persistence.*'\n  path: /etc/profile.d/*\n  reason: ok\n- rule: '*'\n  reason: lab host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := vigil(t, "ignore", "import", file, "--store", db)
	if r.code != ExitError || !strings.Contains(r.err, "--force") || !strings.Contains(r.err, "1 critical") {
		t.Errorf("broad import: exit %d\n%s", r.code, r.err)
	}
	if l := vigil(t, "ignore", "list", "--store", db); strings.Contains(l.out, "profile.d") {
		t.Errorf("a refused import added part of the file:\n%s", l.out)
	}
	if r := vigil(t, "ignore", "import", file, "--force", "--store", db); r.code != ExitOK || !strings.Contains(r.err, "1 critical") {
		t.Errorf("import --force: exit %d\n%s", r.code, r.err)
	}
}
