package integrity

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"sync"
	"syscall"

	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Walks implements engine.Walker: every file of the target (walkRoots),
// for setuid/setgid files no package installed, file capabilities, and
// world-writable files where commands and libraries live. The scan's one
// walk lists and stats them; visit keeps the few that need judging.
//
// The lstat of each file the package database records a digest for is
// kept aside (walkStats), so that verifying the packages does not stat
// them again by path.
func (d *Detector) Walks(env *engine.Env) []target.WalkSpec {
	t, db, stats := env.Target, inventory.Packages(env).DB, walkStats(env)
	return []target.WalkSpec{{Roots: walkRoots, Visit: func(e *target.WalkEntry) (bool, bool) {
		keep, prune := visit(t, e)
		if e.Type.IsRegular() && db.Recorded(e.Path) {
			if st, err := e.Lstat(); err == nil {
				stats.put(e.Path, st)
			}
		}
		return keep, prune
	}}}
}

// pkgStats are the lstat results of package files met by the walk.
type pkgStats struct {
	mu sync.Mutex
	m  map[string]*syscall.Stat_t
}

func (s *pkgStats) put(p string, st *syscall.Stat_t) {
	s.mu.Lock()
	s.m[p] = st
	s.mu.Unlock()
}

// info returns the walk's lstat of p as an fs.FileInfo, nil when the walk
// did not meet p there (the caller stats it). Read after the walk.
func (s *pkgStats) info(p string) fs.FileInfo {
	st := s.m[p]
	if st == nil {
		return nil
	}
	return target.StatInfo(path.Base(p), st)
}

// walkStats is this scan's pkgStats.
func walkStats(env *engine.Env) *pkgStats {
	return engine.Shared(env, "integrity.walk-stats", func(*target.Target, target.Recorder) *pkgStats {
		return &pkgStats{m: map[string]*syscall.Stat_t{}}
	})
}

// visit keeps what the check judges (walk.go's kept) and prunes the trees
// it does not walk. It runs in the walk's workers: it only reads.
func visit(t *target.Target, e *target.WalkEntry) (keep, prune bool) {
	p := e.Path
	if e.IsDir() {
		if e.Depth > 0 {
			if reason, ok := skipTrees[p]; ok {
				return reason != "", true
			}
			if otherRoot(t, p) {
				return true, true
			}
		}
		if binDirs[p] || isLibRoot(p) {
			return e.Mode().Perm()&0o002 != 0, false
		}
		return false, false
	}
	if !e.Type.IsRegular() {
		return false, false // symlinks are not followed; FIFOs, sockets, devices hold no code
	}
	st, err := e.Lstat()
	if err != nil {
		return true, false // a gap
	}
	if st.Mode&(syscall.S_ISUID|syscall.S_ISGID) != 0 {
		return true, false
	}
	if st.Mode&0o111 != 0 {
		// File capabilities act only at exec: a file nobody can run
		// gains nothing from them, and one getxattr per file of a
		// lived-in host costs more than the rest of the walk (a file
		// made executable later is seen by the next scan).
		if _, err := e.Lgetxattr(capAttr); !errors.Is(err, target.ErrNoAttr) {
			return true, false
		}
	}
	return st.Mode&0o002 != 0 && (inBinDir(p) || underLib(p)), false
}

// walk judges what the walk kept: setuid files, capabilities,
// world-writable places, and the trees it did not enter.
func (r *run) walk(ctx context.Context) error {
	res, err := r.env.Walked(ctx)
	if err != nil {
		return err
	}
	w := &walker{run: r, shells: r.shellDigests(), dirMode: map[string]fs.FileMode{}, homes: r.userHomes()}
	for _, e := range res[0].Errors {
		if !errors.Is(e.Err, target.ErrPseudoFS) {
			target.Record(w.env, e.Path, e.Err)
		}
	}
	for i := range res[0].Kept {
		w.kept(&res[0].Kept[i])
	}
	return nil
}

// kept judges one entry visit kept.
func (w *walker) kept(e *target.WalkEntry) {
	p := e.Path
	if e.IsDir() {
		switch reason, skipped := skipTrees[p]; {
		case skipped && e.Depth > 0:
			w.env.GapMsg(model.GapSkipped, p, model.Msg(reason))
		case binDirs[p] || isLibRoot(p):
			if fi, err := e.Info(); err == nil {
				w.worldWritable(p, fi)
			}
		default:
			w.env.GapMsg(model.GapSkipped, p, model.Msg("integrity.gap.other-root"))
		}
		return
	}
	fi, err := e.Info()
	if err != nil {
		target.Record(w.env, p, err)
		return
	}
	m := fi.Mode()
	if m&(fs.ModeSetuid|fs.ModeSetgid) != 0 {
		w.setuid(p, fi)
	}
	if m.Perm()&0o111 != 0 {
		raw, err := e.Lgetxattr(capAttr)
		w.capabilities(p, raw, err)
	}
	if m.Perm()&0o002 != 0 && (inBinDir(p) || underLib(p)) {
		w.worldWritable(p, fi)
	}
}
