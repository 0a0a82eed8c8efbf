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

// loadFacts makes the scan's per-check fact tables (nil without a store):
// each is the check's own entry of the store's hash cache, loaded when the
// check first asks for it.
func loadFacts(ctx context.Context, st hashcache.Store, key string, now time.Time, full bool, warnf func(string, ...any)) *hashcache.Set {
	if st == nil {
		return nil
	}
	return hashcache.NewSet(func(check string) *hashcache.Table {
		return loadHashes(ctx, st, factsKey(key, check), now, full, warnf)
	})
}

// factsKey names check's fact table of the target with hash key key.
func factsKey(key, check string) string { return key + "\x00facts\x00" + check }

// saveFacts keeps each check's facts whose pass completed. A fact table
// never counts as the full pass that makes a changed store trusted again
// (only the integrity check's complete rehash does): its snapshot is
// saved as not full, with the time of its own last full pass.
func saveFacts(ctx context.Context, st hashcache.Store, key string, s *hashcache.Set, warnf func(string, ...any)) {
	if st == nil {
		return
	}
	s.Each(func(check string, t *hashcache.Table) {
		snap, ok := t.Result()
		if !ok {
			return
		}
		snap.Full = false
		if err := st.SaveHashes(ctx, factsKey(key, check), snap); err != nil {
			warnf("app.hashes.save-failed", err)
		}
	})
}
