package contain

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
)

// Target is what an action changes: the live host (Root "/") or a root
// directory (a mounted image, a test root).
type Target struct {
	Root string `json:"root"`
}

// Live is the running host.
func Live() Target { return Target{Root: "/"} }

// IsLive reports whether the target is the running host: only then are
// processes signalled, sessions ended or firewall rules loaded.
func (t Target) IsLive() bool { return t.Root == "/" || t.Root == "" }

// Clean normalises a target path.
func Clean(p string) string { return path.Clean("/" + p) }

// HostPath resolves the target path p to a path on this host: every
// component but the last is resolved with symlinks kept inside the root;
// the last is not followed, so that an action sees a planted symlink as
// itself and refuses it instead of writing through it.
func (t Target) HostPath(p string) (string, error) {
	p = Clean(p)
	if p == "/" {
		return "", errors.New("refusing to act on the root directory itself")
	}
	dir, base := path.Dir(p), path.Base(p)
	var hd string
	var err error
	if t.IsLive() {
		hd, err = filepath.EvalSymlinks(dir)
	} else {
		hd, err = securejoin.SecureJoin(t.Root, dir)
	}
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", dir, err)
	}
	return filepath.Join(hd, base), nil
}

// TargetPath turns a host path inside the target back into a target path.
func (t Target) TargetPath(hp string) string {
	if t.IsLive() {
		return hp
	}
	rel, err := filepath.Rel(t.Root, hp)
	if err != nil || strings.HasPrefix(rel, "..") {
		return hp
	}
	return Clean(rel)
}

// Contains reports whether the host path hp lies inside the target's tree.
func (t Target) Contains(hp string) bool {
	if t.IsLive() {
		return true
	}
	rel, err := filepath.Rel(t.Root, hp)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// String names the target for plans and the journal.
func (t Target) String() string {
	if t.IsLive() {
		return "/"
	}
	return t.Root
}
