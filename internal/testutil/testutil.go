// Package testutil builds fixture roots for tests and compares golden
// files.
//
// A fixture is a txtar archive whose file names are target paths, with
// optional directives after the name:
//
//	-- etc/cron.d/job --              a regular file (mode 0644)
//	-- usr/bin/x mode=4755 --          a file with mode bits (setuid here)
//	-- etc/alt/x -> /usr/bin/y --      a symlink (contents ignored)
//	-- run/fifo fifo --                a named pipe
//	-- var/log/empty/ --               a directory
//	-- etc/shadow mtime=2026-11-20T10:00:00Z --  a file with a modification time
//
// Fixtures live in testdata/*.txtar beside each package; RootFromTxtar
// writes one into a temporary directory and returns it.
package testutil

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/tools/txtar"
)

// Update rewrites golden files instead of comparing (go test -update).
var Update = flag.Bool("update", false, "rewrite golden files")

// RootFromTxtar materialises the txtar file at path into a new temporary
// directory and returns the directory.
func RootFromTxtar(t testing.TB, path string) string {
	t.Helper()
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return RootFromArchive(t, ar)
}

// RootFromString is RootFromTxtar for an archive held in a string.
func RootFromString(t testing.TB, s string) string {
	t.Helper()
	return RootFromArchive(t, txtar.Parse([]byte(s)))
}

// Put writes b (binary content a txtar cannot hold) at target path p of the
// fixture root dir, creating its directories.
func Put(t testing.TB, dir, p string, b []byte) {
	t.Helper()
	if err := writeEntry(dir, txtar.File{Name: p, Data: b}); err != nil {
		t.Fatalf("fixture file %q: %v", p, err)
	}
}

// RootFromArchive writes ar into a new temporary directory.
func RootFromArchive(t testing.TB, ar *txtar.Archive) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range ar.Files {
		if err := writeEntry(dir, f); err != nil {
			t.Fatalf("fixture entry %q: %v", f.Name, err)
		}
	}
	return dir
}

func writeEntry(dir string, f txtar.File) error {
	name := strings.TrimSpace(f.Name)
	if lhs, dest, ok := strings.Cut(name, " -> "); ok {
		p := filepath.Join(dir, filepath.FromSlash(strings.TrimSpace(lhs)))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.Symlink(strings.TrimSpace(dest), p)
	}
	fields := strings.Fields(name)
	rel := fields[0]
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if strings.HasSuffix(rel, "/") {
		return os.MkdirAll(p, 0o755)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	mode := os.FileMode(0o644)
	var mtime time.Time
	fifo := false
	for _, d := range fields[1:] {
		switch {
		case d == "fifo":
			fifo = true
		case strings.HasPrefix(d, "mode="):
			m, err := strconv.ParseUint(strings.TrimPrefix(d, "mode="), 8, 32)
			if err != nil {
				return err
			}
			mode = os.FileMode(m & 0o777)
			if m&0o4000 != 0 {
				mode |= os.ModeSetuid
			}
			if m&0o2000 != 0 {
				mode |= os.ModeSetgid
			}
			if m&0o1000 != 0 {
				mode |= os.ModeSticky
			}
		case strings.HasPrefix(d, "mtime="):
			tm, err := time.Parse(time.RFC3339, strings.TrimPrefix(d, "mtime="))
			if err != nil {
				return err
			}
			mtime = tm
		}
	}
	if fifo {
		return syscall.Mkfifo(p, 0o644)
	}
	if err := os.WriteFile(p, f.Data, 0o644); err != nil {
		return err
	}
	if err := os.Chmod(p, mode); err != nil {
		return err
	}
	if !mtime.IsZero() {
		return os.Chtimes(p, mtime, mtime)
	}
	return nil
}

// Golden compares got with the file at path, or rewrites it with -update.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file %s: %v (run go test -update to create it)", path, err)
	}
	if string(want) != string(got) {
		t.Errorf("output differs from %s (go test -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
