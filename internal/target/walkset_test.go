package target

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// hostileTree is a tree with what a walk must survive: symlink loops, a
// symlink to /, a FIFO, names that are not UTF-8, a setuid file, nested
// directories and siblings whose names sort around '/'.
func hostileTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"a/b/c", "a-z", "a.b", "loop", "bad\xffname", "deep/1/2/3/4"} {
		must(os.MkdirAll(filepath.Join(dir, d), 0o755))
	}
	for _, f := range []string{"a/1", "a/b/2", "a/b/c/3", "a-z/4", "a.b/5", "bad\xffname/f\xfe", "deep/1/2/3/4/bottom"} {
		must(os.WriteFile(filepath.Join(dir, f), []byte(f), 0o644))
	}
	must(os.WriteFile(filepath.Join(dir, "suid"), nil, 0o755))
	must(os.Chmod(filepath.Join(dir, "suid"), 0o755|os.ModeSetuid))
	must(os.Symlink(".", filepath.Join(dir, "loop", "self")))
	must(os.Symlink("..", filepath.Join(dir, "loop", "up")))
	must(os.Symlink("/", filepath.Join(dir, "a", "root")))
	must(os.Symlink("a", filepath.Join(dir, "alink")))
	must(syscall.Mkfifo(filepath.Join(dir, "a", "fifo"), 0o644))
	return dir
}

// keepAll keeps every entry.
func keepAll(e *WalkEntry) (bool, bool) { return true, false }

func keptPaths(r WalkResult) []string {
	var out []string
	for _, e := range r.Kept {
		out = append(out, fmt.Sprintf("%s %v %d", e.Path, e.Type, e.Depth))
	}
	return out
}

// TestWalkSpecsAsWalk: one spec keeping everything sees what Walk shows,
// in Walk's order, whatever the number of workers; symlinks are entries,
// never followed; the FIFO is listed, not opened.
func TestWalkSpecsAsWalk(t *testing.T) {
	dir := hostileTree(t)
	tg := NewUnchecked(dir, false)
	var want []string
	err := tg.Walk("/", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		depth := strings.Count(p, "/")
		if p == "/" {
			depth = 0
		}
		want = append(want, fmt.Sprintf("%s %v %d", p, d.Type(), depth))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 2, 5} {
		res := tg.WalkSpecs(context.Background(), []WalkSpec{{Roots: []string{"/"}, Visit: keepAll}}, workers)
		if got := keptPaths(res[0]); !slices.Equal(got, want) {
			t.Errorf("workers=%d:\n got %q\nwant %q", workers, got, want)
		}
		if len(res[0].Errors) > 0 {
			t.Errorf("workers=%d: errors %v", workers, res[0].Errors)
		}
	}
}

// TestWalkSpecsBounds: each spec gets its own roots, depth, pruning and
// budget from one walk; stat data and extended attributes read in Visit
// are kept with the entry.
func TestWalkSpecsBounds(t *testing.T) {
	dir := hostileTree(t)
	tg := NewUnchecked(dir, false)
	regular := func(e *WalkEntry) (bool, bool) { return e.Type.IsRegular(), false }
	setuid := func(e *WalkEntry) (bool, bool) {
		if !e.Type.IsRegular() {
			return false, e.Name == "a"
		}
		st, err := e.Lstat()
		return err == nil && st.Mode&syscall.S_ISUID != 0, false
	}
	specs := []WalkSpec{
		{Roots: []string{"/deep"}, MaxDepth: 2, Visit: regular},
		{Roots: []string{"/", "/a/b"}, Visit: setuid}, // /a pruned, /a/b a root of its own
		{Roots: []string{"/alink", "/missing", "/a", "/a/b"}, Visit: regular, MaxKeep: 2},
		{Roots: []string{"/loop"}, Visit: keepAll},
		{Roots: []string{"/a/b"}, Visit: regular},
	}
	res := tg.WalkSpecs(context.Background(), specs, 2)

	if got := keptPaths(res[0]); len(got) != 0 || len(res[0].Deep) != 1 || res[0].Deep[0] != (DeepCut{Root: 0, Count: 1, First: "/deep/1/2"}) {
		t.Errorf("depth: kept %v, deep %+v", got, res[0].Deep)
	}
	got1 := keptPaths(res[1])
	if len(got1) != 1 || got1[0] != "/suid ---------- 1" {
		t.Errorf("setuid spec kept %v", got1)
	}
	if st, err := res[1].Kept[0].Lstat(); err != nil || st.Mode&syscall.S_ISUID == 0 {
		t.Errorf("kept entry lost its stat: %v %v", st, err)
	}
	if got := keptPaths(res[2]); !slices.Equal(got, []string{"/a/1 ---------- 1", "/a/b/2 ---------- 2"}) || res[2].Dropped != 1 || res[2].DroppedRoot != 0 {
		t.Errorf("budget: kept %v dropped %d", got, res[2].Dropped)
	}
	// /alink is a symlink to /a, walked where it points, once; /a/b is
	// walked as part of it.
	if !slices.Equal(res[2].Roots, []string{"/a", "", "", "/a/b"}) {
		t.Errorf("roots as walked: %q", res[2].Roots)
	}
	if got := keptPaths(res[3]); !slices.Equal(got, []string{"/loop d--------- 0", "/loop/self L--------- 1", "/loop/up L--------- 1"}) {
		t.Errorf("loop: %v", got)
	}
	if got := keptPaths(res[4]); !slices.Equal(got, []string{"/a/b/2 ---------- 1", "/a/b/c/3 ---------- 2"}) {
		t.Errorf("nested root: %v", got)
	}
}

// TestWalkSpecsPseudoAndDeep: a kernel pseudo-filesystem is not entered
// (an error entry says so); a 300-deep tree is walked to its bottom.
func TestWalkSpecsPseudoAndDeep(t *testing.T) {
	res := Live().WalkSpecs(context.Background(), []WalkSpec{{Roots: []string{"/proc/self"}, Visit: keepAll}}, 2)
	if len(res[0].Errors) != 1 || !errors.Is(res[0].Errors[0].Err, ErrPseudoFS) || len(res[0].Kept) > 1 {
		t.Errorf("/proc: kept %d, errors %v", len(res[0].Kept), res[0].Errors)
	}
	dir := deepTree(t, 300)
	res = NewUnchecked(dir, false).WalkSpecs(context.Background(), []WalkSpec{{Roots: []string{"/"},
		Visit: func(e *WalkEntry) (bool, bool) { return e.Name == "bottom", false }}}, 2)
	if len(res[0].Kept) != 1 || res[0].Kept[0].Depth != 301 {
		t.Errorf("deep tree: %v", keptPaths(res[0]))
	}
}

// TestWalkLess: the order of a depth-first walk in lexical order.
func TestWalkLess(t *testing.T) {
	ps := []string{"/a-c", "/a/b", "/a", "/", "/a.b/x", "/a/b/c", "/b"}
	slices.SortFunc(ps, walkLess)
	want := []string{"/", "/a", "/a/b", "/a/b/c", "/a-c", "/a.b/x", "/b"}
	if !slices.Equal(ps, want) {
		t.Errorf("got %q, want %q", ps, want)
	}
}

// BenchmarkWalkSpecs walks /usr of the machine running the benchmark
// (read only) as the integrity check does: every regular file stat-ed,
// the executable ones asked for file capabilities.
func BenchmarkWalkSpecs(b *testing.B) {
	tg := Live()
	visit := func(e *WalkEntry) (bool, bool) {
		if !e.Type.IsRegular() {
			return false, false
		}
		st, err := e.Lstat()
		if err == nil && st.Mode&0o111 != 0 {
			_, _ = e.Lgetxattr("security.capability")
		}
		return err == nil && st.Mode&(syscall.S_ISUID|syscall.S_ISGID) != 0, false
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for b.Loop() {
				tg.WalkSpecs(context.Background(), []WalkSpec{{Roots: []string{"/usr"}, Visit: visit}}, workers)
			}
		})
	}
}
