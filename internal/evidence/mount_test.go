package evidence

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// A separately mounted /var/log (a hardening layout UAC missed) is walked
// into, and the manifest names the filesystem crossed.
func TestCollectCrossesSeparateMounts(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	root := t.TempDir()
	for _, f := range []string{"etc/passwd", "etc/os-release", "var/lib/dpkg/status"} {
		p := filepath.Join(root, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("x\n"), 0o644)
	}
	logs := filepath.Join(root, "var/log")
	os.MkdirAll(logs, 0o755)
	if err := unix.Mount("tmpfs", logs, "tmpfs", 0, "size=1m"); err != nil {
		t.Skipf("mount: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(logs, unix.MNT_DETACH) })
	if err := os.WriteFile(filepath.Join(logs, "auth.log"), []byte("sshd: Accepted\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	res := collectRoot(t, root, ProfileTriage, false)
	found := false
	for _, it := range res.Manifest.Items {
		found = found || it.Path == "/var/log/auth.log"
	}
	if !found {
		t.Error("a file on a separately mounted /var/log was not collected")
	}
	if len(res.Manifest.Mounts) != 1 || res.Manifest.Mounts[0].Path != "/var/log" {
		t.Errorf("mounts crossed: %+v, want /var/log", res.Manifest.Mounts)
	}
}
