package target

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// walkTrace records what a walk shows fn: path, type, the Info mode and
// size, and whether an error came with it.
func walkTrace(t *testing.T, walk func(fn func(p string, d fs.DirEntry, err error) error) error, skip func(p string, d fs.DirEntry) error) []string {
	t.Helper()
	var out []string
	err := walk(func(p string, d fs.DirEntry, err error) error {
		line := p
		if d != nil {
			line += fmt.Sprintf(" type=%v", d.Type())
			if fi, ierr := d.Info(); ierr == nil {
				line += fmt.Sprintf(" mode=%v size=%d", fi.Mode(), fi.Size())
				if _, ok := fi.Sys().(*syscall.Stat_t); !ok {
					t.Errorf("%s: Sys() is %T, want *syscall.Stat_t", p, fi.Sys())
				}
			}
		}
		if err != nil {
			line += " err"
		}
		out = append(out, line)
		if skip != nil && d != nil {
			return skip(p, d)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWalkMatchesWalkDir: Walk shows fn what filepath.WalkDir would, in
// the same order and with the same FileInfo, including how fs.SkipDir on a
// directory and on a file is honoured.
func TestWalkMatchesWalkDir(t *testing.T) {
	dir := mkroot(t)
	for _, d := range []string{"a/b/c", "a/skipme/x", "z/files"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"a/1", "a/skipme/x/f", "z/files/a", "z/files/stop", "z/files/zz", "setuid"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(dir, "setuid"), 0o4755|os.ModeSetuid); err != nil {
		t.Fatal(err)
	}
	tg := NewUnchecked(dir, false)
	skip := func(p string, d fs.DirEntry) error {
		if strings.HasSuffix(p, "/skipme") || strings.HasSuffix(p, "/stop") {
			return fs.SkipDir
		}
		return nil
	}
	{
		for _, sk := range []func(string, fs.DirEntry) error{nil, skip} {
			got := walkTrace(t, func(fn func(string, fs.DirEntry, error) error) error { return tg.Walk("/", fn) }, sk)
			want := walkTrace(t, func(fn func(string, fs.DirEntry, error) error) error {
				return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
					return fn(tg.TargetPath(p), d, err)
				})
			}, sk)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("Walk:\n%s\nWalkDir:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
	}

}

// TestWalkDeepAndUnreadable: a tree deeper than any sane one is walked to
// the bottom, and a directory that cannot be opened is reported to fn with
// an error naming the target path, while the walk carries on.
// deepTree makes levels nested directories "d" with a file "bottom" at
// the bottom, and returns the top.
func deepTree(t *testing.T, levels int) string {
	t.Helper()
	dir := t.TempDir()
	deep := dir
	for range levels {
		deep = filepath.Join(deep, "d")
	}
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(deep, "bottom"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestWalkDeepAndUnreadable(t *testing.T) {
	dir := deepTree(t, 300)
	tg := NewUnchecked(dir, false)
	found := false
	if err := tg.Walk("/", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		found = found || strings.HasSuffix(p, "/d/bottom")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Fatal("the bottom of a 300-deep tree was not reached")
	}

	// A directory replaced by a symlink after it was listed is not
	// followed (its stat or its O_NOFOLLOW open sees the symlink), and the
	// walk goes on.
	dir2 := t.TempDir()
	os.MkdirAll(filepath.Join(dir2, "a"), 0o755)
	os.MkdirAll(filepath.Join(dir2, "b"), 0o755)
	os.WriteFile(filepath.Join(dir2, "b", "f"), nil, 0o644)
	os.WriteFile(filepath.Join(dir2, "0"), nil, 0o644) // listed before a
	tg2 := NewUnchecked(dir2, false)
	var errs, seen []string
	tg2.Walk("/", func(p string, d fs.DirEntry, err error) error {
		if p == "/0" {
			os.Remove(filepath.Join(dir2, "a"))
			os.Symlink("/", filepath.Join(dir2, "a"))
		}
		if err != nil {
			errs = append(errs, p+": "+err.Error())
			return nil
		}
		seen = append(seen, p)
		return nil
	})
	for _, e := range errs {
		if strings.Contains(e, dir2) {
			t.Errorf("error names a host path: %s", e)
		}
	}
	for _, p := range seen {
		if strings.HasPrefix(p, "/a/") {
			t.Fatalf("walk followed the swapped-in symlink: %s", p)
		}
	}
	if !strings.Contains(strings.Join(seen, ","), "/b/f") {
		t.Errorf("walk stopped after the error: %v", seen)
	}
}

// BenchmarkWalk walks /usr/share of the machine running the benchmark
// (read only), stat-ing every entry as the integrity check does.
func BenchmarkWalk(b *testing.B) {
	tg := Live()
	for b.Loop() {
		n := 0
		_ = tg.Walk("/usr/share", func(p string, d fs.DirEntry, err error) error {
			if err == nil {
				if _, err := d.Info(); err == nil {
					n++
				}
			}
			return nil
		})
	}
}
