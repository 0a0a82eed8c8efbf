package storage

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vigil-ir/vigil/internal/contain"
	"github.com/vigil-ir/vigil/internal/store"
)

// TestUnmountUndo runs itself again in a mount namespace of its own
// (unshare --mount, private propagation): there a tmpfs stands in for a
// share, is unmounted through the journal and mounted again by undo —
// and a busy one is refused without --lazy and detached with it. No mount
// of the machine running the tests is touched.
func TestUnmountUndo(t *testing.T) {
	if os.Getenv("VIGIL_MNTNS_CHILD") == "1" {
		unmountScenario(t)
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("mount namespaces need root")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare (util-linux) not installed")
	}
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", os.Args[0], "-test.run=^TestUnmountUndo$", "-test.v")
	cmd.Env = append(os.Environ(), "VIGIL_MNTNS_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("in a mount namespace: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

func unmountScenario(t *testing.T) {
	ctx := context.Background()
	netTypes["tmpfs"] = "test" // the stand-in share
	defer delete(netTypes, "tmpfs")
	dir := t.TempDir()
	point := filepath.Join(dir, "share")
	if err := os.Mkdir(point, 0o755); err != nil {
		t.Fatal(err)
	}
	source := "vigil-test-share"
	if err := unix.Mount(source, point, "tmpfs", 0, "size=1m,mode=0755"); err != nil {
		t.Fatal(err)
	}
	defer unix.Unmount(point, unix.MNT_DETACH)
	st, err := store.Open(ctx, filepath.Join(dir, "v.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := contain.Open(ctx, st, func(n string) (contain.Kind, bool) { return Kind{}, n == KindName },
		store.Actor{User: "root"}, contain.LockPath(filepath.Join(dir, "v.db")), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	isMounted := func() bool { return mounted(params{Mount: Mount{Point: point, Source: source}}) }

	// A busy share (a file open on it) is refused without --lazy, and
	// stays mounted: the action is rolled back.
	f, err := os.Create(filepath.Join(point, "open"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := Plan(contain.Live(), point, false)
	if err != nil {
		t.Fatal(err)
	}
	if out := r.Apply(ctx, a); out.State != store.ActionRolledBack || !isMounted() {
		t.Fatalf("busy unmount: %+v, mounted %v", out, isMounted())
	}
	// --lazy detaches it anyway; undo mounts it again from the journal.
	if a, err = Plan(contain.Live(), point, true); err != nil {
		t.Fatal(err)
	}
	out := r.Apply(ctx, a)
	if out.State != store.ActionApplied || isMounted() {
		t.Fatalf("lazy unmount: %+v, mounted %v", out, isMounted())
	}
	f.Close()
	if u := r.Undo(ctx, out.ID); u.Err != nil || u.State != store.ActionUndone || !isMounted() {
		t.Fatalf("undo: %+v, mounted %v", u, isMounted())
	}
	// A plain unmount of an idle share, undone: mounted again with the
	// recorded type and options; undo again does nothing.
	if a, err = Plan(contain.Live(), point, false); err != nil {
		t.Fatal(err)
	}
	if out = r.Apply(ctx, a); out.State != store.ActionApplied || isMounted() {
		t.Fatalf("unmount: %+v", out)
	}
	if u := r.Undo(ctx, out.ID); u.Err != nil || !isMounted() {
		t.Fatalf("undo: %+v", u)
	}
	var rec params
	if err := a.Decode(&rec, nil); err != nil {
		t.Fatal(err)
	}
	list, _ := List()
	for _, m := range list {
		if m.Point == point && (m.Type != "tmpfs" || m.Options != rec.Options) {
			t.Errorf("mounted again as %+v", m)
		}
	}
	if u := r.Undo(ctx, out.ID); u.Err != nil || !u.Noop {
		t.Errorf("second undo: %+v", u)
	}
}
