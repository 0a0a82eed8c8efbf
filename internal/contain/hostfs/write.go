package hostfs

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// openNoFollow opens a regular file for reading, refusing a symlink, a
// FIFO or a device (an attacker's file must not block or redirect Vigil).
func openNoFollow(hp string) (*os.File, error) {
	flags := unix.O_RDONLY | unix.O_NOFOLLOW | unix.O_NONBLOCK | unix.O_CLOEXEC
	// O_NOATIME: reading a file to hash or copy it must not move the
	// access time Vigil records and puts back (it needs ownership or
	// CAP_FOWNER, which a root responder has).
	fd, err := unix.Open(hp, flags|unix.O_NOATIME, 0)
	if errors.Is(err, unix.EPERM) {
		fd, err = unix.Open(hp, flags, 0)
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: hp, Err: err}
	}
	f := os.NewFile(uintptr(fd), hp)
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not a regular file", hp)
	}
	return f, nil
}

// Hash returns the SHA-256 of the regular file at hp.
func Hash(hp string) (string, error) {
	f, err := openNoFollow(hp)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// HashBytes is the SHA-256 of b, as Hash writes it.
func HashBytes(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// ReadFile reads the regular file at hp (no symlink, FIFO or device), at
// most limit bytes; a larger file is an error.
func ReadFile(hp string, limit int64) ([]byte, error) {
	f, err := openNoFollow(hp)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", hp, limit)
	}
	return b, nil
}

// CopyNew copies the regular file src to dst, which must not exist,
// creating it with mode perm, syncs it and its directory, and returns the
// SHA-256 of what was copied.
func CopyNew(src, dst string, perm os.FileMode) (string, error) {
	in, err := openNoFollow(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	return WriteNewFrom(in, dst, perm)
}

// WriteNewFrom writes what r holds to dst, which must not exist (mode
// perm), syncs it and its directory, and returns the SHA-256 written.
func WriteNewFrom(r io.Reader, dst string, perm os.FileMode) (string, error) {
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, perm)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(out, h), r)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), SyncDir(filepath.Dir(dst))
}

// SyncDir fsyncs a directory, so that a rename or a new entry in it is on disk.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, unix.EINVAL) {
		return err
	}
	return nil
}

// tempBeside creates a new empty file in the directory of hp, named
// after it, mode 0600.
func tempBeside(hp string) (*os.File, error) {
	return os.CreateTemp(filepath.Dir(hp), "."+filepath.Base(hp)+".vigil-*")
}

// Install writes data to hp with metadata m, atomically: a new file beside
// it, written, synced, given m, and renamed over hp (or into place when hp
// does not exist), then the directory is synced. A reader sees the old file
// or the new one, never a part. With noReplace, an existing hp is left as
// it is and the call fails with fs.ErrExist.
func Install(hp string, data []byte, m Meta, noReplace bool) error {
	f, err := tempBeside(hp)
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := Restore(tmp, m); err != nil {
		return err
	}
	if err := rename(tmp, hp, noReplace); err != nil {
		return err
	}
	ok = true
	return SyncDir(filepath.Dir(hp))
}

// InstallFrom puts back at hp, atomically and with metadata m, what src
// holds: the content of a regular file, or for a symlink (m.Link set) a
// new symlink. With noReplace an existing hp is never overwritten.
func InstallFrom(hp, src string, m Meta, noReplace bool) error {
	if m.Link == "" {
		data, err := ReadFile(src, 1<<40)
		if err != nil {
			return err
		}
		return Install(hp, data, m, noReplace)
	}
	tmp := filepath.Join(filepath.Dir(hp), "."+filepath.Base(hp)+".vigil-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	if err := os.Symlink(m.Link, tmp); err != nil {
		return err
	}
	if err := Restore(tmp, m); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := rename(tmp, hp, noReplace); err != nil {
		os.Remove(tmp)
		return err
	}
	return SyncDir(filepath.Dir(hp))
}

func rename(from, to string, noReplace bool) error {
	if !noReplace {
		return os.Rename(from, to)
	}
	err := unix.Renameat2(unix.AT_FDCWD, from, unix.AT_FDCWD, to, unix.RENAME_NOREPLACE)
	if errors.Is(err, unix.EEXIST) {
		return &fs.PathError{Op: "install", Path: to, Err: fs.ErrExist}
	}
	return err
}

// Remove removes the file at hp and syncs its directory; a file already
// gone is not an error (undo and recovery run again after a crash).
func Remove(hp string) error {
	if err := os.Remove(hp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return SyncDir(filepath.Dir(hp))
}

// MkdirPrivate makes dir (and parents) mode 0700 owned by the caller, and
// refuses a directory others can write or that belongs to someone else.
func MkdirPrivate(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if uid, _ := ownerOf(fi); uid != os.Geteuid() || fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s must be a directory of uid %d with mode 0700 (it is %v, uid %d)", dir, os.Geteuid(), fi.Mode().Perm(), uid)
	}
	return nil
}

// WriteNew writes data to hp atomically (a temporary file beside it,
// synced, renamed into place), mode perm, owned by the caller.
func WriteNew(hp string, data []byte, perm os.FileMode) error {
	f, err := tempBeside(hp)
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, perm)
	}
	if err == nil {
		err = os.Rename(tmp, hp)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return SyncDir(filepath.Dir(hp))
}

// Mkdir makes the directory hp (mode perm) and syncs its parent; one that
// exists already is not an error.
func Mkdir(hp string, perm os.FileMode) error {
	if err := os.Mkdir(hp, perm); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return SyncDir(filepath.Dir(hp))
}

// Symlink makes the symlink hp pointing at dest and syncs its directory;
// the same link there already is not an error.
func Symlink(dest, hp string) error {
	if err := os.Symlink(dest, hp); err != nil {
		if l, lerr := os.Readlink(hp); lerr != nil || l != dest {
			return err
		}
	}
	return SyncDir(filepath.Dir(hp))
}

// RemoveEmptyDir removes the directory hp when it is empty (a directory
// holding something, or gone already, is left as it is).
func RemoveEmptyDir(hp string) error {
	if err := os.Remove(hp); err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, unix.ENOTEMPTY) && !errors.Is(err, unix.EEXIST) {
		return err
	}
	return SyncDir(filepath.Dir(hp))
}
