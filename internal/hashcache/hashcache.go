// Package hashcache remembers, per target, what the package-integrity check
// hashed, so that a rescan rehashes only files whose metadata changed.
//
// What the shortcut trusts: a file whose device, inode, size, mtime and
// ctime all equal what they were when it was hashed still has the content
// that was hashed. ctime cannot be set from user space (touch -d resets
// mtime, and moves ctime to now), so a content change followed by a reset
// mtime is still seen. An intruder who rewinds the system clock before
// writing, or writes the raw block device, defeats it; a full pass (vigil
// scan --full, and automatically when the last one is older than a week or
// the store changed outside Vigil) does not trust the cache at all.
//
// Detectors never see the store: they get a *Table through the engine's
// options; internal/app loads it from a Store before the scan and saves it
// after.
package hashcache

import (
	"context"
	"io/fs"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// MaxAge is how old the last full pass may be before the next scan is a
// full pass again.
const MaxAge = 7 * 24 * time.Hour

// RacyWindow: an entry whose file changed (mtime or ctime) less than this
// before it was hashed is not trusted. Filesystems keep coarse timestamps
// (a kernel tick; 2 s on FAT), so a write just after hashing could leave
// every field as it was hashed; git's "racy clean" rule, applied the same
// way.
const RacyWindow = 2 * time.Second

// Meta is the identity of a file's content as stat(2) tells it.
type Meta struct {
	Dev, Ino uint64
	Size     int64
	MtimeNs  int64
	CtimeNs  int64
}

// MetaOf reads Meta from an Lstat result; ok is false when the platform
// gives no stat data.
func MetaOf(fi fs.FileInfo) (Meta, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st == nil {
		return Meta{}, false
	}
	return Meta{
		Dev:     uint64(st.Dev), //nolint:unconvert // the width differs by platform
		Ino:     st.Ino,
		Size:    st.Size,
		MtimeNs: st.Mtim.Nano(),
		CtimeNs: st.Ctim.Nano(),
	}, true
}

// Entry is what was hashed: the file's metadata then, the algorithm and
// the digest (the verdict is the digest compared with the package's
// record, which is re-read every scan), and when it was hashed.
type Entry struct {
	Meta
	Algo     string
	Digest   []byte
	HashedNs int64 // wall clock, Unix nanoseconds, when hashing started
}

// Trusted reports whether e may stand for a file with metadata m hashed
// with algo: every metadata field equal, the same algorithm, a digest, and
// the file's last change well before it was hashed (RacyWindow).
func (e Entry) Trusted(m Meta, algo string) bool {
	if len(e.Digest) == 0 || e.Algo != algo || e.Meta != m || m.CtimeNs == 0 {
		return false
	}
	limit := e.HashedNs - int64(RacyWindow)
	return e.MtimeNs < limit && e.CtimeNs < limit
}

// Snapshot is one target's cache as stored.
type Snapshot struct {
	Entries  map[string]Entry
	LastFull time.Time // when the last complete full pass started
	// Intact (when loaded) is false when the store's file changed outside
	// Vigil since Vigil last wrote it (so its entries may have been forged).
	Intact bool
	// Full (when saved) says the entries come from a full pass, which makes
	// the store trusted again.
	Full bool
}

// Store keeps snapshots by target key. The SQLite store implements it;
// Memory is the in-memory one.
type Store interface {
	// LoadHashes returns the target's snapshot (empty, with Intact as the
	// store knows it, when there is none).
	LoadHashes(ctx context.Context, target string) (Snapshot, error)
	// SaveHashes replaces the target's snapshot.
	SaveHashes(ctx context.Context, target string, s Snapshot) error
}

// Pass reasons.
const (
	ReasonRequested = "requested (--full)"
	ReasonFirst     = "no earlier pass of this target"
	ReasonForeign   = "the store changed outside vigil since its last write"
	ReasonOld       = "the last full pass is older than a week"
	ReasonClock     = "the last full pass is in the future (clock changed)"
)

// Decide says whether a scan at now must hash every file, and why.
func Decide(s Snapshot, now time.Time, requested bool) (full bool, reason string) {
	switch {
	case requested:
		return true, ReasonRequested
	case !s.Intact:
		return true, ReasonForeign
	case s.LastFull.IsZero():
		return true, ReasonFirst
	case s.LastFull.After(now.Add(time.Minute)):
		return true, ReasonClock
	case now.Sub(s.LastFull) > MaxAge:
		return true, ReasonOld
	}
	return false, ""
}

// Table is one scan's view of a target's cache: the loaded entries to
// trust, and the entries this scan confirms or computes. Safe for
// concurrent use; a nil *Table trusts nothing and records nothing.
type Table struct {
	old      map[string]Entry // read-only after New
	full     bool
	reason   string
	lastFull time.Time
	started  time.Time

	mu       sync.Mutex
	cur      map[string]Entry
	changed  bool
	complete bool

	hits, hashed atomic.Int64
}

// New makes the table for a scan starting at now from the stored snapshot;
// full forces a full pass (vigil scan --full), which Decide may also
// choose.
func New(s Snapshot, now time.Time, full bool) *Table {
	t := &Table{old: s.Entries, lastFull: s.LastFull, started: now, cur: map[string]Entry{}}
	t.full, t.reason = Decide(s, now, full)
	if t.full {
		t.old = nil
	}
	return t
}

// Full reports whether this scan hashes every file, and why.
func (t *Table) Full() (bool, string) {
	if t == nil {
		return true, "no cache"
	}
	return t.full, t.reason
}

// Lookup returns the digest recorded for path when its entry is trusted
// for metadata m and algo; the entry is kept for the next scan.
func (t *Table) Lookup(path string, m Meta, algo string) ([]byte, bool) {
	if t == nil || t.old == nil {
		return nil, false
	}
	e, ok := t.old[path]
	if !ok || !e.Trusted(m, algo) {
		return nil, false
	}
	t.hits.Add(1)
	t.mu.Lock()
	t.cur[path] = e
	t.mu.Unlock()
	return e.Digest, true
}

// Put records that path, with metadata m taken before hashing, hashed to
// digest.
func (t *Table) Put(path string, m Meta, algo string, digest []byte) {
	if t == nil {
		return
	}
	t.hashed.Add(1)
	e := Entry{Meta: m, Algo: algo, Digest: append([]byte(nil), digest...), HashedNs: t.started.UnixNano()}
	t.mu.Lock()
	t.cur[path] = e
	t.changed = true
	t.mu.Unlock()
}

// Complete marks the pass finished: every package file was looked up or
// hashed. Only a complete pass is saved (and only a complete full pass
// counts as the last full pass).
func (t *Table) Complete() {
	if t == nil {
		return
	}
	t.mu.Lock()
	t.complete = true
	t.mu.Unlock()
}

// Stats is how many files were taken from the cache and how many hashed.
func (t *Table) Stats() (hits, hashed int64) {
	if t == nil {
		return 0, 0
	}
	return t.hits.Load(), t.hashed.Load()
}

// Result is the snapshot to save after the scan; ok is false when there is
// nothing new to save (the pass did not complete, or it only confirmed
// what was stored).
func (t *Table) Result() (s Snapshot, ok bool) {
	if t == nil {
		return Snapshot{}, false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.complete {
		return Snapshot{}, false
	}
	s = Snapshot{Entries: t.cur, LastFull: t.lastFull, Intact: true, Full: t.full}
	if t.full {
		s.LastFull = t.started
	}
	return s, t.full || t.changed || len(t.cur) != len(t.old)
}
