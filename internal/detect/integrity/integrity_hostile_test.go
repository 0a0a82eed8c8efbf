package integrity

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
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

// TestHostileInput plants hostile versions of the files the check parses
// (dpkg filters and database) next to a trojaned /usr/bin/ls.
func TestHostileInput(t *testing.T) {
	enginetest.Hostile{
		Detector: New(),
		Root: func(t testing.TB) string {
			root := fixture(t, "clean.txtar")
			if err := os.WriteFile(filepath.Join(root, "usr/bin/ls"), []byte("ELF ls, trojaned\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			return root
		},
		Trace: []enginetest.Want{{Rule: ruleSystemBinary, Subject: "/usr/bin/ls", Severity: model.Critical}},
		Files: []string{"/etc/dpkg/dpkg.cfg", "/etc/dpkg/dpkg.cfg.d/", "/var/lib/dpkg/status", "/var/lib/dpkg/diversions", "/var/lib/dpkg/info/coreutils.list", "/var/lib/dpkg/info/coreutils.md5sums", "/var/lib/dpkg/info/"},
		Needs: []string{"/var/lib/dpkg/status", "/var/lib/dpkg/info/coreutils.list", "/var/lib/dpkg/info/coreutils.md5sums"},
	}.Run(t)
}
