// Package hostfs holds the file operations of Vigil's containment actions:
// capturing a file's metadata (owner, mode, times, every extended attribute:
// POSIX ACLs, SELinux labels, file capabilities), putting it back, copying
// with a digest, and replacing a file atomically with the metadata of the
// one it replaces. It is the one place under internal/contain that writes
// files; every write is synced before it is reported done.
package hostfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Meta is what Vigil keeps of a file so that it can be put back identical:
// ctime and the inode number cannot be restored, everything else is.
type Meta struct {
	Mode    uint32            `json:"mode"` // permission and setuid/setgid/sticky bits (unix bits)
	UID     int               `json:"uid"`
	GID     int               `json:"gid"`
	Size    int64             `json:"size"`
	AtimeNs int64             `json:"atime_ns"`
	MtimeNs int64             `json:"mtime_ns"`
	Xattrs  map[string][]byte `json:"xattrs,omitempty"` // every attribute, security.selinux and system.posix_acl_* included
	SHA256  string            `json:"sha256,omitempty"`
	// Link is the destination of a symlink (an enablement link of a
	// unit); empty for a regular file.
	Link string `json:"link,omitempty"`
}

// Capture reads the metadata of the file at hp without following a final
// symlink. It refuses anything but a regular file or a symlink.
func Capture(hp string) (Meta, error) {
	// Reading a symlink moves its access time (relatime): read it first,
	// so that the times captured are the ones the file keeps.
	link, linkErr := os.Readlink(hp)
	var st unix.Stat_t
	if err := unix.Lstat(hp, &st); err != nil {
		return Meta{}, &fs.PathError{Op: "lstat", Path: hp, Err: err}
	}
	m := Meta{
		Mode: st.Mode &^ unix.S_IFMT, UID: int(st.Uid), GID: int(st.Gid), Size: st.Size,
		AtimeNs: st.Atim.Nano(), MtimeNs: st.Mtim.Nano(),
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
	case unix.S_IFLNK:
		if linkErr != nil {
			return Meta{}, linkErr
		}
		m.Link = link
	default:
		return Meta{}, fmt.Errorf("%s is not a regular file or a symlink", hp)
	}
	x, err := Xattrs(hp)
	if err != nil {
		return Meta{}, err
	}
	m.Xattrs = x
	return m, nil
}

// Resolver turns a target path into a host path (contain.Target.HostPath).
type Resolver interface {
	HostPath(p string) (string, error)
}

// CaptureIn resolves the target path p in t and captures its metadata,
// returning the host path too.
func CaptureIn(t Resolver, p string) (string, Meta, error) {
	hp, err := t.HostPath(p)
	if err != nil {
		return "", Meta{}, err
	}
	m, err := Capture(hp)
	return hp, m, err
}

// Xattrs reads every extended attribute of hp (not following a symlink).
func Xattrs(hp string) (map[string][]byte, error) {
	names, err := listXattrs(hp)
	if err != nil {
		return nil, err
	}
	var out map[string][]byte
	for _, n := range names {
		v, err := getXattr(hp, n)
		if errors.Is(err, unix.ENODATA) {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "lgetxattr " + n, Path: hp, Err: err}
		}
		if out == nil {
			out = map[string][]byte{}
		}
		out[n] = v
	}
	return out, nil
}

func listXattrs(hp string) ([]string, error) {
	size := 1024
	for {
		buf := make([]byte, size)
		n, err := unix.Llistxattr(hp, buf)
		if errors.Is(err, unix.ERANGE) {
			size *= 4
			continue
		}
		if errors.Is(err, unix.ENOTSUP) {
			return nil, nil
		}
		if err != nil {
			return nil, &fs.PathError{Op: "llistxattr", Path: hp, Err: err}
		}
		var names []string
		for _, s := range strings.Split(string(buf[:n]), "\x00") {
			if s != "" {
				names = append(names, s)
			}
		}
		sort.Strings(names)
		return names, nil
	}
}

func getXattr(hp, name string) ([]byte, error) {
	size := 256
	for {
		buf := make([]byte, size)
		n, err := unix.Lgetxattr(hp, name, buf)
		if errors.Is(err, unix.ERANGE) {
			size *= 4
			continue
		}
		if err != nil {
			return nil, err
		}
		return buf[:n], nil
	}
}

// Restore gives the file at hp the metadata m: owner first (chown clears
// setuid bits and file capabilities), then mode, then the extended
// attributes (removing those m does not have, such as an ACL inherited
// from the directory), then the times last (each change above moves them).
func Restore(hp string, m Meta) error {
	if err := os.Lchown(hp, m.UID, m.GID); err != nil {
		return err
	}
	if m.Link == "" { // a symlink's mode cannot be set on Linux (and is always 0777)
		if err := unix.Fchmodat(unix.AT_FDCWD, hp, m.Mode&07777, 0); err != nil {
			return &fs.PathError{Op: "chmod", Path: hp, Err: err}
		}
	}
	have, err := Xattrs(hp)
	if err != nil {
		return err
	}
	for n := range have {
		if _, keep := m.Xattrs[n]; !keep {
			if err := unix.Lremovexattr(hp, n); err != nil && !errors.Is(err, unix.ENODATA) {
				return &fs.PathError{Op: "lremovexattr " + n, Path: hp, Err: err}
			}
		}
	}
	names := make([]string, 0, len(m.Xattrs))
	for n := range m.Xattrs {
		names = append(names, n)
	}
	// security.capability last of the attributes: setting an ACL does
	// not clear it, but keep the order fixed and explainable.
	sort.Slice(names, func(i, j int) bool {
		ci, cj := names[i] == "security.capability", names[j] == "security.capability"
		if ci != cj {
			return cj
		}
		return names[i] < names[j]
	})
	for _, n := range names {
		if err := unix.Lsetxattr(hp, n, m.Xattrs[n], 0); err != nil {
			return &fs.PathError{Op: "lsetxattr " + n, Path: hp, Err: err}
		}
	}
	ts := []unix.Timespec{unix.NsecToTimespec(m.AtimeNs), unix.NsecToTimespec(m.MtimeNs)}
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, hp, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &fs.PathError{Op: "utimes", Path: hp, Err: err}
	}
	return nil
}

// Same reports what differs between two captures (empty when none):
// everything but the digest, which the caller compares.
func Same(a, b Meta) []string {
	var diff []string
	if a.Mode != b.Mode {
		diff = append(diff, fmt.Sprintf("mode %o != %o", a.Mode, b.Mode))
	}
	if a.UID != b.UID || a.GID != b.GID {
		diff = append(diff, fmt.Sprintf("owner %d:%d != %d:%d", a.UID, a.GID, b.UID, b.GID))
	}
	if a.Link != b.Link {
		diff = append(diff, "symlink "+a.Link+" != "+b.Link)
	}
	if a.Size != b.Size {
		diff = append(diff, fmt.Sprintf("size %d != %d", a.Size, b.Size))
	}
	if a.AtimeNs != b.AtimeNs || a.MtimeNs != b.MtimeNs {
		diff = append(diff, "times")
	}
	if len(a.Xattrs) != len(b.Xattrs) {
		diff = append(diff, "xattrs")
	} else {
		for n, v := range a.Xattrs {
			if string(b.Xattrs[n]) != string(v) {
				diff = append(diff, "xattr "+n)
			}
		}
	}
	return diff
}

// ownerOf is the owner of a stat result (0:0 when it cannot be read).
func ownerOf(fi fs.FileInfo) (int, int) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid), int(st.Gid)
	}
	return 0, 0
}
