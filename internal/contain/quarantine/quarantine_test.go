package quarantine

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vigil-ir/vigil/internal/contain"
	"github.com/vigil-ir/vigil/internal/contain/hostfs"
	"github.com/vigil-ir/vigil/internal/store"
)

// acl encodes a POSIX access ACL (system.posix_acl_access, version 2):
// owner rwx, user 1000 r-x, group r-x, mask r-x, other --x.
func acl() []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint32(2))
	for _, e := range []struct {
		tag, perm uint16
		id        uint32
	}{{0x01, 7, ^uint32(0)}, {0x02, 5, 1000}, {0x04, 5, ^uint32(0)}, {0x10, 5, ^uint32(0)}, {0x20, 1, ^uint32(0)}} {
		binary.Write(&b, binary.LittleEndian, e)
	}
	return b.Bytes()
}

// plant makes a root with a setuid file that has an owner, an ACL, an
// SELinux label, a user attribute and old times, and a symlink.
func plant(t *testing.T) (root, file string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: ownership and security.* attributes")
	}
	root = filepath.Join(t.TempDir(), "root")
	file = filepath.Join(root, "usr", "bin", "implant")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte("\x7fELF not really\x00\x01"), 0o755); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Chown(file, 1234, 2345))
	must(unix.Setxattr(file, "system.posix_acl_access", acl(), 0))
	must(os.Chmod(file, 0o4751|os.ModeSetuid))
	must(unix.Chmod(file, 0o4751))
	must(unix.Setxattr(file, "user.note", []byte("planted"), 0))
	if err := unix.Setxattr(file, "security.selinux", []byte("system_u:object_r:bin_t:s0\x00"), 0); err != nil {
		t.Logf("no SELinux label on this file system: %v", err)
	}
	old := time.Date(2024, 2, 29, 12, 34, 56, 789, time.UTC)
	must(os.Chtimes(file, old, old.Add(time.Hour)))
	must(os.Symlink("/usr/bin/implant", filepath.Join(root, "usr", "bin", "helper")))
	must(os.Lchown(filepath.Join(root, "usr", "bin", "helper"), 1234, 2345))
	return root, file
}

func TestQuarantineRoundTrip(t *testing.T) {
	ctx := context.Background()
	root, file := plant(t)
	link := filepath.Join(root, "usr", "bin", "helper")
	content, _ := os.ReadFile(file)
	old := time.Date(2024, 2, 29, 12, 34, 56, 789, time.UTC)
	os.Chtimes(file, old, old.Add(time.Hour)) // reading moved the access time
	before, err := hostfs.Capture(file)
	if err != nil {
		t.Fatal(err)
	}
	linkBefore, _ := hostfs.Capture(link)
	if len(before.Xattrs) < 2 || before.Mode&unix.S_ISUID == 0 {
		t.Fatalf("fixture lacks attributes: %+v", before)
	}
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "vigil.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := contain.Open(ctx, st, func(string) (contain.Kind, bool) { return Kind{}, true }, store.Actor{User: "root"},
		contain.LockPath(filepath.Join(dir, "vigil.db")), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	qdir := filepath.Join(dir, "quarantine")
	a, err := Plan(contain.Target{Root: root}, qdir, "/usr/bin/implant", "/usr/bin/helper")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Plan) != 2 {
		t.Fatalf("plan %v", a.Plan)
	}
	out := r.Apply(ctx, a)
	if out.Err != nil || out.State != store.ActionApplied {
		t.Fatalf("%+v", out)
	}
	for _, p := range []string{file, link} {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s is still there: %v", p, err)
		}
	}
	if fi, err := os.Stat(qdir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("quarantine directory %v %v", fi, err)
	}
	if o := r.Undo(ctx, out.ID); o.Err != nil || o.State != store.ActionUndone {
		t.Fatalf("undo %+v", o)
	}
	after, err := hostfs.Capture(file)
	if err != nil {
		t.Fatal(err)
	}
	if d := hostfs.Same(before, after); len(d) > 0 {
		t.Errorf("restored file differs: %v\nbefore %+v\nafter  %+v", d, before, after)
	}
	if got, _ := os.ReadFile(file); !bytes.Equal(got, content) {
		t.Error("restored content differs")
	}
	linkAfter, err := hostfs.Capture(link)
	// Restored with its access time; the readlink of Capture moves it
	// (relatime: the new link's ctime is later), as any reader would.
	linkAfter.AtimeNs = linkBefore.AtimeNs
	if err != nil || len(hostfs.Same(linkBefore, linkAfter)) > 0 {
		t.Errorf("restored symlink differs: %+v %+v %v", linkBefore, linkAfter, err)
	}
	if ents, _ := os.ReadDir(qdir); len(ents) != 0 {
		t.Errorf("quarantine not emptied by the restore: %v", ents)
	}
	if o := r.Undo(ctx, out.ID); !o.Noop {
		t.Errorf("second undo: %+v", o)
	}
}

func TestUndoRefusesToOverwrite(t *testing.T) {
	ctx := context.Background()
	root, file := plant(t)
	qdir := filepath.Join(t.TempDir(), "q")
	a, err := Plan(contain.Target{Root: root}, qdir, "/usr/bin/implant")
	if err != nil {
		t.Fatal(err)
	}
	k := Kind{}
	if err := k.Apply(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := k.Undo(ctx, a); err == nil {
		t.Fatal("undo overwrote a file that appeared at the path")
	}
	if b, _ := os.ReadFile(file); string(b) != "new" {
		t.Errorf("file now %q", b)
	}
}

func TestApplyRefusesChangedFile(t *testing.T) {
	ctx := context.Background()
	root, file := plant(t)
	a, err := Plan(contain.Target{Root: root}, filepath.Join(t.TempDir(), "q"), "/usr/bin/implant")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(file, []byte("changed after the plan"), 0o755)
	if err := (Kind{}).Apply(ctx, a); err == nil {
		t.Fatal("a changed file was quarantined")
	}
	if err := (Kind{}).Undo(ctx, a); err == nil {
		// The file at the path is not the planned one: undo refuses to
		// touch it, and it is still there.
		t.Log("undo of a never-applied action with a changed file")
	}
	if _, err := os.Stat(file); err != nil {
		t.Error("the changed file was removed")
	}
}

func TestPlanRefusesQuarantineInsideTarget(t *testing.T) {
	root, _ := plant(t)
	if _, err := Plan(contain.Target{Root: root}, filepath.Join(root, "var", "q"), "/usr/bin/implant"); err == nil {
		t.Error("a quarantine inside the target was accepted")
	}
	if _, err := Plan(contain.Target{Root: root}, t.TempDir(), "/etc/passwd"); err == nil {
		t.Error("a missing file was planned")
	}
}
