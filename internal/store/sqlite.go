package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// busyTimeout is how long a writer waits for another one to finish: a
// 10,000-finding scan saves in a fraction of a second, so this is generous.
const busyTimeout = 15 * time.Second

// sqliteHeader starts every SQLite 3 database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// Options tune Open.
type Options struct {
	// Now is the store's clock (audit times, expiry); time.Now when nil.
	Now func() time.Time
	// MustExist makes Open fail with ErrNoStore instead of creating a new
	// store: commands that only read never create one.
	MustExist bool
	// ReadOnly opens an existing store for queries only (scans, findings,
	// show, diff): nothing is written, not even its schema, so a store on
	// write-protected media or a copy handed over read-only can be read.
	ReadOnly bool
}

// SQLite is the embedded store.
type SQLite struct {
	db       *sql.DB
	path     string
	now      func() time.Time
	readOnly bool // opened with Options.ReadOnly: nothing is written

	// intact: the file matched its seal when opened (hashes.go); resealed:
	// this process saved a full hash pass, so its seal may be renewed.
	intact   bool
	mu       sync.Mutex
	resealed bool
}

var _ Store = (*SQLite)(nil)

// Open opens the store at path, creating it (directory 0700, file 0600)
// unless opt.MustExist, and migrates its schema to LatestSchema.
func Open(ctx context.Context, path string, opt Options) (*SQLite, error) {
	return open(ctx, path, opt, LatestSchema())
}

func open(ctx context.Context, path string, opt Options, schema int) (*SQLite, error) {
	if path == "" {
		return nil, errors.New("store: no path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	if err := prepareFile(abs, opt.MustExist || opt.ReadOnly); err != nil {
		return nil, err
	}
	s := &SQLite{path: abs, now: opt.Now, intact: sealIntact(abs)}
	if s.now == nil {
		s.now = time.Now
	}
	if opt.ReadOnly {
		return s, s.openReadOnly(ctx)
	}
	// Immediate transactions take the write lock at BEGIN, so a writer
	// waits (busy_timeout) instead of failing when it would have to
	// upgrade a read lock another writer holds. WAL lets readers go on
	// while a scan is saved; synchronous=NORMAL is durable across a crash
	// of vigil, and costs the last transaction only on power loss.
	dsn := "file:" + (&url.URL{Path: abs}).EscapedPath() + fmt.Sprintf(
		"?_busy_timeout=%d&_journal_mode=WAL&_synchronous=NORMAL&_foreign_keys=1&_txlock=immediate",
		busyTimeout.Milliseconds())
	if s.db, err = sql.Open("sqlite", dsn); err != nil {
		return nil, classify(abs, err)
	}
	s.db.SetMaxOpenConns(4)
	// Switching a new file to WAL needs an exclusive lock, and SQLite does
	// not wait for it (two openers would deadlock): retry for as long as a
	// writer would wait.
	deadline := time.Now().Add(busyTimeout)
	for {
		err = s.db.PingContext(ctx)
		if err == nil {
			err = s.migrate(ctx, schema)
		}
		if err == nil || sqliteCode(err) != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			break
		}
		s.db.Close()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(10+rand.IntN(40)) * time.Millisecond):
		}
		if s.db, err = sql.Open("sqlite", dsn); err != nil {
			return nil, classify(abs, err)
		}
		s.db.SetMaxOpenConns(4)
	}
	if err != nil {
		s.db.Close()
		return nil, classify(abs, err)
	}
	return s, nil
}

// openReadOnly opens the store for queries only. SQLite opens a WAL
// database read-only when it may create the -shm file beside it; where it
// may not (a read-only directory or medium) the file is opened immutable:
// no locks, no shared memory, which is right for a store nobody can write.
// A store of an older schema is not migrated: a writing command must
// open it first.
func (s *SQLite) openReadOnly(ctx context.Context) error {
	s.readOnly = true
	base := "file:" + (&url.URL{Path: s.path}).EscapedPath() + fmt.Sprintf("?mode=ro&_busy_timeout=%d", busyTimeout.Milliseconds())
	var lastErr error
	for _, dsn := range []string{base, base + "&immutable=1"} {
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			return classify(s.path, err)
		}
		db.SetMaxOpenConns(4)
		v, err := schemaVersion(ctx, db)
		if err != nil {
			db.Close()
			lastErr = err
			continue
		}
		switch {
		case v > LatestSchema():
			db.Close()
			return newerSchema(s.path, v)
		case v < LatestSchema():
			db.Close()
			return storeErr(ErrNotWritable, nil, "store.err.old-schema", ": %s has schema version %d and is opened read-only; run a writing command (vigil scan) on it once, where it can be written, to bring it to version %d",
				s.path, v, LatestSchema())
		}
		s.db = db
		return nil
	}
	if errors.Is(lastErr, ErrForeign) {
		return foreign(s.path)
	}
	return classify(s.path, lastErr)
}

// prepareFile makes sure the store's directory exists (0700) and that the
// file is absent, empty or starts like a SQLite database, so that a garbage
// file is reported as such before SQLite is asked to make sense of it. A new
// file is created 0600: SQLite gives its -wal and -shm files the same mode.
func prepareFile(path string, mustExist bool) error {
	st, err := os.Stat(path)
	switch {
	case err == nil:
		if !st.Mode().IsRegular() {
			return storeErr(ErrCorrupt, nil, "store.err.not-regular", ": %s is not a regular file", path)
		}
		return checkHeader(path, st.Size())
	case !errors.Is(err, fs.ErrNotExist):
		return classify(path, err)
	case mustExist:
		return storeErr(ErrNoStore, nil, "store.err.no-store", " at %s: no scan has been saved there yet (vigil scan saves one; see --store)", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return notWritable(path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil // another vigil created it just now
	}
	if err != nil {
		return notWritable(path, err)
	}
	return f.Close()
}

func checkHeader(path string, size int64) error {
	if size == 0 {
		return nil // created but never written: SQLite initialises it
	}
	f, err := os.Open(path)
	if err != nil {
		return classify(path, err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteHeader))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, sqliteHeader) {
		return storeErr(ErrCorrupt, nil, "store.err.no-header", ": %[1]s is not a readable vigil store: the file does not start with a SQLite header; "+
			"move it aside (mv %[1]s %[1]s.bad) so the next scan starts a new store, or use --store PATH", path)
	}
	return nil
}

// Path implements Store.
func (s *SQLite) Path() string { return s.path }

// Close implements Store. It renews the seal (hashes.go) when the file was
// intact at open or this process saved a full hash pass.
func (s *SQLite) Close() error {
	err := s.db.Close()
	s.mu.Lock()
	renew := (s.intact || s.resealed) && !s.readOnly
	s.mu.Unlock()
	if err == nil && renew {
		writeSeal(s.path)
	}
	return err
}

// timeLayout is fixed-width so that stored times sort as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		t, _ = time.Parse(time.RFC3339Nano, s)
	}
	return t
}

// withTx runs fn in one write transaction.
func (s *SQLite) withTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	return s.inTx(tx, err, fn)
}

// inTx runs fn in tx (whose BeginTx returned err) and commits it when fn
// succeeds.
func (s *SQLite) inTx(tx *sql.Tx, err error, fn func(*sql.Tx) error) error {
	if err != nil {
		return classify(s.path, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return classify(s.path, err)
	}
	return classify(s.path, tx.Commit())
}
