package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"syscall"

	"github.com/vigil-ir/vigil/internal/hashcache"
)

// HashStore is the store's part for the package-integrity hash cache: a
// small interface of its own (hashcache.Store), not a part of Store.
type HashStore = hashcache.Store

var _ HashStore = (*SQLite)(nil)

// LoadHashes implements hashcache.Store. The snapshot is Intact only when
// the database file is as Vigil left it when it last closed it (see seal).
// A damaged blob loads as an empty snapshot: the scan hashes everything.
func (s *SQLite) LoadHashes(ctx context.Context, target string) (hashcache.Snapshot, error) {
	snap := hashcache.Snapshot{Intact: s.intact}
	var lastFull string
	var blob []byte
	err := s.db.QueryRowContext(ctx, `SELECT last_full, entries FROM file_hashes WHERE target = ?`, target).Scan(&lastFull, &blob)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return snap, nil
	case err != nil:
		return snap, classify(s.path, err)
	}
	entries, err := hashcache.Decode(blob)
	if err != nil {
		return snap, nil
	}
	snap.Entries, snap.LastFull = entries, parseTime(lastFull)
	return snap, nil
}

// SaveHashes implements hashcache.Store. A saved full pass makes the file
// trusted again: the seal is rewritten on Close.
func (s *SQLite) SaveHashes(ctx context.Context, target string, snap hashcache.Snapshot) error {
	blob := hashcache.Encode(snap.Entries)
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO file_hashes(target, last_full, saved, n_entries, entries) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT(target) DO UPDATE SET last_full = excluded.last_full, saved = excluded.saved,
			n_entries = excluded.n_entries, entries = excluded.entries`,
			target, formatTime(snap.LastFull), formatTime(s.now()), len(snap.Entries), blob)
		return err
	})
	if err == nil && snap.Full {
		s.mu.Lock()
		s.resealed = true
		s.mu.Unlock()
	}
	return err
}

// The seal: after Vigil closes the database it records the file's
// identity, size, mtime and ctime (and the size of a left-over -wal file)
// in PATH.seal. On open, a database that does not match its seal was
// changed by something else (or by a Vigil that crashed), and the hash
// cache is not trusted until a full pass is saved. A seal is rewritten only
// by a process that found the file intact, or saved a full pass.
type seal struct {
	Dev     uint64 `json:"dev"`
	Ino     uint64 `json:"ino"`
	Size    int64  `json:"size"`
	MtimeNs int64  `json:"mtime_ns"`
	CtimeNs int64  `json:"ctime_ns"`
	WALSize int64  `json:"wal_size"`
}

func sealPath(db string) string { return db + ".seal" }

// currentSeal describes the database file as it is now.
func currentSeal(db string) (seal, bool) {
	fi, err := os.Stat(db)
	if err != nil {
		return seal{}, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return seal{}, false
	}
	m, _ := hashcache.MetaOf(fi)
	out := seal{Dev: m.Dev, Ino: st.Ino, Size: st.Size, MtimeNs: m.MtimeNs, CtimeNs: m.CtimeNs}
	if wi, err := os.Stat(db + "-wal"); err == nil {
		out.WALSize = wi.Size()
	}
	return out, true
}

// sealIntact reports whether the database file matches its seal.
func sealIntact(db string) bool {
	b, err := os.ReadFile(sealPath(db))
	if err != nil {
		return false
	}
	var want seal
	if json.Unmarshal(b, &want) != nil {
		return false
	}
	got, ok := currentSeal(db)
	return ok && got == want
}

// writeSeal records the closed database's state (best effort: a read-only
// directory leaves the old seal, and the next scan hashes everything).
func writeSeal(db string) {
	cur, ok := currentSeal(db)
	if !ok {
		return
	}
	b, _ := json.Marshal(cur)
	tmp := sealPath(db) + ".tmp"
	if os.WriteFile(tmp, b, 0o600) != nil {
		os.Remove(tmp)
		return
	}
	if os.Rename(tmp, sealPath(db)) != nil {
		os.Remove(tmp)
	}
}
