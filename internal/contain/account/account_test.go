package account

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vigil-ir/vigil/internal/contain"
	"github.com/vigil-ir/vigil/internal/contain/hostfs"
	"github.com/vigil-ir/vigil/internal/testutil"
)

const root = `
-- etc/passwd --
root:x:0:0:root:/root:/bin/bash
svc:x:1001:1001::/home/svc:/bin/bash
ops:x:1002:1002::/home/ops:/bin/bash
-- etc/shadow mode=0640 --
root:$y$j9T$abc$def:20000:0:99999:7:::
svc:$6$salt$hash:20100:0:99999:7:::
ops:!$6$x$y:20100:0:99999:7::1:
`

func TestLockAndUndo(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("keeps owners: needs root")
	}
	ctx := context.Background()
	dir := testutil.RootFromString(t, root)
	shadow := filepath.Join(dir, "etc/shadow")
	os.Chown(shadow, 0, 42)
	unix.Setxattr(shadow, "user.label", []byte("kept"), 0)
	orig, _ := os.ReadFile(shadow)
	before, _ := hostfs.Capture(shadow)
	tg := contain.Target{Root: dir}
	a, err := Plan(tg, "svc", false)
	if err != nil {
		t.Fatal(err)
	}
	k := Kind{}
	if err := k.Apply(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := k.Verify(ctx, a); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(shadow)
	if !strings.Contains(string(b), "svc:!$6$salt$hash:0:0:99999:7::1:\n") {
		t.Errorf("shadow after lock:\n%s", b)
	}
	if !strings.Contains(string(b), "root:$y$j9T$abc$def:20000:") {
		t.Error("another line changed")
	}
	after, _ := hostfs.Capture(shadow)
	if after.UID != 0 || after.GID != 42 || after.Mode != before.Mode || string(after.Xattrs["user.label"]) != "kept" {
		t.Errorf("metadata not kept: %+v", after)
	}
	if _, err := os.Stat(filepath.Join(dir, "etc/.pwd.lock")); err != nil {
		t.Error("the password-file lock was not taken")
	}
	if err := k.Apply(ctx, a); err != nil {
		t.Errorf("apply again: %v", err)
	}
	if err := k.Undo(ctx, a); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(shadow); string(b) != string(orig) {
		t.Errorf("undo:\n%s", b)
	}
	if err := k.Undo(ctx, a); err != nil {
		t.Errorf("undo again: %v", err)
	}
}

func TestLockRefusals(t *testing.T) {
	dir := testutil.RootFromString(t, root)
	tg := contain.Target{Root: dir}
	if _, err := Plan(tg, "root", false); err == nil {
		t.Error("uid 0 locked without --force")
	}
	if _, err := Plan(tg, "nobody", false); err == nil {
		t.Error("a missing account was planned")
	}
	// A password set after the action is not overwritten by undo.
	a, err := Plan(tg, "svc", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := (Kind{}).Apply(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	shadow := filepath.Join(dir, "etc/shadow")
	b, _ := os.ReadFile(shadow)
	os.WriteFile(shadow, []byte(strings.Replace(string(b), "svc:!$6$salt$hash:0", "svc:$6$new$pw:20200", 1)), 0o640)
	if err := (Kind{}).Undo(context.Background(), a); err == nil {
		t.Error("undo overwrote a password set since")
	}
}

func TestWaitsForThePasswordLock(t *testing.T) {
	dir := testutil.RootFromString(t, root)
	old := lockWait
	lockWait = 200 * time.Millisecond
	defer func() { lockWait = old }()
	// Another program (passwd) holds the lock: fcntl locks belong to a
	// process, so hold it from a child.
	fd, err := unix.Open(filepath.Join(dir, "etc/.pwd.lock"), unix.O_WRONLY|unix.O_CREAT, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	lk := unix.Flock_t{Type: unix.F_WRLCK}
	// An open file description lock conflicts with the process-associated
	// lock Vigil takes, even within one process.
	if err := unix.FcntlFlock(uintptr(fd), unix.F_OFD_SETLK, &lk); err != nil {
		t.Skipf("open file description locks: %v", err)
	}
	a, err := Plan(contain.Target{Root: dir}, "svc", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := (Kind{}).Apply(context.Background(), a); err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("applied while the password files were locked: %v", err)
	}
}
