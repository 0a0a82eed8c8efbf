package target

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// TestWalkSpecsContent: a spec that asks for content gets each regular
// file it keeps opened once during the walk, from its first byte (a second
// spec too), and holds none of them in Kept; the FIFO and the symlinks it
// keeps are kept, never opened; the other spec's Kept is unchanged.
func TestWalkSpecsContent(t *testing.T) {
	dir := hostileTree(t)
	tg := NewUnchecked(dir, false)
	var mu sync.Mutex
	got := map[string]string{}
	read := func(tag string) func(ctx context.Context, e *WalkEntry, f *os.File, err error) {
		return func(ctx context.Context, e *WalkEntry, f *os.File, err error) {
			if err != nil {
				t.Errorf("%s: %v", e.Path, err)
				return
			}
			b, _ := io.ReadAll(f)
			mu.Lock()
			got[tag+" "+e.Path] = string(b) + " " + e.Carry.(string)
			mu.Unlock()
		}
	}
	carry := func(tag string) func(e *WalkEntry) (bool, bool) {
		return func(e *WalkEntry) (bool, bool) {
			if e.Carry != nil {
				t.Errorf("%s: carry %v left from another spec", e.Path, e.Carry)
			}
			e.Carry = tag
			return true, false
		}
	}
	for _, workers := range []int{1, 3} {
		clear(got)
		res := tg.WalkSpecs(context.Background(), []WalkSpec{
			{Roots: []string{"/a"}, Visit: carry("one"), Content: read("one")},
			{Roots: []string{"/a"}, Visit: carry("two"), Content: read("two")},
			{Roots: []string{"/a"}, Visit: keepAll},
		}, workers)
		want := map[string]string{
			"one /a/1": "a/1 one", "one /a/b/2": "a/b/2 one", "one /a/b/c/3": "a/b/c/3 one",
			"two /a/1": "a/1 two", "two /a/b/2": "a/b/2 two", "two /a/b/c/3": "a/b/c/3 two",
		}
		if !maps(got, want) {
			t.Errorf("workers %d: content %v, want %v", workers, got, want)
		}
		for _, e := range res[0].Kept {
			if e.Type.IsRegular() {
				t.Errorf("content spec kept %s", e.Path)
			}
		}
		if !slices.ContainsFunc(res[0].Kept, func(e WalkEntry) bool { return e.Name == "fifo" }) {
			t.Errorf("fifo not kept: %v", keptPaths(res[0]))
		}
		if len(res[2].Kept) != 8 { // /a, 1, b, 2, c, 3, fifo, root (a symlink)
			t.Errorf("plain spec kept %v", keptPaths(res[2]))
		}
	}
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestWalkEntryOpenReplaced: an entry replaced by a symlink, another file
// or a FIFO after it was listed is not opened as the file listed.
func TestWalkEntryOpenReplaced(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"sym", "other", "fifo", "ok"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := NewUnchecked(dir, false).WalkSpecs(context.Background(), []WalkSpec{{Roots: []string{"/"}, Visit: func(e *WalkEntry) (bool, bool) {
		_, _ = e.Lstat()
		return e.Type.IsRegular(), false
	}}}, 1)
	byName := map[string]*WalkEntry{}
	for i := range res[0].Kept {
		byName[res[0].Kept[i].Name] = &res[0].Kept[i]
	}
	swap := func(n string, make func(p string) error) {
		p := filepath.Join(dir, n)
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		if err := make(p); err != nil {
			t.Fatal(err)
		}
	}
	swap("sym", func(p string) error { return os.Symlink("ok", p) })
	// Another file renamed over it (created while the old one exists: another inode).
	if err := os.WriteFile(filepath.Join(dir, "new"), []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "new"), filepath.Join(dir, "other")); err != nil {
		t.Fatal(err)
	}
	swap("fifo", func(p string) error { return syscall.Mkfifo(p, 0o644) })
	for n, want := range map[string]error{"sym": fs.ErrNotExist, "other": fs.ErrNotExist, "fifo": ErrNotRegular} {
		f, err := byName[n].Open()
		if f != nil {
			f.Close()
		}
		if !errors.Is(err, want) || !strings.Contains(err.Error(), "/"+n) {
			t.Errorf("%s: %v, want %v naming the target path", n, err, want)
		}
	}
	f, err := byName["ok"].Open()
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
}
