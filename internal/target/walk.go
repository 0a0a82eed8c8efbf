package target

import (
	"errors"
	"io/fs"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// WalkFunc is called for every entry under a walked directory with its
// target path. Returning fs.SkipDir skips a directory; any other error stops
// the walk. err is non-nil when the entry could not be read.
type WalkFunc func(p string, d fs.DirEntry, err error) error

// pseudoFS are filesystems whose "files" are kernel state, not content: a
// walk never descends into them (they hold no persistence and reading them
// can block or take forever).
var pseudoFS = map[int64]string{
	unix.PROC_SUPER_MAGIC:    "proc",
	unix.SYSFS_MAGIC:         "sysfs",
	unix.CGROUP_SUPER_MAGIC:  "cgroup",
	unix.CGROUP2_SUPER_MAGIC: "cgroup2",
	unix.DEBUGFS_MAGIC:       "debugfs",
	unix.TRACEFS_MAGIC:       "tracefs",
	unix.SECURITYFS_MAGIC:    "securityfs",
	unix.BPF_FS_MAGIC:        "bpffs",
	unix.DEVPTS_SUPER_MAGIC:  "devpts",
	0x6e736673:               "nsfs",
	unix.PSTOREFS_MAGIC:      "pstore",
	0x74736e6d:               "efivarfs",
	0x19800202:               "mqueue",
	0x42494e4d:               "binfmt_misc",
	0x65735546:               "fuse",
	0x958458f6:               "hugetlbfs",
	0x6c6f6f70:               "binderfs",
	0x5a3c69f0:               "autofs",
	0x0187:                   "autofs",
}

// PseudoFS reports whether the directory at host path hp is on a kernel
// pseudo-filesystem, and which.
func PseudoFS(hp string) (string, bool) {
	var st unix.Statfs_t
	if err := unix.Statfs(hp, &st); err != nil {
		return "", false
	}
	name, ok := pseudoFS[int64(st.Type)]
	return name, ok
}

// Walk walks the tree at target path root without following symlinks,
// calling fn for each entry with its target path. It does not descend into
// kernel pseudo-filesystems (proc, sysfs, cgroup ...) mounted inside the
// tree; fn sees such a directory once with err set to ErrPseudoFS.
func (t *Target) Walk(root string, fn WalkFunc) error {
	hroot, err := t.HostPath(root)
	if err != nil {
		return fn(Clean(root), nil, err)
	}
	if name, ok := PseudoFS(hroot); ok {
		return fn(Clean(root), nil, &fs.PathError{Op: "walk", Path: Clean(root), Err: errors.Join(ErrPseudoFS, errors.New(name))})
	}
	rootDev := devOf(hroot)
	return filepath.WalkDir(hroot, func(hp string, d fs.DirEntry, err error) error {
		tp := t.TargetPath(hp)
		if err != nil {
			return fn(tp, d, err)
		}
		if d.IsDir() && hp != hroot {
			if dev := devOf(hp); dev != rootDev && dev != 0 {
				if name, ok := PseudoFS(hp); ok {
					if ferr := fn(tp, d, &fs.PathError{Op: "walk", Path: tp, Err: errors.Join(ErrPseudoFS, errors.New(name))}); ferr != nil && ferr != fs.SkipDir {
						return ferr
					}
					return fs.SkipDir
				}
			}
		}
		return fn(tp, d, nil)
	})
}

// ErrPseudoFS marks a directory on a kernel pseudo-filesystem that a walk
// did not enter.
var ErrPseudoFS = errors.New("kernel pseudo-filesystem, not walked")

func devOf(hp string) uint64 {
	var st syscall.Stat_t
	if err := syscall.Lstat(hp, &st); err != nil {
		return 0
	}
	return st.Dev
}
