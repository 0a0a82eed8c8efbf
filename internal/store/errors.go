package store

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Errors a caller can test with errors.Is. The wrapped message always names
// the store's path and says what to do.
var (
	// ErrCorrupt: the file is not a SQLite database, or it is damaged
	// (truncated, overwritten).
	ErrCorrupt = errors.New("store is damaged")
	// ErrNewerSchema: the store was written by a newer Vigil.
	ErrNewerSchema = errors.New("store was written by a newer vigil")
	// ErrNotWritable: the store or its directory cannot be written
	// (read-only medium, permissions).
	ErrNotWritable = errors.New("store is not writable")
	// ErrBusy: another process held the store longer than the busy timeout.
	ErrBusy = errors.New("store is busy")
	// ErrForeign: the file is a SQLite database of some other program.
	ErrForeign = errors.New("not a vigil store")
	// ErrNotFound: no such scan, suppression or fingerprint.
	ErrNotFound = errors.New("not found")
	// ErrNoStore: the store file does not exist (read-only commands do not
	// create it).
	ErrNoStore = errors.New("no store")
)

// sqliteCode returns the primary SQLite result code in err, or 0.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

// classify turns a low-level error met while using the store at path into
// one of the package's errors with advice. Errors it does not recognise are
// wrapped with the path only.
func classify(path string, err error) error {
	if err == nil {
		return nil
	}
	for _, known := range []error{ErrCorrupt, ErrNewerSchema, ErrNotWritable, ErrBusy, ErrForeign, ErrNotFound, ErrNoStore} {
		if errors.Is(err, known) {
			return err
		}
	}
	switch sqliteCode(err) {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return corrupt(path, err)
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH:
		return notWritable(path, err)
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return fmt.Errorf("%w: %s: another vigil held it for longer than %s: %v", ErrBusy, path, busyTimeout, err)
	case sqlite3.SQLITE_FULL:
		return fmt.Errorf("%w: %s: the disk is full: %v", ErrNotWritable, path, err)
	}
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
		return notWritable(path, err)
	}
	return fmt.Errorf("store %s: %w", path, err)
}

func corrupt(path string, err error) error {
	return fmt.Errorf("%w: %s is not a readable vigil store (damaged, truncated or not a database): %v; "+
		"move it aside (mv %s %s.bad) so the next scan starts a new store, or use --store PATH", ErrCorrupt, path, err, path, path)
}

func notWritable(path string, err error) error {
	return fmt.Errorf("%w: %s: %v; run as root, or keep the store elsewhere with --store PATH (or VIGIL_STORE), "+
		"or scan with --no-store", ErrNotWritable, path, err)
}
