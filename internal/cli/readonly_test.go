package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/store/storetest"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// TestReadOnlyStoreCanBeQueried: a store file of mode 0444 in a directory
// of mode 0555 (write-protected media, a copy handed over read-only) can be
// queried with scans, findings, show and diff, and nothing is written
// beside it. It runs unprivileged: root writes anywhere.
func TestReadOnlyStoreCanBeQueried(t *testing.T) {
	if !storetest.Unprivileged(t) {
		return
	}
	root := testutil.RootFromString(t, minimalRoot)
	dir := filepath.Join(t.TempDir(), "media")
	db := filepath.Join(dir, "vigil.db")
	for range 2 {
		if r := vigil(t, "scan", "--root", root, "--store", db, "--format", "json"); r.code == ExitError {
			t.Fatalf("scan: %s", r.err)
		}
	}
	if r := vigil(t, "ignore", "scan.coverage.incomplete", "--reason", "lab", "--until", "1h", "--store", db); r.code != ExitOK {
		t.Fatalf("ignore: %s", r.err)
	}
	if err := os.Chmod(db, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	before := snapshot(t, dir)
	for _, args := range [][]string{
		{"scans"},
		{"scans", "--format", "json"},
		{"findings"},
		{"findings", "--state", "suppressed"},
		{"show", "latest"},
		{"show", "1", "--format", "json"},
		{"diff"},
		{"diff", "1", "2", "--format", "json"},
	} {
		r := vigil(t, append(args, "--store", db)...)
		if r.code == ExitError || strings.Contains(r.err, "warning") {
			t.Errorf("%v on a read-only store: exit %d\n%s", args, r.code, r.err)
		}
	}
	if f := vigil(t, "findings", "--store", db); strings.Contains(f.out, "gshadow") {
		t.Errorf("the store's suppression is not applied on a read-only store:\n%s", f.out)
	}
	if after := snapshot(t, dir); after != before {
		t.Errorf("querying wrote beside the store:\n%s\n---\n%s", before, after)
	}
	// Writing commands say why they cannot.
	if r := vigil(t, "ignore", "ssh.sshd.root-login", "--reason", "x", "--store", db); r.code != ExitError {
		t.Errorf("ignore on a read-only store: exit %d", r.code)
	}
}
