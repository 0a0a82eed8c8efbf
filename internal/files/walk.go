package files

import (
	"context"
	"errors"
	"io/fs"
	"os"
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

// job is one file to read, with the matchers that want it: what the walk's
// Visit hands to its Content call (target.WalkEntry.Carry).
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
	budget   context.Context // ends at MaxTime or at a budget stop
	cancel   context.CancelFunc
	stopped  atomic.Value // string
	errs     firstGaps    // unreadable paths: the first maxErrorGaps in walk order get a gap
	excluded map[FileID]bool
	badDevs  map[uint64]string // devices of excluded mount types (live)
	readers  readerPool

	roots     []string // directory start paths (the spec's roots)
	fileRoots []string // start paths that are files
	rootDevs  []uint64 // device of each directory root, set when the walk visits it

	visitMu sync.Mutex
	visited map[FileID]bool // directories entered

	start    time.Time
	last     atomic.Int64 // unix nanoseconds of the walk's last visit
	est      *estimate    // the listing ahead for the progress ETA (nil without progress)
	done     chan struct{}
	estEnd   context.CancelFunc
	ticker   sync.WaitGroup
	finished bool
}

// Scan is a file walk as a part of a target walk (target.WalkSpecs): Spec
// is what it asks of the walk — its places, and the content of the files
// its matchers want, read once for all of them — and Finish, once the walk
// has ended, completes it (the files given as start paths, the walk's
// errors, the matchers' judgements over the whole walk, the gaps) and
// returns its coverage. The engine's files check runs it in the scan's one
// walk; Walk runs it alone.
type Scan struct{ w *walker }

// NewScan prepares a file walk of opt.Roots of t for matchers, reporting
// their hits and the walk's gaps to rep (whose methods are called one at a
// time). Its budgets (Options.MaxTime ...) count from now.
func NewScan(t *target.Target, matchers []Matcher, rep Reporter, opt Options) *Scan {
	opt = opt.withDefaults()
	w := &walker{t: t, opt: opt, matchers: matchers, rep: rep, cov: newCounter(),
		excluded: map[FileID]bool{}, visited: map[FileID]bool{}, start: time.Now(), done: make(chan struct{})}
	w.readers.opt = opt
	w.budget, w.cancel = context.WithCancel(context.Background())
	if opt.MaxTime > 0 {
		w.budget, w.cancel = context.WithTimeout(context.Background(), opt.MaxTime)
	}
	for _, id := range opt.ExcludeIDs {
		w.excluded[id] = true
	}
	if t.IsLive() {
		w.badDevs = excludedDevices(t)
	}
	all := w.startPaths()
	w.rootDevs = make([]uint64, len(w.roots))
	estCtx, estEnd := context.WithCancel(w.budget)
	w.estEnd = estEnd
	if opt.Progress != nil {
		w.est = &estimate{}
		w.ticker.Add(2)
		go func() {
			defer w.ticker.Done()
			w.est.run(estCtx, w, all)
		}()
		go func() {
			defer w.ticker.Done()
			w.progress()
		}()
	}
	return &Scan{w: w}
}

// Spec is the scan's part of a target walk: its directory start paths, a
// Visit that judges each entry from its metadata (and asks for the content
// of the files a matcher wants), and the Content that reads such a file
// once and hands it to every matcher that wants it.
func (s *Scan) Spec() target.WalkSpec {
	return target.WalkSpec{Roots: s.w.roots, Visit: s.w.visit, Content: s.w.content}
}

// Finish completes the scan after the walk, given the spec's result: it
// reads the start paths that are files, counts what the walk could not
// read, runs the matchers' judgements over the whole walk (Finisher),
// records the gaps and returns the coverage. ctx is the walk's: when it
// was cancelled the coverage says so.
func (s *Scan) Finish(ctx context.Context, res target.WalkResult) Coverage {
	w := s.w
	if w.finished {
		return w.cov.snapshot()
	}
	w.finished = true
	for _, e := range res.Errors {
		if errors.Is(e.Err, target.ErrPseudoFS) {
			w.cov.skip(SkipPseudoFS, e.Path)
			continue
		}
		w.countErr(e.Path, e.Err)
	}
	for _, p := range w.fileRoots {
		if ctx.Err() != nil || w.stopReason() != "" {
			break
		}
		w.readPath(ctx, p)
	}
	w.stopProgress()
	if ctx.Err() != nil && w.stopReason() == "" {
		w.stop("cancelled")
	}
	for _, m := range w.matchers {
		if f, ok := m.(Finisher); ok {
			f.Finish(&lockedReporter{w: w})
		}
	}
	cov := w.cov.snapshot()
	cov.Duration = w.elapsed()
	cov.Stopped = w.stopReason()
	w.summaryGaps(cov)
	w.cancel()
	return cov
}

// Walk walks opt.Roots of t once, on its own (one spec of target.WalkSpecs
// with opt.Workers workers), reading each file that a matcher wants once,
// and reports the matchers' hits and the walk's gaps to rep. It returns
// what was covered.
func Walk(ctx context.Context, t *target.Target, matchers []Matcher, rep Reporter, opt Options) Coverage {
	s := NewScan(t, matchers, rep, opt)
	res := t.WalkSpecs(ctx, []target.WalkSpec{s.Spec()}, s.w.opt.Workers)
	return s.Finish(ctx, res[0])
}

// elapsed is the time from the scan's start to its last visit (or now,
// before the walk visited anything): the walk's time, not the time a
// check waited for its turn afterwards.
func (w *walker) elapsed() time.Duration {
	if last := w.last.Load(); last > 0 {
		return time.Unix(0, last).Sub(w.start)
	}
	return time.Since(w.start)
}

func (w *walker) progress() {
	tick := time.NewTicker(w.opt.ProgressEvery)
	defer tick.Stop()
	for {
		select {
		case <-w.done:
			return
		case <-tick.C:
			c := w.cov.snapshot()
			c.Duration = time.Since(w.start)
			w.est.fill(&c)
			w.opt.Progress(c)
		}
	}
}

// stopProgress ends the progress line's goroutines: no progress call
// after Finish.
func (w *walker) stopProgress() {
	close(w.done)
	w.estEnd()
	w.ticker.Wait()
}

func (w *walker) stop(reason string) {
	w.stopped.CompareAndSwap(nil, reason)
	w.cancel()
}

func (w *walker) stopReason() string {
	s, _ := w.stopped.Load().(string)
	return s
}

// spent reports whether a budget ended the scan (the time budget is
// recorded as the stop when it is the first to run out).
func (w *walker) spent() bool {
	if w.stopReason() != "" {
		return true
	}
	if errors.Is(w.budget.Err(), context.DeadlineExceeded) {
		w.stop("time")
		return true
	}
	return false
}

// startPaths resolves the roots inside the target (a root that is a symlink,
// such as /bin on a merged-/usr system, is walked where it points), drops
// roots that are absent or inside another root, so no file is walked twice,
// and sorts the rest into directories (w.roots) and files (w.fileRoots). It
// returns them all.
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
		fi, err := w.t.Lstat(r)
		switch {
		case err != nil:
			w.countErr(r, err)
		case fi.IsDir():
			w.roots = append(w.roots, r)
		case fi.Mode().IsRegular():
			w.fileRoots = append(w.fileRoots, r)
		case fi.Mode()&fs.ModeSymlink != 0:
			w.cov.skip(SkipSymlink, r)
		default:
			w.cov.skip(SkipSpecial, r)
		}
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

// visit is the spec's judgement of one entry (called from the walk's
// workers concurrently): directories are entered or not, symlinks and
// special files counted, and a regular file that a matcher wants is kept,
// its job carried to content. Once a budget is spent, everything is pruned.
func (w *walker) visit(e *target.WalkEntry) (keep, prune bool) {
	w.last.Store(time.Now().UnixNano())
	p := e.Path
	if w.spent() {
		if e.Type.IsRegular() {
			w.cov.skip(SkipBudget, p)
		}
		return false, true
	}
	if e.IsDir() {
		if st, err := e.Lstat(); err == nil && (e.Depth == 0 || st.Dev != w.rootDevs[e.Root]) {
			if _, ok := e.PseudoFS(); ok {
				w.cov.skip(SkipPseudoFS, p)
				return false, true
			}
		}
	}
	if !utf8.ValidString(p) {
		w.cov.odd.Add(1)
	}
	if w.isExcludedPath(p) {
		w.cov.skip(SkipExcluded, p)
		return false, true
	}
	typ := e.Type
	switch {
	case e.IsDir():
		return false, !w.enterDir(e)
	case typ&fs.ModeSymlink != 0:
		w.cov.skip(SkipSymlink, p)
		return false, false
	case !typ.IsRegular():
		w.cov.skip(SkipSpecial, p)
		return false, false
	}
	info, err := e.Info()
	if err != nil {
		w.countErr(p, err)
		return false, false
	}
	if !info.Mode().IsRegular() { // the listing's type was stale
		w.cov.skip(SkipSpecial, p)
		return false, false
	}
	w.cov.seen.Add(1)
	j := w.wants(w.meta(p, w.roots[e.Root], info))
	if j == nil {
		return false, false
	}
	if w.opt.MaxFiles > 0 && w.cov.content.Load()+w.cov.hashed.Load() >= w.opt.MaxFiles {
		w.stop("files")
		w.cov.skip(SkipBudget, p)
		return false, true
	}
	e.Carry = j
	return true, false
}

// wants asks every matcher about a file: its job, or nil when none wants
// it (or it is one of the files never read).
func (w *walker) wants(m Meta) *job {
	if w.excluded[FileID{m.Dev, m.Ino}] {
		w.cov.skip(SkipExcluded, m.Path)
		return nil
	}
	j := &job{meta: m}
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
	return j
}

// content reads a file visit kept, once, for the matchers that want it.
func (w *walker) content(ctx context.Context, e *target.WalkEntry, f *os.File, err error) {
	j, ok := e.Carry.(*job)
	if !ok {
		return
	}
	if err != nil {
		w.openErr(e.Path, err)
		return
	}
	r := w.readers.get()
	defer w.readers.put(r)
	w.read(ctx, r, j, f)
}

// enterDir decides whether the walk enters a directory.
func (w *walker) enterDir(e *target.WalkEntry) bool {
	st, err := e.Lstat()
	if err != nil {
		w.countErr(e.Path, err)
		return false
	}
	dev := uint64(st.Dev)
	if e.Depth == 0 {
		w.rootDevs[e.Root] = dev
	} else if dev != w.rootDevs[e.Root] {
		if name, bad := w.badDevs[dev]; bad {
			w.cov.skip(SkipMountType, e.Path+" ("+name+")")
			return false
		}
		if !w.opt.CrossFS {
			w.cov.skip(SkipOtherFS, e.Path)
			return false
		}
	}
	id := FileID{dev, uint64(st.Ino)}
	w.visitMu.Lock()
	seen := w.visited[id]
	w.visited[id] = true
	w.visitMu.Unlock()
	if seen {
		w.cov.skip(SkipLoop, e.Path)
		return false
	}
	w.cov.dirs.Add(1)
	return true
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

// gap notes an unreadable path: the first maxErrorGaps in walk order get a
// gap each at the end, the rest are counted in the summary.
func (w *walker) gap(p string, err error) { w.errs.add(p, err) }

// summaryGaps records the unreadable paths, what the walk skipped (one gap
// per reason), and a budget stop.
func (w *walker) summaryGaps(cov Coverage) {
	w.repMu.Lock()
	defer w.repMu.Unlock()
	first, n := w.errs.list()
	for _, g := range first {
		target.Record(w.rep, g.path, g.err)
	}
	if n > maxErrorGaps {
		w.rep.GapMsg(model.GapError, "", model.Msg("files.gap.more-errors", n-maxErrorGaps))
	}
	for _, r := range cov.Reasons() {
		switch r {
		case SkipSymlink, SkipVanished, SkipPermission, SkipError:
			// Symlinks are never followed by design; vanished files are not
			// a gap; unreadable ones have their own gaps above.
			continue
		}
		ex := w.cov.exampleOf(r)
		w.rep.GapMsg(model.GapSkipped, ex, model.Msg("files.gap.skip."+r, cov.Skipped[r], ex))
	}
	if cov.Stopped != "" {
		w.rep.GapMsg(model.GapSkipped, "", model.Msg("files.gap.stopped."+cov.Stopped))
	}
}
