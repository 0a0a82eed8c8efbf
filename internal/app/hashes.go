package app

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-ir/vigil/internal/hashcache"
	"github.com/vigil-ir/vigil/internal/model"
)

// HashTargetKey names a target's hash cache: the live host and each --root
// path are separate targets, and so is each machine (a copy of a machine
// mounted elsewhere, or another image at the same mount point, never
// shares entries: its files' device and inode numbers would differ anyway).
func HashTargetKey(ti model.TargetInfo) string {
	kind := "root"
	if ti.Live {
		kind = "live"
	}
	return fmt.Sprintf("%s\x00%s\x00%s", kind, ti.Root, ti.Key())
}

// loadHashes makes the scan's hash table from the store (nil without
// one). A store that cannot be read gives an empty table: a full pass.
func loadHashes(ctx context.Context, st hashcache.Store, key string, now time.Time, full bool, warnf func(string, ...any)) *hashcache.Table {
	if st == nil {
		return nil
	}
	snap, err := st.LoadHashes(ctx, key)
	if err != nil {
		warnf("app.hashes.load-failed", err)
		snap = hashcache.Snapshot{}
	}
	return hashcache.New(snap, now, full)
}

// saveHashes keeps what the scan hashed, when its pass completed and
// changed anything.
func saveHashes(ctx context.Context, st hashcache.Store, key string, t *hashcache.Table, warnf func(string, ...any)) {
	snap, ok := t.Result()
	if st == nil || !ok {
		return
	}
	if err := st.SaveHashes(ctx, key, snap); err != nil {
		warnf("app.hashes.save-failed", err)
	}
}
