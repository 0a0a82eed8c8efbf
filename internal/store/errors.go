package store

import (
	"errors"
	"fmt"
	"github.com/vigil-ir/vigil/internal/model"
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

// Error is a store error for people: one of the Err* kinds above (for
// errors.Is), its English text, and the same as a message id with
// arguments (rules/messages/store.yaml) so that the CLI says it in the
// reader's language. A test keeps the English of both equal.
type Error struct {
	Kind error
	Msg  model.Message
	en   string
	err  error // the underlying error, if any
}

func (e *Error) Error() string { return e.en }

// Is makes errors.Is(err, ErrCorrupt) and the like hold.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.err }

// Message is the error as a message, for rendering in a language.
func (e *Error) Message() model.Message { return e.Msg }

// storeErr makes an *Error of kind: en is the English format with args, id
// its message id (the arguments are the same).
func storeErr(kind error, cause error, id, en string, args ...any) error {
	return &Error{Kind: kind, Msg: model.Msg(id, args...), en: fmt.Sprintf(kind.Error()+en, args...), err: cause}
}

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
		return storeErr(ErrBusy, err, "store.err.busy", ": %s: another vigil held it for longer than %s: %s", path, busyTimeout.String(), err.Error())
	case sqlite3.SQLITE_FULL:
		return storeErr(ErrNotWritable, err, "store.err.disk-full", ": %s: the disk is full: %s", path, err.Error())
	}
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
		return notWritable(path, err)
	}
	return fmt.Errorf("store %s: %w", path, err)
}

func corrupt(path string, err error) error {
	return storeErr(ErrCorrupt, err, "store.err.corrupt", ": %[1]s is not a readable vigil store (damaged, truncated or not a database): %[2]s; "+
		"move it aside (mv %[1]s %[1]s.bad) so the next scan starts a new store, or use --store PATH", path, err.Error())
}

func notWritable(path string, err error) error {
	return storeErr(ErrNotWritable, err, "store.err.not-writable", ": %s: %s; run as root, or keep the store elsewhere with --store PATH (or VIGIL_STORE), "+
		"or scan with --no-store", path, err.Error())
}

func foreign(path string) error {
	return storeErr(ErrForeign, nil, "store.err.foreign", ": %s is a database of another program; give vigil its own file with --store", path)
}

func newerSchema(path string, v int) error {
	return storeErr(ErrNewerSchema, nil, "store.err.newer-schema", ": %s has schema version %d, this vigil knows up to %d; upgrade vigil, or use another --store",
		path, v, LatestSchema())
}
