package places

import (
	"io/fs"
	"path"
	"syscall"

	"github.com/vigil-ir/vigil/internal/target"
)

// Writer says who besides root can change what is at a path.
type Writer struct {
	Dir   string // the first directory on the way (or the file) that others may write
	World bool   // world-writable (without the sticky bit, for directories)
	UID   int    // its owner when that is not root, else -1
}

// NonRootWritable walks from p up to "/" on target t and returns the first
// file or directory that someone other than root (rootUID: the owner of
// the target's "/", uid 0 on a real system) can write: world-writable
// without the sticky bit, group-writable by a non-root group, or owned by
// another user. ok is false when every step is root's alone, or when a step
// cannot be examined.
func NonRootWritable(t *target.Target, p string, rootUID uint32) (w Writer, ok bool) {
	p = path.Clean(p)
	for cur := p; ; cur = path.Dir(cur) {
		fi, err := t.Lstat(cur)
		if err == nil {
			if w, ok := writer(cur, fi, rootUID); ok {
				return w, true
			}
		}
		if cur == "/" || cur == "." {
			return Writer{}, false
		}
	}
}

// WorldWritable reports whether every user may change what fi describes:
// its "other" write bit is set and, for a directory, the sticky bit is
// not (with it, users may add files but not touch others'). Symlinks are
// never world-writable (their mode means nothing).
func WorldWritable(fi fs.FileInfo) bool {
	m := fi.Mode()
	return m&fs.ModeSymlink == 0 && m.Perm()&0o002 != 0 && !(fi.IsDir() && m&fs.ModeSticky != 0)
}

func writer(p string, fi fs.FileInfo, rootUID uint32) (Writer, bool) {
	st, _ := fi.Sys().(*syscall.Stat_t)
	m := fi.Mode()
	if m&fs.ModeSymlink != 0 {
		return Writer{}, false
	}
	sticky := m&fs.ModeSticky != 0
	if WorldWritable(fi) {
		return Writer{Dir: p, World: true, UID: -1}, true
	}
	if st != nil && st.Uid != rootUID && st.Uid != 0 {
		return Writer{Dir: p, UID: int(st.Uid)}, true
	}
	if st != nil && m.Perm()&0o020 != 0 && st.Gid != 0 && !(fi.IsDir() && sticky) {
		return Writer{Dir: p, UID: -1}, true
	}
	return Writer{}, false
}
