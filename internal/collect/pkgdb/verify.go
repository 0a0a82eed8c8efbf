package pkgdb

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/vigil-ir/vigil/internal/target"
)

// VerifyStatus is the outcome of Verify.
type VerifyStatus int

// Verify outcomes.
const (
	Unowned  VerifyStatus = iota // no package owns the path
	NoDigest                     // owned, but the package recorded no digest (directory, symlink)
	Match                        // content equals the recorded digest
	Modified                     // content differs, or a packaged file was replaced by another kind of file
	Missing                      // owned, with a digest, but absent
)

func (s VerifyStatus) String() string {
	switch s {
	case Unowned:
		return "unowned"
	case NoDigest:
		return "no-digest"
	case Match:
		return "match"
	case Modified:
		return "modified"
	case Missing:
		return "missing"
	}
	return fmt.Sprintf("verify(%d)", int(s))
}

// Verify compares the file at p with the digest its package recorded. err
// is set when the file exists but cannot be read (status is then NoDigest).
func (db *DB) Verify(t *target.Target, p string) (VerifyStatus, error) {
	st, _, err := db.verify(t, p, nil, nil, nil)
	return st, err
}

// VerifyBuf is Verify with a caller-owned copy buffer (for workers hashing
// many files) that also returns the actual digest in hex when it was
// computed.
func (db *DB) VerifyBuf(t *target.Target, p string, buf []byte) (VerifyStatus, string, error) {
	return db.verify(t, p, nil, buf, nil)
}

// DigestCache lets VerifyCached skip hashing a regular file whose digest
// is known for its current metadata (internal/hashcache decides when an
// entry is trusted).
type DigestCache interface {
	// Lookup returns the digest of the file at p with Lstat result fi.
	Lookup(p string, fi fs.FileInfo, algo string) ([]byte, bool)
	// Put records the digest computed for the file at p, whose Lstat
	// result, taken before hashing, is fi.
	Put(p string, fi fs.FileInfo, algo string, sum []byte)
}

// VerifyCached is VerifyBuf with a digest cache; the verdict is always the
// (cached or computed) digest compared with the package's record.
func (db *DB) VerifyCached(t *target.Target, p string, buf []byte, c DigestCache) (VerifyStatus, string, error) {
	return db.verify(t, p, nil, buf, c)
}

// VerifyCachedInfo is VerifyCached with the file's lstat already read (by
// a walk that stat-ed every file); nil reads it.
func (db *DB) VerifyCachedInfo(t *target.Target, p string, fi fs.FileInfo, buf []byte, c DigestCache) (VerifyStatus, string, error) {
	return db.verify(t, p, fi, buf, c)
}

// Recorded reports whether p, exactly as given (a real path met by a walk,
// not canonicalised), is a file the database records a digest for: cheap
// enough to ask of every file of a walk.
func (db *DB) Recorded(p string) bool {
	if db == nil || db.files == nil {
		return false
	}
	i, ok := db.files[p]
	return ok && db.ents[i].algo != algoNone
}

func (db *DB) verify(t *target.Target, p string, fi fs.FileInfo, buf []byte, c DigestCache) (VerifyStatus, string, error) {
	i, ok := db.index(p)
	if !ok {
		return Unowned, "", nil
	}
	e := db.ents[i]
	if e.algo == algoNone {
		return NoDigest, "", nil
	}
	var err error
	if fi == nil {
		fi, err = t.Lstat(p)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Missing, "", nil
	case err != nil:
		return NoDigest, "", err
	case fi.Mode()&fs.ModeSymlink != 0 && db.format == "apk":
		// apk records the sha1 of a symlink's destination.
		dest, err := t.Readlink(p)
		if err != nil {
			return NoDigest, "", err
		}
		h := e.algo.new()
		h.Write([]byte(dest))
		return db.compare(i, e, h.Sum(nil))
	case !fi.Mode().IsRegular():
		// A packaged regular file replaced by a symlink, FIFO or directory.
		return Modified, "", nil
	}
	if c != nil {
		if sum, ok := c.Lookup(p, fi, e.algo.String()); ok {
			return db.compare(i, e, sum)
		}
	}
	sum, err := HashFile(t, p, e.algo.String(), buf)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Missing, "", nil
		}
		return NoDigest, "", err
	}
	if c != nil {
		c.Put(p, fi, e.algo.String(), sum)
	}
	return db.compare(i, e, sum)
}

func (db *DB) compare(i uint32, e entry, sum []byte) (VerifyStatus, string, error) {
	if string(sum) == string(db.raw(e)) {
		return Match, hex.EncodeToString(sum), nil
	}
	for _, a := range db.alt[i] {
		if string(sum) == string(db.raw(entry{dig: a.dig, algo: e.algo})) {
			return Match, hex.EncodeToString(sum), nil
		}
	}
	return Modified, hex.EncodeToString(sum), nil
}

// Pristine reports whether the file at p is exactly what its package
// installed (digest or conffile md5 matches). It is false when unknown:
// unowned, no digest, missing or unreadable. Results are cached.
func (db *DB) Pristine(t *target.Target, p string) bool {
	if db == nil || len(db.files) == 0 {
		return false
	}
	key := db.canon(p)
	db.mu.Lock()
	v, ok := db.pristine[key]
	db.mu.Unlock()
	if ok {
		return v
	}
	st, _ := db.Verify(t, p)
	v = st == Match
	db.mu.Lock()
	if db.pristine == nil {
		db.pristine = map[string]bool{}
	}
	db.pristine[key] = v
	db.mu.Unlock()
	return v
}

// HashFile hashes the regular file at target path p with the named
// algorithm ("md5", "sha1", "sha256", "sha512"), streaming through buf (a
// 64 KiB buffer is allocated when buf is nil) so memory stays bounded for
// any file size.
func HashFile(t *target.Target, p, algoName string, buf []byte) ([]byte, error) {
	a := algoByName(algoName)
	if a == algoNone {
		return nil, fmt.Errorf("hash %s: unknown algorithm %q", p, algoName)
	}
	f, err := t.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if len(buf) == 0 {
		buf = make([]byte, 64<<10)
	}
	h := a.new()
	// Hide *os.File's WriterTo so that CopyBuffer really uses buf.
	if _, err := io.CopyBuffer(h, struct{ io.Reader }{f}, buf); err != nil {
		return nil, fmt.Errorf("hash %s: %w", p, err)
	}
	return h.Sum(nil), nil
}
