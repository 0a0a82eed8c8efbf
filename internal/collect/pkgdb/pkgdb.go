package pkgdb

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"io/fs"
	"iter"
	"path"
	"strings"
	"sync"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Package is one installed package.
type Package struct {
	Name    string // as the package manager names it; dpkg multi-arch: "libc6:amd64"
	Version string
	Arch    string
	// Source is the source package the binary package was built from
	// (dpkg Source:, rpm SOURCERPM's name, apk origin); "" when the
	// database does not say (dpkg then means: the same as the binary name).
	Source string
	// SourceVersion is the source package's version when it differs from
	// Version (dpkg "Source: name (version)", binNMUs); "" otherwise.
	SourceVersion string
}

// SourceName returns the source package name, falling back to the binary
// package name without its architecture (dpkg omits Source: when the two
// are equal).
func (p Package) SourceName() string {
	if p.Source != "" {
		return p.Source
	}
	return bareName(p.Name)
}

// SourceVer returns the source package's version (Version when the
// database records no other).
func (p Package) SourceVer() string {
	if p.SourceVersion != "" {
		return p.SourceVersion
	}
	return p.Version
}

// Digest algorithms, as Digest reports them.
const (
	AlgoMD5    = "md5"
	AlgoSHA1   = "sha1"
	AlgoSHA256 = "sha256"
	AlgoSHA512 = "sha512"
)

var algoNames = [...]string{"", AlgoMD5, AlgoSHA1, AlgoSHA256, AlgoSHA512}

type algo uint8

const (
	algoNone algo = iota
	algoMD5
	algoSHA1
	algoSHA256
	algoSHA512
)

func (a algo) String() string {
	if int(a) < len(algoNames) {
		return algoNames[a]
	}
	return ""
}

func (a algo) size() int {
	switch a {
	case algoMD5:
		return md5.Size
	case algoSHA1:
		return sha1.Size
	case algoSHA256:
		return sha256.Size
	case algoSHA512:
		return sha512.Size
	}
	return 0
}

func (a algo) new() hash.Hash {
	switch a {
	case algoMD5:
		return md5.New()
	case algoSHA1:
		return sha1.New()
	case algoSHA256:
		return sha256.New()
	case algoSHA512:
		return sha512.New()
	}
	return nil
}

// entry flags.
const (
	flagConffile uint8 = 1 << iota
	flagDiverted       // the package's file was diverted here (dpkg-divert)
)

// entry is one path's record, kept small: a stock server has ~100k paths.
type entry struct {
	pkg   uint32 // index into DB.pkgs
	dig   uint32 // offset of the raw digest in DB.pool
	algo  algo   // algoNone: no digest (directory, symlink, ghost)
	flags uint8
}

// DB is a loaded package database. The zero DB (Format "") owns nothing.
type DB struct {
	format string
	pkgs   []Package
	files  map[string]uint32 // canonical path -> index in ents
	ents   []entry
	pool   []byte            // raw digests, back to back
	usr    map[string]string // merged-/usr aliases: "/bin" -> "/usr/bin"
	divert map[string]string // dpkg: diverted path -> diverted-to path
	// alt holds the other digests recorded for a path that several
	// packages list (files moved between packages across the merged-/usr
	// alias keep a stale record in the old package's list).
	alt map[uint32][]altDigest

	mu       sync.Mutex
	pristine map[string]bool

	problems []Problem
}

// Problem is a package database that exists on the target but did not
// parse, whole or in part. It hides what the package checks would show: a
// file of a package whose record was lost looks unowned, and a database
// that does not parse at all leaves every file unjudged. An intruder who
// damages the database blinds integrity checks.
type Problem struct {
	Path   string        // the database file
	Format string        // dpkg, rpm, apk
	Whole  bool          // nothing of it could be used
	Bad    int           // records skipped (when not Whole)
	Note   model.Message // what went wrong, for the finding (rules/messages/traces.yaml)
	Empty  bool          // the file holds nothing but white space
}

// Problems returns the databases that exist and did not parse, whole or in
// part (nil when every database present parsed).
func (db *DB) Problems() []Problem { return append([]Problem(nil), db.problems...) }

// Format names the database read: "dpkg", "rpm", "apk", or "" when none.
func (db *DB) Format() string { return db.format }

// Packages returns the installed packages, sorted by name.
func (db *DB) Packages() []Package { return append([]Package(nil), db.pkgs...) }

// Len is the number of paths the database knows (files and directories).
func (db *DB) Len() int { return len(db.files) }

// Owner returns the package that installed path. For a dpkg-diverted file
// the owner of the diverted-to path is the package whose file was moved
// there; the original path belongs to the diverting package, if any.
func (db *DB) Owner(p string) (string, bool) {
	e, ok := db.lookup(p)
	if !ok {
		return "", false
	}
	return db.pkgs[e.pkg].Name, true
}

// OwnerOrNone returns the owner of p or model.NoPackage, for Evidence.Package.
func (db *DB) OwnerOrNone(p string) string {
	if o, ok := db.Owner(p); ok {
		return o
	}
	return model.NoPackage
}

// Digest returns the digest the package recorded for path, as an algorithm
// name and a lower-case hex string. ok is false for unowned paths and for
// owned paths without a digest (directories, symlinks).
func (db *DB) Digest(p string) (algoName, hexsum string, ok bool) {
	e, ok := db.lookup(p)
	if !ok || e.algo == algoNone {
		return "", "", false
	}
	return e.algo.String(), hex.EncodeToString(db.raw(e)), true
}

// IsConffile reports whether path is a configuration file of its package
// (dpkg conffile, rpm %config), which the admin is expected to edit.
func (db *DB) IsConffile(p string) bool {
	e, ok := db.lookup(p)
	return ok && e.flags&flagConffile != 0
}

// IsDiverted reports whether path holds a package file moved there by
// dpkg-divert (the file is the package's, under another name).
func (db *DB) IsDiverted(p string) bool {
	e, ok := db.lookup(p)
	return ok && e.flags&flagDiverted != 0
}

// DivertedTo returns where dpkg-divert moved the package files of path p.
func (db *DB) DivertedTo(p string) (string, bool) {
	to, ok := db.divert[db.canon(p)]
	return to, ok
}

// File is one path with its recorded digest, as Files yields it.
type File struct {
	Path     string // canonical (merged-/usr) spelling
	Package  string
	Algo     string // "" when the package recorded no digest
	Digest   []byte // raw digest; do not modify
	Conffile bool
	Diverted bool
}

// Files yields every owned path with a recorded digest, in no particular
// order.
func (db *DB) Files() iter.Seq[File] {
	return func(yield func(File) bool) {
		for p, i := range db.files {
			e := db.ents[i]
			if e.algo == algoNone {
				continue
			}
			f := File{Path: p, Package: db.pkgs[e.pkg].Name, Algo: e.algo.String(), Digest: db.raw(e),
				Conffile: e.flags&flagConffile != 0, Diverted: e.flags&flagDiverted != 0}
			if !yield(f) {
				return
			}
		}
	}
}

func (db *DB) raw(e entry) []byte {
	n := e.algo.size()
	if int(e.dig)+n > len(db.pool) {
		return nil
	}
	return db.pool[e.dig : int(e.dig)+n : int(e.dig)+n]
}

func (db *DB) lookup(p string) (entry, bool) {
	i, ok := db.index(p)
	if !ok {
		return entry{}, false
	}
	return db.ents[i], true
}

func (db *DB) index(p string) (uint32, bool) {
	if db == nil || db.files == nil {
		return 0, false
	}
	i, ok := db.files[db.canon(p)]
	return i, ok
}

// canon cleans p and rewrites a merged-/usr alias prefix ("/bin/x" ->
// "/usr/bin/x" when /bin -> usr/bin on the target).
func (db *DB) canon(p string) string {
	if len(p) == 0 || p[0] != '/' || strings.Contains(p, "//") || strings.Contains(p, "/.") || (len(p) > 1 && p[len(p)-1] == '/') {
		p = target.Clean(p)
	}
	if len(db.usr) == 0 {
		return p
	}
	top := p
	if i := strings.IndexByte(p[1:], '/'); i >= 0 {
		top = p[:i+1]
	}
	if to, ok := db.usr[top]; ok {
		return to + p[len(top):]
	}
	return p
}

// canonBytes is canon for a path in a byte buffer, written into dst
// without allocating. fast is false when p needs cleaning: the caller then
// takes the string path.
func (db *DB) canonBytes(dst, p []byte) (key []byte, fast bool) {
	if len(p) == 0 || p[0] != '/' || bytes.Contains(p, []byte("//")) || bytes.Contains(p, []byte("/.")) || p[len(p)-1] == '/' {
		return dst, false
	}
	if len(db.usr) > 0 {
		top := p
		if i := bytes.IndexByte(p[1:], '/'); i >= 0 {
			top = p[:i+1]
		}
		if to, ok := db.usr[string(top)]; ok {
			return append(append(dst, to...), p[len(top):]...), true
		}
	}
	return append(dst, p...), true
}

// mergedUsrDirs are the top-level directories that merged-/usr turns into
// symlinks into /usr.
var mergedUsrDirs = []string{"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/libo32"}

// detectMergedUsr finds top-level directories that are symlinks into /usr
// (or, on odd systems, /usr dirs that are symlinks to the top level).
func detectMergedUsr(t *target.Target) map[string]string {
	m := map[string]string{}
	for _, d := range mergedUsrDirs {
		fi, err := t.Lstat(d)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			continue
		}
		if r, err := t.Resolve(d); err == nil && r == "/usr"+d {
			m[d] = r
		}
	}
	return m
}

// Load reads the target's package database. It never returns nil: with no
// database it returns an empty DB (Format "") and records a gap, so that
// "no owner" is never mistaken for "checked: not from a package".
func Load(t *target.Target, rec target.Recorder) *DB {
	var probs []Problem
	for _, load := range []func(*target.Target, target.Recorder, *[]Problem) (*DB, bool){loadDpkg, loadRPM, loadApk} {
		if db, ok := load(t, rec, &probs); ok {
			for _, p := range probs {
				// An empty database of another format beside the one
				// that loaded is a tool installed, not a system managed.
				if !p.Empty || p.Format == db.format {
					db.problems = append(db.problems, p)
				}
			}
			return db
		}
	}
	if len(probs) > 0 {
		rec.GapMsg(model.GapError, probs[0].Path, model.Msg("pkgdb.gap.unparsable"))
	} else {
		rec.GapMsg(model.GapSkipped, "", model.Msg("pkgdb.gap.none"))
	}
	return &DB{files: map[string]uint32{}, problems: probs}
}

// joinPath joins a package-relative path ("usr/bin/ls") to an absolute one.
func joinPath(p string) string {
	if strings.HasPrefix(p, "/") {
		return p
	}
	return path.Join("/", p)
}
