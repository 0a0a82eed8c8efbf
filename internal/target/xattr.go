package target

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// ErrNoAttr is returned by Lgetxattr when the file has no such extended
// attribute, or its filesystem keeps none.
var ErrNoAttr = errors.New("no such extended attribute")

// maxAttr bounds an attribute value read (security.capability is 24 bytes;
// the largest the kernel allows is 64 KiB).
const maxAttr = 64 << 10

// Lgetxattr returns the value of the extended attribute name of the file
// at p, without following a final symlink (the directories on the way are
// resolved inside the root, like every other read). It returns ErrNoAttr
// when the attribute is absent or the filesystem does not support
// extended attributes.
func (t *Target) Lgetxattr(p, name string) ([]byte, error) {
	hp, err := t.hostPathNoFollow(p)
	if err != nil {
		return nil, err
	}
	return lgetxattr(hp, p, name)
}

// lgetxattr reads attribute name of host path hp (target path p, for
// messages).
func lgetxattr(hp, p, name string) ([]byte, error) {
	buf := make([]byte, 256)
	for {
		n, err := unix.Lgetxattr(hp, name, buf)
		switch {
		case err == nil:
			return buf[:n], nil
		case errors.Is(err, unix.ENODATA), errors.Is(err, unix.ENOTSUP):
			return nil, ErrNoAttr
		case errors.Is(err, unix.ERANGE) && len(buf) < maxAttr:
			// The value grew or is larger than the first guess: ask its size.
			size, err := unix.Lgetxattr(hp, name, nil)
			if err != nil {
				return nil, fmt.Errorf("getxattr %s %s: %w", p, name, err)
			}
			buf = make([]byte, min(max(size, len(buf)*2), maxAttr))
		default:
			return nil, fmt.Errorf("getxattr %s %s: %w", p, name, err)
		}
	}
}
