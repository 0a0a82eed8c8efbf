package target

import (
	"context"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// setWalker runs WalkSpecs: a stack of directories shared by the workers.
type setWalker struct {
	t        *Target
	specs    []WalkSpec
	workers  int
	rootsAt  map[string][]rootRef // resolved root -> the spec roots there
	ancestor map[string]bool      // strict ancestors of roots: entered to reach them
	resolved [][]string
	parts    [][]specPart // per worker, per spec

	mu      sync.Mutex
	cond    *sync.Cond
	stack   []dirJob
	busy    int
	reached map[string]bool // roots met so far
	ctx     context.Context
}

// dirJob is a directory to list.
type dirJob struct {
	parent *dirRef // open parent (nil: open host by path)
	name   string  // name in parent
	path   string  // target path
	host   string  // host path
	dev    uint64  // device of the parent (0: a root of the walk)
	act    []active
}

func newSetWalker(t *Target, specs []WalkSpec, workers int) *setWalker {
	w := &setWalker{t: t, specs: specs, workers: max(workers, 1), rootsAt: map[string][]rootRef{},
		ancestor: map[string]bool{}, resolved: make([][]string, len(specs)), reached: map[string]bool{}}
	w.cond = sync.NewCond(&w.mu)
	w.parts = make([][]specPart, w.workers)
	for i := range w.parts {
		w.parts[i] = make([]specPart, len(specs))
	}
	for i, sp := range specs {
		w.resolved[i] = make([]string, len(sp.Roots))
		for j, r := range sp.Roots {
			res, err := t.Resolve(r)
			if err != nil {
				if !errors.Is(err, fs.ErrNotExist) {
					w.parts[0][i].errs = append(w.parts[0][i].errs, WalkEntry{Path: Clean(r), Root: j, Err: err, dirfd: -1})
				}
				continue
			}
			if st, err := t.Stat(res); err != nil || !st.IsDir() || slices.Contains(w.resolved[i][:j], res) {
				continue
			}
			w.resolved[i][j] = res
			w.rootsAt[res] = append(w.rootsAt[res], rootRef{i, j})
			for a := res; a != "/"; {
				a = parentDir(a)
				w.ancestor[a] = true
			}
		}
	}
	return w
}

// parentDir is path.Dir of a clean absolute path.
func parentDir(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

// run walks until every reachable root was walked.
func (w *setWalker) run(ctx context.Context) {
	w.ctx = ctx
	for {
		var tops []string
		for r := range w.rootsAt {
			if !w.reached[r] {
				tops = append(tops, r)
			}
		}
		slices.SortFunc(tops, walkLess)
		var jobs []dirJob
		for _, r := range tops {
			if len(jobs) > 0 && under(r, jobs[len(jobs)-1].path) {
				continue // reached from there (or a top root of the next round)
			}
			w.reached[r] = true
			host, err := w.t.HostPath(r)
			if err != nil {
				continue
			}
			jobs = append(jobs, dirJob{path: r, host: host, act: w.startRoot(0, r, nil, -1, host)})
		}
		if len(jobs) == 0 || ctx.Err() != nil {
			return
		}
		slices.Reverse(jobs) // the stack pops the first root first
		w.stack = jobs
		var wg sync.WaitGroup
		for i := range w.workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.work(i)
			}()
		}
		wg.Wait()
	}
}

// under reports whether p is dir or inside it.
func under(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}

// startRoot visits the directory at p (entry name in the open directory
// dirfd, or host path host) for the specs whose roots are there and not
// yet active, and returns the active set below it, act extended.
func (w *setWalker) startRoot(wi int, p string, act []active, dirfd int, host string) []active {
	refs := w.rootsAt[p]
	if len(refs) == 0 {
		return act
	}
	e := WalkEntry{Path: p, Name: baseName(p), Type: fs.ModeDir, dirfd: dirfd}
	if dirfd < 0 {
		e.host = host
	} else {
		e.hostDir = parentDir(host)
		if host == "/" {
			e.hostDir = "/"
		}
	}
	for _, ref := range refs {
		if slices.ContainsFunc(act, func(a active) bool { return a.spec == ref.spec }) {
			continue // inside an earlier root of the spec
		}
		e.Root, e.Depth, e.Carry = ref.root, 0, nil
		prune := false
		if v := w.specs[ref.spec].Visit; v != nil {
			var keep bool
			keep, prune = v(&e)
			if keep {
				w.parts[wi][ref.spec].kept = append(w.parts[wi][ref.spec].kept, e.kept(ref.root, 0))
			}
		}
		if !prune {
			act = append(act, active{spec: ref.spec, root: ref.root})
		}
	}
	return act
}

func baseName(p string) string {
	if p == "/" {
		return "/"
	}
	return p[strings.LastIndexByte(p, '/')+1:]
}

// work pops directories until none is left.
func (w *setWalker) work(wi int) {
	buf := make([]byte, 32<<10)
	for {
		w.mu.Lock()
		for len(w.stack) == 0 && w.busy > 0 {
			w.cond.Wait()
		}
		if len(w.stack) == 0 {
			w.mu.Unlock()
			w.cond.Broadcast()
			return
		}
		j := w.stack[len(w.stack)-1]
		w.stack = w.stack[:len(w.stack)-1]
		w.busy++
		w.mu.Unlock()

		children := w.dir(wi, j, buf)

		w.mu.Lock()
		w.busy--
		for i := len(children) - 1; i >= 0; i-- {
			w.stack = append(w.stack, children[i])
		}
		w.mu.Unlock()
		w.cond.Broadcast()
	}
}

// fail records err at the directory of j for every spec walking it.
func (w *setWalker) fail(wi int, j dirJob, err error) {
	for _, a := range j.act {
		w.parts[wi][a.spec].errs = append(w.parts[wi][a.spec].errs,
			WalkEntry{Path: j.path, Name: baseName(j.path), Type: fs.ModeDir, Root: a.root, Depth: a.depth, Err: err, dirfd: -1})
	}
}

// dir lists the directory of j, visits its entries for the active specs
// and returns the subdirectories to walk.
func (w *setWalker) dir(wi int, j dirJob, buf []byte) []dirJob {
	fd, err := openDirAt(j.parent, j.name, j.host)
	if j.parent != nil {
		j.parent.release()
	}
	if w.ctx.Err() != nil {
		if err == nil {
			_ = syscall.Close(fd)
		}
		return nil
	}
	if err != nil {
		w.fail(wi, j, &fs.PathError{Op: "readdir", Path: j.path, Err: err})
		return nil
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err == nil && st.Dev != j.dev {
		var sfs unix.Statfs_t
		if unix.Fstatfs(fd, &sfs) == nil {
			if name, ok := pseudoFS[int64(sfs.Type)]; ok {
				_ = syscall.Close(fd)
				w.fail(wi, j, &fs.PathError{Op: "walk", Path: j.path, Err: errors.Join(ErrPseudoFS, errors.New(name))})
				return nil
			}
		}
	}
	ref := &dirRef{fd: fd, refs: 1}
	defer ref.release()
	prefix := j.path
	if prefix != "/" {
		prefix += "/"
	}
	var children []dirJob
	var rerr error
	for {
		n, err := unix.ReadDirent(fd, buf)
		if err != nil {
			rerr = err
			break
		}
		if n <= 0 {
			break
		}
		for b := buf[:n]; len(b) >= 19; {
			reclen := int(*(*uint16)(unsafe.Pointer(&b[16])))
			if reclen < 19 || reclen > len(b) {
				break
			}
			typ, name := b[18], direntName(b[19:reclen])
			b = b[reclen:]
			if name == "." || name == ".." || name == "" {
				continue
			}
			if c, ok := w.entry(wi, j, fd, prefix, name, typ); ok {
				c.parent, c.dev = ref, st.Dev
				children = append(children, c)
			}
		}
	}
	if rerr != nil {
		w.fail(wi, j, &fs.PathError{Op: "readdir", Path: j.path, Err: rerr})
	}
	ref.mu.Lock()
	ref.refs += len(children)
	ref.mu.Unlock()
	return children
}

// direntName is the NUL-terminated name of a dirent.
func direntName(b []byte) string {
	if i := slices.Index(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// entry visits one entry of j's directory (open as fd) for the active
// specs; for a directory to walk it returns its job.
func (w *setWalker) entry(wi int, j dirJob, fd int, prefix, name string, typ byte) (dirJob, bool) {
	e := WalkEntry{Path: prefix + name, Name: name, Type: direntType(typ), dirfd: fd, hostDir: j.host}
	if typ == unix.DT_UNKNOWN {
		_, _ = e.Lstat()
	}
	var act []active
	var rd contentFile // the entry opened once for the specs that ask for its content
	defer rd.close()
	for _, a := range j.act {
		sp := &w.specs[a.spec]
		e.Root, e.Depth, e.Carry = a.root, a.depth+1, nil
		prune := false
		if sp.Visit != nil {
			var keep bool
			keep, prune = sp.Visit(&e)
			switch {
			case keep && sp.Content != nil && e.Type.IsRegular():
				f, err := rd.open(&e)
				sp.Content(w.ctx, &e, f, err)
			case keep:
				w.parts[wi][a.spec].kept = append(w.parts[wi][a.spec].kept, e.kept(a.root, e.Depth))
			}
		}
		if !e.IsDir() || prune {
			continue
		}
		if sp.MaxDepth > 0 && e.Depth >= sp.MaxDepth {
			w.parts[wi][a.spec].deep = append(w.parts[wi][a.spec].deep, DeepCut{Root: a.root, Count: 1, First: e.Path})
			continue
		}
		act = append(act, active{spec: a.spec, root: a.root, depth: e.Depth})
	}
	if !e.IsDir() {
		return dirJob{}, false
	}
	if len(w.rootsAt[e.Path]) > 0 {
		w.mu.Lock()
		w.reached[e.Path] = true
		w.mu.Unlock()
		act = w.startRoot(wi, e.Path, act, fd, hostJoin(j.host, name))
	}
	if len(act) == 0 && !w.ancestor[e.Path] {
		return dirJob{}, false
	}
	return dirJob{name: name, path: e.Path, host: hostJoin(j.host, name), act: act}, true
}

func hostJoin(dir, name string) string {
	if strings.HasSuffix(dir, "/") {
		return dir + name
	}
	return dir + "/" + name
}

// direntType is the fs type of a dirent's d_type.
func direntType(t byte) fs.FileMode {
	switch t {
	case unix.DT_DIR:
		return fs.ModeDir
	case unix.DT_LNK:
		return fs.ModeSymlink
	case unix.DT_FIFO:
		return fs.ModeNamedPipe
	case unix.DT_SOCK:
		return fs.ModeSocket
	case unix.DT_CHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case unix.DT_BLK:
		return fs.ModeDevice
	}
	return 0
}

// openDirAt opens directory name in parent (or host path hp without one)
// as openDir does, returning the raw descriptor.
func openDirAt(parent *dirRef, name, hp string) (int, error) {
	flags := unix.O_RDONLY | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC | unix.O_NONBLOCK
	at, p := unix.AT_FDCWD, hp
	if parent != nil {
		at, p = parent.fd, name
	}
	fd, err := unix.Openat(at, p, flags|unix.O_NOATIME, 0)
	if err == unix.EPERM {
		fd, err = unix.Openat(at, p, flags, 0)
	}
	return fd, err
}
