package target

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// setxattr sets an attribute on a host file, skipping the test where the
// filesystem (or the lack of privileges for "security.") refuses.
func setxattr(t *testing.T, p, name string, v []byte) {
	t.Helper()
	if err := unix.Lsetxattr(p, name, v, 0); err != nil {
		t.Skipf("the filesystem of %s refuses extended attribute %s (%v): needs root on ext4, xfs, btrfs or tmpfs", p, name, err)
	}
}

func TestLgetxattr(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"etc", "bin"} {
		if err := os.MkdirAll(filepath.Join(dir, n), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "bin/tool"), []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bin/plain"), []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	big := []byte(strings.Repeat("v", 1000))
	setxattr(t, filepath.Join(dir, "bin/tool"), "user.vigil", big)
	// A symlink escaping the root is resolved inside it.
	if err := os.Symlink("/", filepath.Join(dir, "up")); err != nil {
		t.Fatal(err)
	}
	tg := NewUnchecked(dir, false)
	got, err := tg.Lgetxattr("/bin/tool", "user.vigil")
	if err != nil || string(got) != string(big) {
		t.Fatalf("got %d bytes, %v", len(got), err)
	}
	if _, err := tg.Lgetxattr("/bin/plain", "user.vigil"); !errors.Is(err, ErrNoAttr) {
		t.Errorf("absent attribute: %v", err)
	}
	if got, err := tg.Lgetxattr("/up/bin/tool", "user.vigil"); err != nil || string(got) != string(big) {
		t.Errorf("via a link to /: %d bytes, %v", len(got), err)
	}
	if _, err := tg.Lgetxattr("/bin/none", "user.vigil"); err == nil || errors.Is(err, ErrNoAttr) {
		t.Errorf("missing file: %v", err)
	}
}
