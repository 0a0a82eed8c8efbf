package cli

import (
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/diff"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// TestRootsAreTargetsOfTheirOwn: two copies of one machine (same hostname
// and machine id) at two root paths are two targets: diff and --new refuse
// to compare them unless --force, and name both scans.
func TestRootsAreTargetsOfTheirOwn(t *testing.T) {
	a := testutil.RootFromString(t, minimalRoot)
	b := testutil.RootFromString(t, minimalRoot)
	setFindings(t, b, "high persistence.ldso.preload /etc/ld.so.preload\n")
	db := t.TempDir() + "/vigil.db"
	for _, root := range []string{a, b} {
		if r := vigil(t, "scan", "--root", root, "--store", db, "--format", "json"); r.code == ExitError {
			t.Fatalf("scan %s: %s", root, r.err)
		}
	}
	scans := decode[[]store.ScanInfo](t, vigil(t, "scans", "--store", db, "--format", "json"))
	if len(scans) != 2 || scans[0].TargetKey == scans[1].TargetKey || scans[0].MachineKey != scans[1].MachineKey {
		t.Fatalf("two roots of one machine are not two targets: %+v", scans)
	}
	if tab := vigil(t, "scans", "--store", db); !strings.Contains(tab.out, a) || !strings.Contains(tab.out, b) || !strings.Contains(tab.out, "web1 (0123456789ab)") {
		t.Errorf("scans table does not tell the targets apart:\n%s", tab.out)
	}
	if one := decode[[]store.ScanInfo](t, vigil(t, "scans", "--store", db, "--target", b, "--format", "json")); len(one) != 1 || one[0].Root != b {
		t.Errorf("scans --target ROOT: %+v", one)
	}

	// diff of two targets: refused, exit 2, both scans named.
	d := vigil(t, "diff", "1", "2", "--store", db)
	if d.code != ExitError || !strings.Contains(d.err, "scan 1 (") || !strings.Contains(d.err, "scan 2 (") ||
		!strings.Contains(d.err, a) || !strings.Contains(d.err, b) || !strings.Contains(d.err, "--force") {
		t.Errorf("diff of two targets: exit %d\n%s", d.code, d.err)
	}
	forced := vigil(t, "diff", "1", "2", "--store", db, "--force")
	if forced.code == ExitError || !strings.Contains(forced.out, "scan 1 (") || !strings.Contains(forced.out, "root "+a) || !strings.Contains(forced.out, "root "+b) {
		t.Errorf("diff --force: exit %d\n%s%s", forced.code, forced.out, forced.err)
	}
	rep := decode[diff.Report](t, vigil(t, "diff", "1", "2", "--store", db, "--force", "--format", "json"))
	if len(rep.Added) != 1 || len(rep.Gone) != 2 {
		t.Errorf("diff --force of two copies of one machine compares by fingerprint: %+v", rep)
	}
	// The newest scan has no earlier scan of its own target.
	if d := vigil(t, "diff", "--store", db); d.code != ExitError || !strings.Contains(d.err, "only scan of its target") {
		t.Errorf("diff without arguments across targets: exit %d\n%s", d.code, d.err)
	}

	// --new on a third copy: the store has only other targets of the machine.
	c := testutil.RootFromString(t, minimalRoot)
	n := vigil(t, "scan", "--root", c, "--store", db, "--new")
	if n.code != ExitError || !strings.Contains(n.err, "--force") || !strings.Contains(n.err, "root "+c) {
		t.Errorf("--new against another target: exit %d\n%s", n.code, n.err)
	}
	n = vigil(t, "scan", "--root", c, "--store", db, "--new", "--force", "--format", "json")
	if n.code == ExitError || !strings.Contains(n.err, "scan 2 (") || !strings.Contains(n.err, "this scan: root "+c) {
		t.Errorf("--new --force: exit %d\n%s", n.code, n.err)
	}
	// Now c has a scan of its own: --new judges against it, no --force.
	if n := vigil(t, "scan", "--root", c, "--store", db, "--new", "--format", "json"); n.code == ExitError || !strings.Contains(n.err, "scan 3 (") {
		t.Errorf("--new on its own target: exit %d\n%s", n.code, n.err)
	}
}
