package target

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Open opens the entry, a regular file, for reading: relative to its open
// directory during the walk (by host path once that is closed), never
// following a symlink (O_NOFOLLOW), without touching its access time where
// the kernel permits it (O_NOATIME), never blocking (O_NONBLOCK). Anything
// but a regular file is refused with ErrNotRegular before any read, and a
// file replaced since it was listed (another inode, or a symlink put in
// its place) with fs.ErrNotExist: it is not the file the walk met.
func (e *WalkEntry) Open() (*os.File, error) {
	flags := unix.O_RDONLY | unix.O_NOFOLLOW | unix.O_NONBLOCK | unix.O_CLOEXEC
	at, p := unix.AT_FDCWD, e.hostPath()
	if e.dirfd >= 0 {
		at, p = e.dirfd, e.Name
	}
	fd, err := unix.Openat(at, p, flags|unix.O_NOATIME, 0)
	if errors.Is(err, unix.EPERM) {
		fd, err = unix.Openat(at, p, flags, 0)
	}
	if errors.Is(err, unix.ELOOP) {
		err = fmt.Errorf("%w (replaced by a symlink)", fs.ErrNotExist)
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: e.Path, Err: err}
	}
	f := os.NewFile(uintptr(fd), e.Path)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		f.Close()
		return nil, &fs.PathError{Op: "stat", Path: e.Path, Err: err}
	}
	if m := modeOf(st.Mode); !m.IsRegular() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: e.Path, Err: fmt.Errorf("%w (%s)", ErrNotRegular, FileKind(m))}
	}
	if ls, lerr := e.Lstat(); lerr == nil && (ls.Ino != st.Ino || ls.Dev != st.Dev) {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: e.Path, Err: fmt.Errorf("%w (replaced since listed)", fs.ErrNotExist)}
	}
	return f, nil
}

// PseudoFS reports whether the entry, a directory, is on a kernel
// pseudo-filesystem, and which (a walk never enters one; a Visit that
// judges mounts asks before it judges the directory as another
// filesystem).
func (e *WalkEntry) PseudoFS() (string, bool) {
	var sfs unix.Statfs_t
	var err error
	if e.dirfd >= 0 {
		// statfs of the directory itself: open it without following.
		fd, oerr := unix.Openat(e.dirfd, e.Name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_DIRECTORY, 0)
		if oerr != nil {
			return "", false
		}
		err = unix.Fstatfs(fd, &sfs)
		_ = unix.Close(fd)
	} else {
		err = unix.Statfs(e.hostPath(), &sfs)
	}
	if err != nil {
		return "", false
	}
	name, ok := pseudoFS[int64(sfs.Type)]
	return name, ok
}

// contentFile is an entry opened once for every spec that asks for its
// content (WalkSpec.Content): each gets it from its first byte.
type contentFile struct {
	f      *os.File
	err    error
	opened bool
}

func (c *contentFile) open(e *WalkEntry) (*os.File, error) {
	if !c.opened {
		c.opened = true
		c.f, c.err = e.Open()
		return c.f, c.err
	}
	if c.f != nil {
		if _, err := c.f.Seek(0, io.SeekStart); err != nil {
			return nil, &fs.PathError{Op: "seek", Path: e.Path, Err: err}
		}
	}
	return c.f, c.err
}

func (c *contentFile) close() {
	if c.f != nil {
		_ = c.f.Close()
	}
}

// Times returns the entry's modification, change and birth times (statx,
// relative to its open directory during the walk, never following a
// symlink), read when asked; the birth time is zero where the filesystem
// does not record it.
func (e *WalkEntry) Times() (m, c, b time.Time, err error) {
	at, p := unix.AT_FDCWD, e.hostPath()
	if e.dirfd >= 0 {
		at, p = e.dirfd, e.Name
	}
	var stx unix.Statx_t
	if err := unix.Statx(at, p, unix.AT_SYMLINK_NOFOLLOW|unix.AT_STATX_DONT_SYNC,
		unix.STATX_MTIME|unix.STATX_CTIME|unix.STATX_BTIME, &stx); err != nil {
		return m, c, b, &fs.PathError{Op: "statx", Path: e.Path, Err: err}
	}
	ts := func(t unix.StatxTimestamp) time.Time { return time.Unix(t.Sec, int64(t.Nsec)).UTC() }
	m, c = ts(stx.Mtime), ts(stx.Ctime)
	if stx.Mask&unix.STATX_BTIME != 0 && stx.Btime.Sec != 0 {
		b = ts(stx.Btime)
	}
	return m, c, b, nil
}
