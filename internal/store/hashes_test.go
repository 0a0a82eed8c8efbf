package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/hashcache"
)

func hashSnap(full bool) hashcache.Snapshot {
	return hashcache.Snapshot{Full: full, LastFull: t0, Entries: map[string]hashcache.Entry{
		"/usr/bin/ls": {Meta: hashcache.Meta{Dev: 1, Ino: 2, Size: 3, MtimeNs: 4, CtimeNs: 5}, Algo: "md5", Digest: []byte{1, 2}, HashedNs: 6},
	}}
}

func TestHashCacheStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vigil.db")
	// A store of the previous schema gains the table.
	old, err := open(ctx, path, Options{}, 2)
	if err != nil {
		t.Fatal(err)
	}
	old.Close()
	reopen := func() *SQLite {
		t.Helper()
		s, err := Open(ctx, path, Options{Now: func() time.Time { return t0 }})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := reopen()
	snap, err := s.LoadHashes(ctx, "live")
	if err != nil || len(snap.Entries) != 0 || snap.Intact {
		t.Fatalf("new cache: %+v %v (a store without a seal is not trusted)", snap, err)
	}
	if err := s.SaveHashes(ctx, "live", hashSnap(true)); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = reopen()
	snap, err = s.LoadHashes(ctx, "live")
	if err != nil || !snap.Intact || !snap.LastFull.Equal(t0) || snap.Entries["/usr/bin/ls"].CtimeNs != 5 {
		t.Fatalf("after a full pass: %+v %v", snap, err)
	}
	if other, _ := s.LoadHashes(ctx, "root\x00/mnt\x00machine-id:x"); len(other.Entries) != 0 {
		t.Fatalf("another target sees entries: %+v", other)
	}
	s.Close()

	// Something else writes the database: the cache is not trusted until
	// a full pass is saved, even across commands that only read.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE file_hashes SET saved = 'forged'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for range 2 {
		s = reopen()
		if snap, _ := s.LoadHashes(ctx, "live"); snap.Intact {
			t.Fatal("a database changed outside vigil is taken as intact")
		}
		if err := s.SaveHashes(ctx, "live", hashSnap(false)); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	s = reopen()
	if err := s.SaveHashes(ctx, "live", hashSnap(true)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = reopen()
	defer s.Close()
	if snap, _ := s.LoadHashes(ctx, "live"); !snap.Intact {
		t.Fatal("a saved full pass must make the store trusted again")
	}

	// A damaged blob is an empty cache, not an error.
	if _, err := s.db.Exec(`UPDATE file_hashes SET entries = X'00'`); err != nil {
		t.Fatal(err)
	}
	if snap, err := s.LoadHashes(ctx, "live"); err != nil || len(snap.Entries) != 0 {
		t.Fatalf("damaged blob: %+v %v", snap, err)
	}
}
