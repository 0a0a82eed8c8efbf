package target

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
)

// WalkSpec is what one part of a check wants walked: its places, its
// bounds, and a judgement of each entry met there. Several specs are
// served by one walk (WalkSpecs): each entry of the target is listed and
// stat-ed once, whichever checks want it.
type WalkSpec struct {
	// Roots are target paths, walked in this order (the order of Kept).
	// A root that is a symlink is walked where it points; a root that is
	// missing or no directory is ignored; a root inside another root of
	// the same spec is walked as part of the outer one.
	Roots []string
	// MaxDepth, when > 0: a directory MaxDepth or more levels below its
	// root is visited but not entered, and counted in Deep.
	MaxDepth int
	// Visit judges an entry (the root itself included, at depth 0) from its
	// name, type and, when it asks for them, its lstat (WalkEntry.Lstat) and
	// extended attributes (WalkEntry.Lgetxattr): keep puts it in the
	// result, prune (for a directory) keeps the walk out of it. Visit is
	// called from the walk's workers concurrently: it must only read. Nil
	// keeps nothing and prunes nothing.
	Visit func(e *WalkEntry) (keep, prune bool)
	// MaxKeep, when > 0, bounds Kept to the first MaxKeep entries in walk
	// order; Dropped counts the others.
	MaxKeep int
	// Content, when set, asks for the content of the regular files Visit
	// keeps: the walk opens each such file once (relative to its open
	// directory: O_NOFOLLOW, O_NOATIME where permitted, O_NONBLOCK, and
	// only when it is still the regular file listed; see WalkEntry.Open)
	// and hands it to Content during the walk, from the walk's workers
	// concurrently, with the walk's context (a long read stops when it
	// ends). f is nil and err says why when the file could not be opened.
	// Content must not keep f, which the walk closes. Kept entries that
	// are regular files are then streamed, not collected in Kept: a
	// content walk of millions of files holds none of them.
	Content func(ctx context.Context, e *WalkEntry, f *os.File, err error)
}

// WalkEntry is one entry met by WalkSpecs. During Visit, Lstat and
// Lgetxattr read the file (once, whichever spec asks); a kept entry holds
// what was read.
type WalkEntry struct {
	Path  string      // target path
	Name  string      // base name (may hold bytes that are not UTF-8)
	Type  fs.FileMode // type bits, from the directory listing
	Root  int         // index of the spec's root it was found under
	Depth int         // levels below that root (the root itself: 0)
	Err   error       // for WalkResult.Errors: what could not be read
	// Carry is what a spec's Visit hands to its Content call for the same
	// entry (the judgement it made from metadata); reset before each Visit.
	Carry any

	st      *syscall.Stat_t
	stErr   error
	attrs   map[string]attrValue
	dirfd   int    // open directory the entry is in (-1: none)
	hostDir string // host path of that directory
	host    string // host path of the entry (for a root)
}

type attrValue struct {
	val []byte
	err error
}

// IsDir reports whether the entry is a directory.
func (e *WalkEntry) IsDir() bool { return e.Type.IsDir() }

// hostPath is the entry's path on the scanning host.
func (e *WalkEntry) hostPath() string {
	if e.host != "" {
		return e.host
	}
	if strings.HasSuffix(e.hostDir, "/") {
		return e.hostDir + e.Name
	}
	return e.hostDir + "/" + e.Name
}

// Lstat returns the entry's lstat data, read once (relative to the open
// directory during the walk).
func (e *WalkEntry) Lstat() (*syscall.Stat_t, error) {
	if e.st == nil && e.stErr == nil {
		var st syscall.Stat_t
		var err error
		if e.dirfd >= 0 {
			err = fstatat(e.dirfd, e.Name, &st)
		} else {
			err = syscall.Lstat(e.hostPath(), &st)
		}
		if err != nil {
			e.stErr = &fs.PathError{Op: "lstat", Path: e.Path, Err: err}
		} else {
			e.st = &st
			e.Type = modeOf(st.Mode).Type()
		}
	}
	return e.st, e.stErr
}

// Info returns the lstat data as an fs.FileInfo (Sys is *syscall.Stat_t).
func (e *WalkEntry) Info() (fs.FileInfo, error) {
	st, err := e.Lstat()
	if err != nil {
		return nil, err
	}
	return &statInfo{name: e.Name, st: st}, nil
}

// StatInfo is an fs.FileInfo of lstat data st (Sys is st), as os.Lstat's.
func StatInfo(name string, st *syscall.Stat_t) fs.FileInfo { return &statInfo{name: name, st: st} }

// Mode is the entry's mode from its lstat (0 when it could not be read).
func (e *WalkEntry) Mode() fs.FileMode {
	st, err := e.Lstat()
	if err != nil {
		return e.Type
	}
	return modeOf(st.Mode)
}

// Lgetxattr returns the extended attribute name of the entry without
// following a symlink, read once (ErrNoAttr when it has none).
func (e *WalkEntry) Lgetxattr(name string) ([]byte, error) {
	if v, ok := e.attrs[name]; ok {
		return v.val, v.err
	}
	val, err := lgetxattr(e.hostPath(), e.Path, name)
	if e.attrs == nil {
		e.attrs = map[string]attrValue{}
	}
	e.attrs[name] = attrValue{val, err}
	return val, err
}

// kept is the copy of an entry a spec keeps: the directory it was read in
// is closed by then.
func (e *WalkEntry) kept(root, depth int) WalkEntry {
	c := *e
	c.Root, c.Depth = root, depth
	c.host = e.hostPath()
	c.dirfd = -1
	return c
}

// DeepCut counts the directories under one root that a spec's MaxDepth
// kept the walk out of.
type DeepCut struct {
	Root  int    // index in the spec's Roots
	Count int    // directories not entered
	First string // the first of them in walk order
}

// WalkResult is what one spec got from a walk.
type WalkResult struct {
	// Roots are the spec's roots as walked (resolved), "" for one that was
	// not walked (missing, not a directory, or inside an earlier root).
	Roots []string
	// Kept are the entries Visit kept, in walk order: by root, then as a
	// depth-first walk in lexical order of names would meet them.
	Kept []WalkEntry
	// Errors are the entries under the spec's roots that could not be
	// listed or stat-ed (Err set; errors.Is(Err, ErrPseudoFS) for a
	// kernel pseudo-filesystem not entered), in walk order.
	Errors []WalkEntry
	// Deep are the directories MaxDepth kept out, per root.
	Deep []DeepCut
	// Dropped counts kept entries past MaxKeep; DroppedRoot is the root
	// index of the first of them.
	Dropped     int
	DroppedRoot int
}

// WalkSpecs walks the union of specs' roots once, with workers goroutines
// over directories, and returns each spec's result (same index). It never
// follows a symlink, never enters a kernel pseudo-filesystem, lists each
// directory and stats each entry at most once whichever specs want it, and
// opens directories relative to their parent (O_NOFOLLOW, O_NOATIME where
// permitted). The results do not depend on workers or on scheduling.
func (t *Target) WalkSpecs(ctx context.Context, specs []WalkSpec, workers int) []WalkResult {
	w := newSetWalker(t, specs, workers)
	w.run(ctx)
	return w.results()
}

// ErrWalkCancelled is the error of the entries a cancelled walk did not
// enter.
var ErrWalkCancelled = errors.New("walk cancelled")

// walkLess orders target paths as a depth-first walk in lexical order of
// names meets them: "a/b" before "a-c" ('/' sorts before every byte).
func walkLess(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		ca, cb := a[i], b[i]
		if ca == cb {
			continue
		}
		if ca == '/' {
			return -1
		}
		if cb == '/' {
			return 1
		}
		if ca < cb {
			return -1
		}
		return 1
	}
	return len(a) - len(b)
}

// WalkOrder compares target paths a and b in the order a walk meets them
// (a depth-first walk in lexical order of names): negative when a comes
// first, positive when b does, 0 when they are equal.
func WalkOrder(a, b string) int { return walkLess(a, b) }

// sortEntries sorts by root, then walk order.
func sortEntries(es []WalkEntry) {
	slices.SortFunc(es, func(a, b WalkEntry) int {
		if a.Root != b.Root {
			return a.Root - b.Root
		}
		return walkLess(a.Path, b.Path)
	})
}

// results merges the workers' per-spec parts into ordered results.
func (w *setWalker) results() []WalkResult {
	out := make([]WalkResult, len(w.specs))
	for i, sp := range w.specs {
		r := &out[i]
		r.Roots = w.resolved[i]
		for _, part := range w.parts {
			r.Kept = append(r.Kept, part[i].kept...)
			r.Errors = append(r.Errors, part[i].errs...)
			for _, d := range part[i].deep {
				r.Deep = append(r.Deep, d)
			}
		}
		sortEntries(r.Kept)
		sortEntries(r.Errors)
		if sp.MaxKeep > 0 && len(r.Kept) > sp.MaxKeep {
			r.Dropped = len(r.Kept) - sp.MaxKeep
			r.DroppedRoot = r.Kept[sp.MaxKeep].Root
			r.Kept = slices.Clip(r.Kept[:sp.MaxKeep])
		}
		r.Deep = mergeDeep(r.Deep)
	}
	return out
}

// mergeDeep sums the depth cuts of each root, keeping the first path.
func mergeDeep(ds []DeepCut) []DeepCut {
	sort.SliceStable(ds, func(i, j int) bool {
		if ds[i].Root != ds[j].Root {
			return ds[i].Root < ds[j].Root
		}
		return walkLess(ds[i].First, ds[j].First) < 0
	})
	var out []DeepCut
	for _, d := range ds {
		if n := len(out); n > 0 && out[n-1].Root == d.Root {
			out[n-1].Count += d.Count
			continue
		}
		out = append(out, d)
	}
	return out
}

// rootRef is one spec root met at a path.
type rootRef struct{ spec, root int }

// active is a spec walking a directory: under which root, how deep.
type active struct{ spec, root, depth int }

// specPart is what one worker collected for one spec.
type specPart struct {
	kept, errs []WalkEntry
	deep       []DeepCut
}

// dirRef is an open directory shared by the jobs of its subdirectories,
// closed when the last of them has opened its own.
type dirRef struct {
	fd   int
	mu   sync.Mutex
	refs int
}

func (d *dirRef) release() {
	d.mu.Lock()
	d.refs--
	last := d.refs == 0
	d.mu.Unlock()
	if last {
		_ = syscall.Close(d.fd)
	}
}
