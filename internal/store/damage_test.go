package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store/storetest"
)

// damagedStore returns a store file made by corrupt from a good store of
// 2,000 findings.
func damagedStore(t *testing.T, corrupt func(good []byte) []byte) string {
	t.Helper()
	s, path := openTemp(t)
	save(t, s, storetest.Result(t0, storetest.Many(2000, "a"), "check"), false)
	if err := s.Close(); err != nil { // checkpoints the WAL into the file
		t.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "damaged.db")
	if err := os.WriteFile(bad, corrupt(good), 0o600); err != nil {
		t.Fatal(err)
	}
	return bad
}

// useStore runs what a scan does with a store and returns the first error.
func useStore(path string) error {
	ctx := context.Background()
	s, err := Open(ctx, path, Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Suppressions(ctx, false, Actor{User: "root"}); err != nil {
		return err
	}
	if _, _, err := s.Reference(ctx, model.KindScan, storetest.Target.ID(), 0); err != nil {
		return err
	}
	if _, err := s.Result(ctx, 1); err != nil {
		return err
	}
	_, err = s.SaveScan(ctx, storetest.Result(t0.Add(time.Hour), storetest.Many(10, "b"), "check"), SaveOptions{})
	return err
}

func TestDamagedStores(t *testing.T) {
	tests := map[string]func([]byte) []byte{
		"truncated to half":   func(b []byte) []byte { return b[:len(b)/2] },
		"last page cut":       func(b []byte) []byte { return b[:len(b)-4096] },
		"truncated in header": func(b []byte) []byte { return b[:50] },
		"garbage":             func(b []byte) []byte { return []byte(strings.Repeat("not a database\n", 1000)) },
		"overwritten pages":   func(b []byte) []byte { copy(b[4096:], make([]byte, 3*4096)); return b },
		"random after header": func(b []byte) []byte {
			return append(append([]byte{}, sqliteHeader...), []byte(strings.Repeat("\xff\x13", 4000))...)
		},
		"short header": func(b []byte) []byte { return []byte("SQLite") },
	}
	for name, corrupt := range tests {
		t.Run(name, func(t *testing.T) {
			path := damagedStore(t, corrupt)
			err := useStore(path)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "move it aside") {
				t.Errorf("error does not name the file and what to do: %v", err)
			}
		})
	}
}

func TestNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(context.Background(), dir, Options{}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("a directory as store: %v", err)
	}
}

// TestReadOnlyDirectory runs unprivileged (root writes anywhere): a store
// in a directory that cannot be written gives ErrNotWritable with advice.
func TestReadOnlyDirectory(t *testing.T) {
	if !storetest.Unprivileged(t) {
		return
	}
	dir := storetest.ReadOnlyDir(t)
	for _, path := range []string{filepath.Join(dir, "vigil.db"), filepath.Join(dir, "sub", "vigil.db")} {
		_, err := Open(context.Background(), path, Options{})
		if !errors.Is(err, ErrNotWritable) {
			t.Fatalf("%s: err = %v, want ErrNotWritable", path, err)
		}
		if !strings.Contains(err.Error(), "--store") || !strings.Contains(err.Error(), "--no-store") {
			t.Errorf("error gives no way out: %v", err)
		}
	}
}

// An existing store in a directory made read-only afterwards (a
// write-protected medium): saving fails clearly, nothing is half-written.
func TestReadOnlyDirectoryExistingStore(t *testing.T) {
	if !storetest.Unprivileged(t) {
		return
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "vigil.db")
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	save(t, s, storetest.Result(t0, storetest.Many(5, "a"), "check"), false)
	s.Close()
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	err = useStore(path)
	if !errors.Is(err, ErrNotWritable) {
		t.Fatalf("err = %v, want ErrNotWritable", err)
	}
}

func TestAuditIsAppendOnly(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	if _, err := s.AddSuppression(ctx, suppressionFor("a.b"), Actor{User: "root"}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE audit SET reason = 'nothing to see'`, `DELETE FROM audit`} {
		if _, err := s.db.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", q, err)
		}
	}
}

// FuzzOpen: whatever bytes the store file holds, using it returns an
// error or works; it never panics or hangs.
func FuzzOpen(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("garbage"))
	f.Add(append(append([]byte{}, sqliteHeader...), 0x10, 0x00, 0x01, 0x01))
	dir := f.TempDir()
	n := 0
	f.Fuzz(func(t *testing.T, b []byte) {
		n++
		path := filepath.Join(dir, strconv.Itoa(n)+".db")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(path)
		defer os.Remove(path + "-wal")
		defer os.Remove(path + "-shm")
		_ = useStore(path)
	})
}
