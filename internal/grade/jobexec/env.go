package jobexec

import (
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"syscall"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/collect/users"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Indicator ids shared with other detectors (texts in rules/indicators.yaml).
const (
	IndWritable     = places.IndTemporary
	IndHidden       = places.IndHidden
	IndNotPackaged  = "not-from-package"
	IndModified     = "modified-package-file"
	IndAtBoot       = "at-boot"
	IndNonRootWrite = places.IndNonRootWrite
	IndNotRun       = "not-run"
	IndUnknownUser  = "unknown-user"
)

// Env is what grading needs to know about the target.
type Env struct {
	T     *target.Target
	Rec   target.Recorder
	DB    *pkgdb.DB // never nil
	Users *users.DB // never nil
	// RootUID and RootGID own the target's "/": uid 0 on a real system,
	// the analyst on an unprivileged extraction.
	RootUID, RootGID uint32
	rootKnown        bool
}

// New builds an Env from already loaded inventories (nil ones are
// replaced by empty ones).
func New(t *target.Target, rec target.Recorder, db *pkgdb.DB, u *users.DB) *Env {
	if db == nil {
		db = &pkgdb.DB{}
	}
	if u == nil {
		u = users.New(nil, nil, nil)
	}
	e := &Env{T: t, Rec: rec, DB: db, Users: u}
	if fi, err := t.Lstat("/"); err == nil {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			e.RootUID, e.RootGID, e.rootKnown = st.Uid, st.Gid, true
		}
	}
	return e
}

// Known reports whether a package database was read.
func (e *Env) Known() bool { return e.DB.Format() != "" }

// Owner returns the package that installed p, model.NoPackage, or "" when
// no package database was read (ownership unknown).
func (e *Env) Owner(p string) string {
	if !e.Known() {
		return ""
	}
	return e.DB.OwnerOrNone(p)
}

// Packaged reports whether a package installed p.
func (e *Env) Packaged(p string) bool {
	o := e.Owner(p)
	return o != "" && o != model.NoPackage
}

// Pristine reports whether p is exactly what its package shipped.
func (e *Env) Pristine(p string) bool { return e.Known() && e.DB.Pristine(e.T, p) }

// Origin describes where a file comes from, for grading and evidence.
type Origin struct {
	Package  string // owner, model.NoPackage, or "" when unknown
	Pristine bool   // packaged and unchanged
	Modified bool   // packaged but changed since
}

// Unowned reports whether the file is known not to come from a package.
func (o Origin) Unowned() bool { return o.Package == model.NoPackage }

// Indicator returns not-from-package or modified-package-file, or "".
func (o Origin) Indicator() string {
	switch {
	case o.Unowned():
		return IndNotPackaged
	case o.Modified:
		return IndModified
	}
	return ""
}

// OriginOf looks p up in the package database.
func (e *Env) OriginOf(p string) Origin {
	o := Origin{Package: e.Owner(p)}
	if o.Package != "" && o.Package != model.NoPackage {
		o.Pristine = e.Pristine(p)
		o.Modified = !o.Pristine
	}
	return o
}

// statOwner returns uid, gid and mode of fi.
func statOwner(fi fs.FileInfo) (uid, gid uint32, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return st.Uid, st.Gid, true
}

// UIDName names a uid with the target's accounts.
func (e *Env) UIDName(uid uint32) string { return e.Users.UserName(int(uid)) }

// IsRootUID reports whether uid is the target's root.
func (e *Env) IsRootUID(uid uint32) bool { return uid == 0 || (e.rootKnown && uid == e.RootUID) }

// groupHasUsers reports whether a group other than root's has members that
// are not root: only then does group write access hand the file to
// someone else (Debian's staff or crontab groups are normally empty).
func (e *Env) groupHasUsers(gid uint32) bool {
	if gid == 0 || (e.rootKnown && gid == e.RootGID) {
		return false
	}
	if g, ok := e.Users.GroupByGID(int(gid)); ok {
		for _, m := range g.Members {
			if m != "root" {
				return true
			}
		}
	}
	for _, u := range e.Users.Users {
		if u.GID == int(gid) && u.UID != 0 {
			return true
		}
	}
	return false
}

// WriterOf explains how a non-root account can change the file at p (or
// replace it through its directory). It returns "" when only root can.
// Symlinks are followed; the directory checked is that of the resolved
// file.
func (e *Env) WriterOf(p string) string {
	fi, err := e.T.Stat(p)
	if err != nil {
		return ""
	}
	if w := e.writerOfInfo(fi, ""); w != "" {
		return w
	}
	real, err := e.T.Resolve(p)
	if err != nil {
		return ""
	}
	dir := path.Dir(real)
	if dir == "/" {
		return ""
	}
	di, err := e.T.Stat(dir)
	if err != nil {
		return ""
	}
	return e.writerOfInfo(di, dir)
}

// writerOfInfo checks one file (dir == "") or the directory dir holding it.
func (e *Env) writerOfInfo(fi fs.FileInfo, dir string) string {
	uid, gid, ok := statOwner(fi)
	if !ok {
		return ""
	}
	what := "file"
	if dir != "" {
		what = "directory " + dir
	}
	mode := fi.Mode()
	switch {
	case !e.IsRootUID(uid):
		return fmt.Sprintf("%s owned by %s", what, e.UIDName(uid))
	case mode.Perm()&0o002 != 0 && !(dir != "" && mode&fs.ModeSticky != 0):
		return what + " is world-writable"
	case mode.Perm()&0o020 != 0 && e.groupHasUsers(gid) && !(dir != "" && mode&fs.ModeSticky != 0):
		return fmt.Sprintf("%s is writable by group %s", what, e.groupName(gid))
	}
	return ""
}

func (e *Env) groupName(gid uint32) string {
	if g, ok := e.Users.GroupByGID(int(gid)); ok {
		return g.Name
	}
	return strconv.FormatUint(uint64(gid), 10)
}

// FileWriter is WriterOf for a configuration file itself (not its
// directory), with Lstat semantics for the ownership of a symlink's
// target.
func (e *Env) FileWriter(fi fs.FileInfo) string { return e.writerOfInfo(fi, "") }

// DirWriter is WriterOf for a directory itself.
func (e *Env) DirWriter(dir string) string {
	fi, err := e.T.Stat(dir)
	if err != nil || !fi.IsDir() {
		return ""
	}
	uid, gid, ok := statOwner(fi)
	if !ok {
		return ""
	}
	mode := fi.Mode()
	switch {
	case !e.IsRootUID(uid):
		return "owned by " + e.UIDName(uid)
	case mode.Perm()&0o002 != 0:
		return "world-writable"
	case mode.Perm()&0o020 != 0 && e.groupHasUsers(gid):
		return "writable by group " + e.groupName(gid)
	}
	return ""
}

// OwnerUID returns the owner of the file described by fi.
func OwnerUID(fi fs.FileInfo) (uint32, bool) {
	uid, _, ok := statOwner(fi)
	return uid, ok
}
