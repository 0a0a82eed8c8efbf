package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
