package files

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// job is one file to read, with the matchers that want it.
type job struct {
	meta  Meta
	want  Want
	which []int // indexes of the matchers that want the file
}

type walker struct {
	t        *target.Target
	opt      Options
	matchers []Matcher
	rep      Reporter
	repMu    sync.Mutex
	cov      *counter
	cancel   context.CancelFunc
	stopped  atomic.Value // string
	errGaps  atomic.Int64
	excluded map[FileID]bool
	badDevs  map[uint64]string // devices of excluded mount types (live)
	visited  map[FileID]bool   // directories entered (walker goroutine only)
	est      *estimate         // the listing ahead for the progress ETA (nil without progress)
}

// Walk walks opt.Roots of t once, reading each file that a matcher wants
// once, and reports the matchers' hits and the walk's gaps to rep (whose
// methods are called one at a time). It returns what was covered.
func Walk(ctx context.Context, t *target.Target, matchers []Matcher, rep Reporter, opt Options) Coverage {
	opt = opt.withDefaults()
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if opt.MaxTime > 0 {
		var c2 context.CancelFunc
		ctx, c2 = context.WithTimeout(ctx, opt.MaxTime)
		defer c2()
	}
	w := &walker{t: t, opt: opt, matchers: matchers, rep: rep, cov: newCounter(), cancel: cancel,
		excluded: map[FileID]bool{}, visited: map[FileID]bool{}}
	for _, id := range opt.ExcludeIDs {
		w.excluded[id] = true
	}
	if t.IsLive() {
		w.badDevs = excludedDevices(t)
	}

	done := make(chan struct{})
	var ticker sync.WaitGroup
	roots := w.startPaths()
	estCtx, estEnd := context.WithCancel(ctx)
	defer estEnd()
	if opt.Progress != nil {
		w.est = &estimate{}
		ticker.Add(2)
		go func() {
			defer ticker.Done()
			w.est.run(estCtx, w, roots)
		}()
		go func() {
			defer ticker.Done()
			w.progress(start, done)
		}()
	}
	jobs := make(chan job, opt.Workers*4)
	var wg sync.WaitGroup
	for i := 0; i < opt.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := newReader(opt)
			for j := range jobs {
				w.read(ctx, r, j)
			}
		}()
	}
	for _, root := range roots {
		if ctx.Err() != nil {
			break
		}
		w.walkRoot(ctx, root, jobs)
	}
	close(jobs)
	wg.Wait()
	close(done)
	estEnd()      // the estimate, if it still runs
	ticker.Wait() // no progress call after Walk returns
	if ctx.Err() != nil && w.stopReason() == "" {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			w.stop("time")
		} else {
			w.stop("cancelled")
		}
	}
	for _, m := range matchers {
		if f, ok := m.(Finisher); ok {
			f.Finish(&lockedReporter{w: w})
		}
	}
	cov := w.cov.snapshot()
	cov.Duration = time.Since(start)
	cov.Stopped = w.stopReason()
	w.summaryGaps(cov)
	return cov
}

func (w *walker) progress(start time.Time, done chan struct{}) {
	tick := time.NewTicker(w.opt.ProgressEvery)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			c := w.cov.snapshot()
			c.Duration = time.Since(start)
			w.est.fill(&c)
			w.opt.Progress(c)
		}
	}
}

func (w *walker) stop(reason string) {
	w.stopped.CompareAndSwap(nil, reason)
	w.cancel()
}

func (w *walker) stopReason() string {
	s, _ := w.stopped.Load().(string)
	return s
}

// startPaths resolves the roots inside the target (a root that is a symlink,
// such as /bin on a merged-/usr system, is walked where it points) and drops
// roots that are absent or inside another root, so no file is walked twice.
func (w *walker) startPaths() []string {
	var out []string
	for _, r := range w.opt.Roots {
		r = target.Clean(r)
		if _, err := w.t.Lstat(r); err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				w.gap(r, err)
			}
			continue
		}
		res, err := w.t.Resolve(r)
		if err != nil {
			w.gap(r, err)
			continue
		}
		out = append(out, target.Clean(res))
	}
	sort.Strings(out)
	var kept []string
	for _, r := range out {
		if len(kept) > 0 && within(r, kept[len(kept)-1]) {
			continue
		}
		kept = append(kept, r)
	}
	return kept
}

// within reports whether p is dir or lies under it.
func within(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}

func (w *walker) isExcludedPath(p string) bool {
	for _, e := range w.opt.Exclude {
		if within(p, target.Clean(e)) {
			return true
		}
	}
	return false
}

func statOf(fi fs.FileInfo) *syscall.Stat_t {
	if fi == nil {
		return nil
	}
	st, _ := fi.Sys().(*syscall.Stat_t)
	return st
}

// walkRoot walks one start path, queueing the files that matchers want.
func (w *walker) walkRoot(ctx context.Context, root string, jobs chan<- job) {
	fi, err := w.t.Lstat(root)
	if err != nil {
		w.gap(root, err)
		return
	}
	rootDev := uint64(0)
	if st := statOf(fi); st != nil {
		rootDev = uint64(st.Dev)
	}
	_ = w.t.Walk(root, func(p string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return fs.SkipAll
		}
		if err != nil {
			return w.walkErr(p, d, err)
		}
		if !utf8.ValidString(p) {
			w.cov.odd.Add(1)
		}
		if w.isExcludedPath(p) {
			w.cov.skip(SkipExcluded, p)
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		typ := d.Type()
		switch {
		case d.IsDir():
			return w.enterDir(p, d, root, rootDev)
		case typ&fs.ModeSymlink != 0:
			w.cov.skip(SkipSymlink, p)
			return nil
		case !typ.IsRegular():
			w.cov.skip(SkipSpecial, p)
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return w.walkErr(p, d, err)
		}
		w.cov.seen.Add(1)
		m := w.meta(p, root, info)
		if w.excluded[FileID{m.Dev, m.Ino}] {
			w.cov.skip(SkipExcluded, p)
			return nil
		}
		j := job{meta: m}
		for i, mt := range w.matchers {
			if wt := mt.Wants(&j.meta); wt.Any() {
				j.want.Content = j.want.Content || wt.Content
				j.want.Digest = j.want.Digest || wt.Digest
				j.want.Hashes |= wt.Hashes
				j.which = append(j.which, i)
			}
		}
		if len(j.which) == 0 {
			return nil
		}
		if w.opt.MaxFiles > 0 && w.cov.content.Load()+w.cov.hashed.Load() >= w.opt.MaxFiles {
			w.stop("files")
			return fs.SkipAll
		}
		select {
		case jobs <- j:
		case <-ctx.Done():
			return fs.SkipAll
		}
		return nil
	})
}

// enterDir decides whether the walk enters a directory.
func (w *walker) enterDir(p string, d fs.DirEntry, root string, rootDev uint64) error {
	info, err := d.Info()
	if err != nil {
		return w.walkErr(p, d, err)
	}
	st := statOf(info)
	if st == nil {
		w.cov.dirs.Add(1)
		return nil
	}
	dev := uint64(st.Dev)
	if p != root && dev != rootDev {
		if name, bad := w.badDevs[dev]; bad {
			w.cov.skip(SkipMountType, p+" ("+name+")")
			return fs.SkipDir
		}
		if !w.opt.CrossFS {
			w.cov.skip(SkipOtherFS, p)
			return fs.SkipDir
		}
	}
	id := FileID{dev, uint64(st.Ino)}
	if w.visited[id] {
		w.cov.skip(SkipLoop, p)
		return fs.SkipDir
	}
	w.visited[id] = true
	w.cov.dirs.Add(1)
	return nil
}

// walkErr counts an entry the walk could not read and carries on.
func (w *walker) walkErr(p string, d fs.DirEntry, err error) error {
	if errors.Is(err, target.ErrPseudoFS) {
		w.cov.skip(SkipPseudoFS, p)
	} else {
		w.countErr(p, err)
	}
	if d != nil && d.IsDir() {
		return fs.SkipDir
	}
	return nil
}

// countErr counts an entry that could not be read: gone (not a gap),
// unreadable or failing (a gap each, up to maxErrorGaps).
func (w *walker) countErr(p string, err error) {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		w.cov.skip(SkipVanished, p)
	case errors.Is(err, fs.ErrPermission):
		w.cov.skip(SkipPermission, p)
		w.gap(p, err)
	default:
		w.cov.errors.Add(1)
		w.gap(p, err)
	}
}

func (w *walker) meta(p, root string, info fs.FileInfo) Meta {
	m := Meta{Path: p, Name: path.Base(p), Dir: path.Dir(p), Root: root, Size: info.Size(),
		Mode: info.Mode(), ModTime: info.ModTime(), Place: places.Of(p)}
	if st := statOf(info); st != nil {
		m.UID, m.GID, m.Dev, m.Ino, m.Blocks = st.Uid, st.Gid, uint64(st.Dev), st.Ino, st.Blocks
		m.Ctime = time.Unix(st.Ctim.Sec, st.Ctim.Nsec)
	}
	return m
}

// gap records an unreadable path: the first maxErrorGaps one by one, the
// rest counted in the summary.
func (w *walker) gap(p string, err error) {
	if w.errGaps.Add(1) > maxErrorGaps {
		return
	}
	w.repMu.Lock()
	defer w.repMu.Unlock()
	target.Record(w.rep, p, err)
}

// summaryGaps records what the walk skipped, one gap per reason, and a
// budget stop.
func (w *walker) summaryGaps(cov Coverage) {
	w.repMu.Lock()
	defer w.repMu.Unlock()
	if n := w.errGaps.Load(); n > maxErrorGaps {
		w.rep.GapMsg(model.GapError, "", model.Msg("files.gap.more-errors", n-maxErrorGaps))
	}
	for _, r := range cov.Reasons() {
		switch r {
		case SkipSymlink, SkipVanished, SkipPermission, SkipError:
			// Symlinks are never followed by design; vanished files are not
			// a gap; unreadable ones have their own gaps above.
			continue
		}
		w.cov.mu.Lock()
		ex := w.cov.example[r]
		w.cov.mu.Unlock()
		w.rep.GapMsg(model.GapSkipped, ex, model.Msg("files.gap.skip."+r, cov.Skipped[r], ex))
	}
	if cov.Stopped != "" {
		w.rep.GapMsg(model.GapSkipped, "", model.Msg("files.gap.stopped."+cov.Stopped))
	}
}

// lockedReporter serialises matcher hits and gaps to the walk's reporter
// and completes hits with the file's facts.
// With hold, the hits wait (in held) for flush: the file is hashed for
// their evidence only once a matcher reported one.
type lockedReporter struct {
	w    *walker
	f    *File
	hold bool
	held []Hit
}

func (l *lockedReporter) Hit(h Hit) {
	if h.Path == "" && l.f != nil {
		h.Path = l.f.Path
	}
	if l.hold {
		l.held = append(l.held, h)
		return
	}
	if l.f != nil && h.Path == l.f.Path {
		h.SHA256, h.ModTime, h.Size = l.f.SHA256, l.f.ModTime, l.f.Size
	}
	h.Text = clipText(h.Text)
	l.w.cov.hits.Add(1)
	l.w.repMu.Lock()
	defer l.w.repMu.Unlock()
	l.w.rep.Hit(h)
}

// flush reports the held hits, with the digest computed since.
func (l *lockedReporter) flush() {
	l.hold = false
	for _, h := range l.held {
		l.Hit(h)
	}
	l.held = nil
}

func (l *lockedReporter) GapMsg(kind model.GapKind, p string, m model.Message) {
	l.w.repMu.Lock()
	defer l.w.repMu.Unlock()
	l.w.rep.GapMsg(kind, p, m)
}
