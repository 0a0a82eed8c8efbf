package netfw

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/contain"
	"github.com/vigil-ir/vigil/internal/store"
)

// treeOf lists a fixture root (paths, link destinations, sizes).
func treeOf(t *testing.T, root string) string {
	t.Helper()
	var out []string
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		l, _ := os.Readlink(p)
		out = append(out, strings.TrimPrefix(p, root)+" "+fi.Mode().String()+" "+l)
		return nil
	})
	return strings.Join(out, "\n")
}

// boot does what the boot does with the files of a persisted isolation:
// the lab's ruleset is lost (a fresh kernel), then the unit's ExecStart
// runs — in the lab's host namespace, on the fixture root's file.
func boot(t *testing.T, l *lab, root string) {
	t.Helper()
	deleteTable(l.host, IsolateTable)
	unit, err := os.ReadFile(filepath.Join(root, PersistUnit))
	if err != nil {
		t.Fatal(err)
	}
	var exec []string
	for _, line := range strings.Split(string(unit), "\n") {
		if v, ok := strings.CutPrefix(line, "ExecStart="); ok {
			exec = strings.Fields(v)
		}
	}
	if len(exec) != 3 || exec[2] != PersistNft {
		t.Fatalf("ExecStart %v", exec)
	}
	exec[2] = filepath.Join(root, exec[2])
	if out, err := nsRun(l.host, exec...); err != nil {
		t.Fatalf("%s: %v %s", strings.Join(exec, " "), err, out)
	}
}

// TestPersistSurvivesReboot: with --persist the isolation is written as a
// boot file and a systemd unit in a fixture root; "booting" (the ruleset
// dropped, the unit's command run) gives back exactly the isolation table
// (the status reads it back as written), armed again, and after confirm
// without a dead-man time; release removes every file and directory it
// made.
func TestPersistSurvivesReboot(t *testing.T) {
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("nft not installed (scripts/need-iptables.sh installs nftables)")
	}
	l := newLab(t)
	ctx := context.Background()
	listen(t, l.host, "10.231.0.1:2222")
	listen(t, l.host, "10.231.0.1:8080")
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc/systemd/system/multi-user.target.wants"), 0o755)
	before := treeOf(t, root)
	a, err := PlanIsolate(contain.Live(), IsolateOptions{Operator: "10.231.0.2", Allow: []string{"fd31::2"}, DNS: []string{"10.231.0.9", "fd31::9"},
		DeadMan: time.Hour, NetNS: l.host, Probe: "10.231.0.3", Persist: true, PersistRoot: root})
	if err != nil {
		t.Fatal(err)
	}
	r := runner(t)
	out := r.Apply(ctx, a)
	if out.Err != nil || out.State != store.ActionApplied {
		t.Fatalf("isolate --persist: %+v", out)
	}
	if l, err := os.Readlink(filepath.Join(root, PersistLink)); err != nil || l != "../vigil-isolate.service" {
		t.Fatalf("the unit is not enabled: %q %v", l, err)
	}
	var p IsolateParams
	a.Decode(&p, nil)
	for _, confirm := range []bool{false, true} {
		boot(t, l, root)
		st, left, err := Status(l.host, p)
		want := map[bool]string{false: "armed", true: "confirmed"}[confirm]
		if err != nil || st != want || (!confirm && left < 50*time.Minute) {
			t.Fatalf("after boot: %s %v %v, want %s", st, left, err, want)
		}
		if dial(l.peer, "10.231.0.3", "10.231.0.1:8080") == nil {
			t.Error("not isolated after boot")
		}
		if err := reach(l.peer, "10.231.0.2", "10.231.0.1:2222"); err != nil {
			t.Errorf("the operator's path is cut after boot: %v", err)
		}
		if !confirm {
			if err := Confirm(p); err != nil {
				t.Fatal(err)
			}
		}
	}
	if o := r.Undo(ctx, out.ID); o.Err != nil {
		t.Fatalf("release: %v", o.Err)
	}
	if got := treeOf(t, root); got != before {
		t.Errorf("release left:\n%s\nbefore:\n%s", got, before)
	}
	if _, err := PlanIsolate(contain.Live(), IsolateOptions{Console: true, DeadMan: time.Minute, Persist: true, PersistRoot: t.TempDir()}); err == nil {
		t.Error("--persist planned on a root without systemd or nftables.d")
	}
	if _, err := PlanIsolate(contain.Live(), IsolateOptions{Console: true, DeadMan: time.Minute, Persist: true, PersistRoot: root, IPTables: IPTablesLegacy}); err == nil {
		t.Error("--persist planned with the iptables fallback")
	}
}
