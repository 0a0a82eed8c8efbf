package files

import (
	"context"
	"io/fs"
	"sync/atomic"
)

// maxEstimate bounds the entries the estimate lists: past it the walk
// shows no ETA rather than spend more on counting.
const maxEstimate = 5_000_000

// estimate is a listing of the walk's start paths ahead of the walk,
// metadata only, for the progress line's ETA: regular files and their
// bytes up to the content limit, under the walk's rules (one filesystem
// unless CrossFS, excluded paths, each directory once). It runs only when
// progress is shown; the directory entries it lists are in the kernel's
// cache when the walk gets there.
type estimate struct {
	files, bytes atomic.Int64
	done         atomic.Bool
}

// run lists roots; it gives up (done stays false) at maxEstimate entries
// or when ctx ends.
func (e *estimate) run(ctx context.Context, w *walker, roots []string) {
	var entries int64
	visited := map[FileID]bool{}
	for _, root := range roots {
		fi, err := w.t.Lstat(root)
		if err != nil {
			continue
		}
		var rootDev uint64
		if st := statOf(fi); st != nil {
			rootDev = uint64(st.Dev)
		}
		stopped := false
		_ = w.t.Walk(root, func(p string, d fs.DirEntry, err error) error {
			entries++
			if ctx.Err() != nil || entries > maxEstimate {
				stopped = true
				return fs.SkipAll
			}
			if err != nil || w.isExcludedPath(p) {
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if !d.IsDir() && !d.Type().IsRegular() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return nil
			}
			st := statOf(info)
			if d.IsDir() {
				if st == nil {
					return nil
				}
				id := FileID{uint64(st.Dev), st.Ino}
				if (p != root && uint64(st.Dev) != rootDev && !w.opt.CrossFS) || visited[id] {
					return fs.SkipDir
				}
				visited[id] = true
				return nil
			}
			e.files.Add(1)
			e.bytes.Add(min(info.Size(), w.opt.ContentCap+max(w.opt.TailCap, 0)))
			return nil
		})
		if stopped {
			return
		}
	}
	e.done.Store(true)
}

// fill adds the estimate to a progress snapshot once it is complete.
func (e *estimate) fill(c *Coverage) {
	if e == nil || !e.done.Load() {
		return
	}
	c.EstFiles, c.EstBytes = e.files.Load(), e.bytes.Load()
}

// ETA is the time left, from the share of the estimated files seen so far
// (0 without an estimate or before the first file).
func (c Coverage) ETA() (left int64, ok bool) {
	if c.EstFiles <= 0 || c.Seen <= 0 || c.Duration <= 0 {
		return 0, false
	}
	if c.Seen >= c.EstFiles {
		return 0, true
	}
	per := float64(c.Duration) / float64(c.Seen)
	return int64(per * float64(c.EstFiles-c.Seen)), true
}
