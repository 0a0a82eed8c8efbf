package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/vigil-ir/vigil/internal/testutil"
)

// runVigil runs one command line and returns its exit code and output.
func runVigil(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestContainQuarantineSession(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the quarantine keeps owners: needs root")
	}
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	file := filepath.Join(root, "tmp", ".x", "implant")
	os.MkdirAll(filepath.Dir(file), 0o755)
	os.WriteFile(file, []byte("payload"), 0o755)
	db := filepath.Join(dir, "state", "vigil.db")

	code, out, errs := runVigil(t, "contain", "quarantine", "/tmp/.x/implant", "--root", root, "--store", db)
	if code != 0 || !strings.Contains(out, "/tmp/.x/implant") || !strings.Contains(out, "--apply") {
		t.Fatalf("plan: %d\n%s%s", code, out, errs)
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatal("the plan changed the target")
	}
	code, out, errs = runVigil(t, "contain", "quarantine", "/tmp/.x/implant", "--root", root, "--store", db, "--apply")
	if code != 0 || !strings.Contains(out, "vigil undo 1") {
		t.Fatalf("apply: %d\n%s%s", code, out, errs)
	}
	if _, err := os.Stat(file); err == nil {
		t.Fatal("the file is still there")
	}
	_, out, _ = runVigil(t, "quarantine", "list", "--store", db)
	if !strings.Contains(out, "/tmp/.x/implant") {
		t.Errorf("quarantine list:\n%s", out)
	}
	_, out, _ = runVigil(t, "actions", "--store", db, "-f", "json")
	var acts []struct {
		ID    int64
		State string
	}
	if err := json.Unmarshal([]byte(out), &acts); err != nil || len(acts) != 1 || acts[0].State != "applied" {
		t.Fatalf("actions: %v\n%s", err, out)
	}
	if code, out, errs = runVigil(t, "quarantine", "restore", "1", "--store", db); code != 0 {
		t.Fatalf("restore: %d %s%s", code, out, errs)
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "payload" {
		t.Fatalf("restored: %q %v", b, err)
	}
	// Idempotent: undo again, and undo --all, do nothing and succeed.
	if code, out, _ = runVigil(t, "undo", "1", "--store", db); code != 0 || !strings.Contains(out, "nothing to do") {
		t.Errorf("second undo: %d %s", code, out)
	}
	if code, out, _ = runVigil(t, "undo", "--all", "--store", db); code != 0 {
		t.Errorf("undo --all: %d %s", code, out)
	}
	if code, _, _ = runVigil(t, "undo", "--store", db); code != ExitError {
		t.Errorf("undo without ids or --all: exit %d", code)
	}
	// The store inside the target is refused.
	if code, _, _ = runVigil(t, "contain", "quarantine", "/tmp/.x/implant", "--root", root, "--store", filepath.Join(root, "v.db")); code != ExitError {
		t.Errorf("store inside the root: exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(root, "v.db")); err == nil {
		t.Error("a store was created inside the target")
	}
}

// TestFromScanRoundTrip scans the incident root, applies every action the
// scan's high findings call for, and undoes them all: the root is then
// byte for byte what it was.
func TestFromScanRoundTrip(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the quarantine keeps owners: needs root")
	}
	root := testutil.RootFromTxtar(t, "../e2e/testdata/incident.txtar")
	dir := t.TempDir()
	db := filepath.Join(dir, "state", "vigil.db")
	before := treeDigest(t, root)
	code, out, errs := runVigil(t, "scan", "--root", root, "--format", "json", "--no-store")
	if code == ExitError {
		t.Fatalf("scan: %s", errs)
	}
	scanFile := filepath.Join(dir, "scan.json")
	os.WriteFile(scanFile, []byte(out), 0o600)
	code, out, errs = runVigil(t, "contain", "--from-scan", scanFile, "--store", db, "--apply")
	if code != 0 {
		t.Fatalf("contain --from-scan: %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(out, "vigil contain disable /etc/ld.so.preload --line 1") || strings.Count(out, "applied and verified") < 10 {
		t.Errorf("from-scan:\n%s%s", out, errs)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "etc/ld.so.preload")); len(b) != 0 {
		t.Errorf("ld.so.preload still holds %q", b)
	}
	if code, out, errs = runVigil(t, "undo", "--all", "--store", db); code != 0 {
		t.Fatalf("undo --all: %d\n%s%s", code, out, errs)
	}
	if after := treeDigest(t, root); after != before {
		t.Errorf("the root differs after undo --all:\n%s", diffLines(before, after))
	}
}

// treeDigest lists every entry of a tree with its type, mode, owner and
// content (or link destination), sorted; the password lock file that
// locking an account creates (as shadow-utils does) is left out.
func treeDigest(t *testing.T, root string) string {
	var lines []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root || strings.HasSuffix(p, "/etc/.pwd.lock") {
			return nil
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return nil
		}
		st := fi.Sys().(*syscall.Stat_t)
		line := fmt.Sprintf("%s %v %d:%d", strings.TrimPrefix(p, root), fi.Mode(), st.Uid, st.Gid)
		if !fi.IsDir() { // a directory's mtime moves when an entry leaves and comes back
			line += fmt.Sprint(" ", fi.ModTime().UnixNano())
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			line += " -> " + l
		case fi.Mode().IsRegular():
			b, _ := os.ReadFile(p)
			line += fmt.Sprintf(" %x", sha256.Sum256(b))
		}
		lines = append(lines, line)
		return nil
	})
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func diffLines(a, b string) string {
	in := map[string]bool{}
	for _, l := range strings.Split(a, "\n") {
		in[l] = true
	}
	var out []string
	for _, l := range strings.Split(b, "\n") {
		if !in[l] {
			out = append(out, "+ "+l)
		}
		delete(in, l)
	}
	for l := range in {
		out = append(out, "- "+l)
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}
