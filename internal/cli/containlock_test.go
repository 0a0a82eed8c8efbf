package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/testutil"
)

// TestLockUserOneAction: lock-user is one journal entry whose one undo id
// puts back both the shadow line and the authorized_keys files.
func TestLockUserOneAction(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the quarantine keeps owners: needs root")
	}
	root := testutil.RootFromString(t, `
-- etc/passwd --
root:x:0:0:root:/root:/bin/bash
svc:x:1001:1001::/home/svc:/bin/bash
-- etc/shadow mode=0640 --
root:$y$j9T$abc$def:20000:0:99999:7:::
svc:$6$salt$hash:20100:0:99999:7:::
-- home/svc/.ssh/authorized_keys mode=0600 --
ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl intruder
-- home/svc/.ssh/authorized_keys2 mode=0600 --
ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJm second
`)
	db := filepath.Join(t.TempDir(), "state", "vigil.db")
	before := treeDigest(t, root)
	code, out, errs := runVigil(t, "contain", "lock-user", "svc", "--root", root, "--store", db, "--apply")
	if code != 0 || !strings.Contains(out, "vigil undo 1") {
		t.Fatalf("lock-user: %d\n%s%s", code, out, errs)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "etc/shadow")); !strings.Contains(string(b), "svc:!$6$salt$hash:0:") {
		t.Errorf("shadow:\n%s", b)
	}
	for _, k := range []string{"authorized_keys", "authorized_keys2"} {
		if _, err := os.Lstat(filepath.Join(root, "home/svc/.ssh", k)); err == nil {
			t.Errorf("%s is still in place", k)
		}
	}
	_, out, _ = runVigil(t, "actions", "--store", db, "-f", "json")
	var acts []struct {
		ID    int64
		Kind  string
		State string
	}
	if err := json.Unmarshal([]byte(out), &acts); err != nil || len(acts) != 1 || acts[0].Kind != "account.lock-user" || acts[0].State != "applied" {
		t.Fatalf("want one applied account.lock-user action: %v\n%s", err, out)
	}
	if code, out, errs = runVigil(t, "undo", "1", "--store", db); code != 0 {
		t.Fatalf("undo: %d\n%s%s", code, out, errs)
	}
	if after := treeDigest(t, root); after != before {
		t.Errorf("the root differs after undo:\n%s", diffLines(before, after))
	}
}
