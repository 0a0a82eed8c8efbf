package target

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"golang.org/x/sys/unix"
)

// DefaultReadLimit is the default size limit of ReadFile: configuration
// files, account databases and scripts are far smaller.
const DefaultReadLimit = 16 << 20

var (
	// ErrNotRegular is returned when a file is expected but the path is a
	// FIFO, socket, device or directory.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge is returned when a file exceeds the read limit.
	ErrTooLarge = errors.New("file larger than the read limit")
	// ErrNotRoot is returned by OpenRoot for a directory that is not a root
	// filesystem.
	ErrNotRoot = errors.New("not a root filesystem")
)

// Target is the system under examination.
type Target struct {
	root string // absolute host path of the target's "/"
	live bool
}

// Live returns the running host as a target.
func Live() *Target { return &Target{root: "/", live: true} }

// OpenRoot returns the directory dir as an offline target after checking
// that it holds a root filesystem: /etc/passwd, an os-release file and a
// package database (dpkg, rpm or apk). It never treats the directory as live.
func OpenRoot(dir string) (*Target, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	abs, err = filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("--root %s: %w", dir, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("--root %s: %w", dir, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("--root %s: %w: not a directory", dir, ErrNotRoot)
	}
	t := &Target{root: abs}
	if missing := t.missingRootMarkers(); len(missing) > 0 {
		return nil, fmt.Errorf("--root %s: %w: missing %s (is the image mounted?)", dir, ErrNotRoot, strings.Join(missing, ", "))
	}
	return t, nil
}

// NewUnchecked returns a target rooted at dir without the root-filesystem
// check. Tests use it for fixtures that hold only what one check reads.
func NewUnchecked(dir string, live bool) *Target {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	return &Target{root: abs, live: live}
}

func (t *Target) missingRootMarkers() []string {
	var missing []string
	if !t.isRegular("/etc/passwd") {
		missing = append(missing, "/etc/passwd")
	}
	if !t.isRegular("/etc/os-release") && !t.isRegular("/usr/lib/os-release") {
		missing = append(missing, "/etc/os-release")
	}
	pkgDBs := []string{"/var/lib/dpkg/status", "/var/lib/rpm", "/usr/lib/sysimage/rpm", "/lib/apk/db/installed"}
	found := false
	for _, p := range pkgDBs {
		if _, err := t.Stat(p); err == nil {
			found = true
			break
		}
	}
	if !found {
		missing = append(missing, "a package database ("+strings.Join(pkgDBs, ", ")+")")
	}
	return missing
}

func (t *Target) isRegular(p string) bool {
	st, err := t.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// Root is the host path of the target's "/".
func (t *Target) Root() string { return t.root }

// IsLive reports whether the target is the running system, so that
// processes, sockets and kernel state can be read.
func (t *Target) IsLive() bool { return t.live }

// Clean normalises a target path to an absolute, clean form.
func Clean(p string) string { return path.Clean("/" + p) }

// HostPath resolves a target path, following symlinks inside the root, to
// the path on the scanning host.
func (t *Target) HostPath(p string) (string, error) {
	if t.root == "/" {
		// Live host: chroot semantics are the identity; keep the lexical path
		// so that /proc/PID links and the like are not resolved here.
		return Clean(p), nil
	}
	return securejoin.SecureJoin(t.root, Clean(p))
}

// hostPathNoFollow resolves every component but the last, so that Lstat and
// Readlink see the final symlink itself.
func (t *Target) hostPathNoFollow(p string) (string, error) {
	p = Clean(p)
	if p == "/" {
		return t.root, nil
	}
	dir, err := t.HostPath(path.Dir(p))
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, path.Base(p)), nil
}

// Lstat returns information about the file at p without following a final
// symlink.
func (t *Target) Lstat(p string) (fs.FileInfo, error) {
	hp, err := t.hostPathNoFollow(p)
	if err != nil {
		return nil, err
	}
	return os.Lstat(hp)
}

// Stat returns information about the file at p, following symlinks inside
// the root.
func (t *Target) Stat(p string) (fs.FileInfo, error) {
	hp, err := t.HostPath(p)
	if err != nil {
		return nil, err
	}
	return os.Stat(hp)
}

// Readlink returns the destination of the symlink at p, as written in it.
func (t *Target) Readlink(p string) (string, error) {
	hp, err := t.hostPathNoFollow(p)
	if err != nil {
		return "", err
	}
	return os.Readlink(hp)
}

// Resolve returns the target path that p points to after following all
// symlinks inside the root.
func (t *Target) Resolve(p string) (string, error) {
	hp, err := t.HostPath(p)
	if err != nil {
		return "", err
	}
	if t.root == "/" {
		return filepath.EvalSymlinks(hp)
	}
	rel, err := filepath.Rel(t.root, hp)
	if err != nil {
		return "", err
	}
	return Clean(rel), nil
}

// Open opens the regular file at p for reading without blocking on FIFOs and
// without updating its access time where the kernel allows it.
func (t *Target) Open(p string) (*os.File, error) {
	hp, err := t.HostPath(p)
	if err != nil {
		return nil, err
	}
	return openRegular(hp)
}

func openRegular(hp string) (*os.File, error) {
	flags := unix.O_RDONLY | unix.O_NONBLOCK | unix.O_CLOEXEC | unix.O_NOATIME
	fd, err := unix.Open(hp, flags, 0)
	if errors.Is(err, unix.EPERM) {
		// O_NOATIME needs ownership or CAP_FOWNER; fall back (relatime
		// still spares most reads).
		fd, err = unix.Open(hp, flags&^unix.O_NOATIME, 0)
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: hp, Err: err}
	}
	f := os.NewFile(uintptr(fd), hp)
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: hp, Err: fmt.Errorf("%w (%s)", ErrNotRegular, FileKind(st.Mode()))}
	}
	return f, nil
}

// FileKind names the type of a file that is not regular: fifo, socket,
// device, directory.
func FileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "fifo"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	case m.IsDir():
		return "directory"
	default:
		return m.Type().String()
	}
}

// ReadFile reads the regular file at p, up to limit bytes (DefaultReadLimit
// when limit <= 0). A larger file gives ErrTooLarge and no content.
func (t *Target) ReadFile(p string, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultReadLimit
	}
	f, err := t.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("read %s: %w (%d bytes)", p, ErrTooLarge, limit)
	}
	return b, nil
}

// ReadDir lists the directory at p, sorted by name.
func (t *Target) ReadDir(p string) ([]fs.DirEntry, error) {
	hp, err := t.HostPath(p)
	if err != nil {
		return nil, err
	}
	return os.ReadDir(hp)
}

// Glob returns the target paths matching pattern (path.Match syntax in any
// component), resolving each directory inside the root. Errors reading a
// directory are skipped: Glob is for discovery, readers report their own
// errors on what it finds.
func (t *Target) Glob(pattern string) []string {
	parts := strings.Split(strings.TrimPrefix(Clean(pattern), "/"), "/")
	cur := []string{"/"}
	for _, part := range parts {
		var next []string
		for _, dir := range cur {
			if !hasMeta(part) {
				p := path.Join(dir, part)
				if _, err := t.Lstat(p); err == nil {
					next = append(next, p)
				}
				continue
			}
			ents, err := t.ReadDir(dir)
			if err != nil {
				continue
			}
			for _, e := range ents {
				if ok, _ := path.Match(part, e.Name()); ok {
					next = append(next, path.Join(dir, e.Name()))
				}
			}
		}
		cur = next
		if len(cur) == 0 {
			return nil
		}
	}
	sort.Strings(cur)
	return cur
}

func hasMeta(s string) bool { return strings.ContainsAny(s, `*?[\`) }

// TargetPath converts a host path under the root back to a target path.
func (t *Target) TargetPath(hostPath string) string {
	if t.root == "/" {
		return Clean(hostPath)
	}
	rel, err := filepath.Rel(t.root, hostPath)
	if err != nil || strings.HasPrefix(rel, "..") {
		return hostPath
	}
	return Clean(rel)
}
