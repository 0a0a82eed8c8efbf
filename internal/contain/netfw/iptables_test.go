package netfw

import (
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/contain"
	"github.com/vigil-ir/vigil/internal/store"
)

// legacyLab is a lab whose host namespace is isolated with iptables-legacy
// (the fallback of a kernel without nf_tables), with another program's
// rule in its filter table.
func legacyLab(t *testing.T) *lab {
	t.Helper()
	if _, err := exec.LookPath("iptables-legacy-restore"); err != nil {
		t.Skip("iptables-legacy not installed (scripts/need-iptables.sh)")
	}
	l := newLab(t)
	if out, err := nsRun(l.host, "iptables-legacy", "-w", "-A", "INPUT", "-p", "tcp", "--dport", "9999", "-j", "ACCEPT"); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	// Listing makes the kernel instantiate the (empty) ip6tables filter
	// table, which a fresh namespace lacks until first used: its save is
	// then the same before and after.
	if out, err := nsRun(l.host, "ip6tables-legacy", "-w", "-n", "-L"); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	return l
}

var counters = regexp.MustCompile(`\[\d+:\d+\]`)

// legacySave is the whole legacy filter ruleset of both families, without
// the dated comments and the counters.
func legacySave(t *testing.T, netns string) string {
	t.Helper()
	var b strings.Builder
	for _, tool := range []string{"iptables-legacy-save", "ip6tables-legacy-save"} {
		out, err := nsRun(netns, tool)
		if err != nil {
			t.Fatalf("%s: %v %s", tool, err, out)
		}
		for _, l := range strings.Split(out, "\n") {
			if !strings.HasPrefix(l, "#") {
				b.WriteString(counters.ReplaceAllString(l, "") + "\n")
			}
		}
	}
	return b.String()
}

func TestIsolateIPTables(t *testing.T) {
	l := legacyLab(t)
	ctx := context.Background()
	listen(t, l.host, "10.231.0.1:2222")
	listen(t, l.host, "10.231.0.1:8080")
	listen(t, l.peer, ":443")
	before := legacySave(t, l.host)
	a, err := PlanIsolate(contain.Live(), IsolateOptions{Operator: "10.231.0.2", DNS: []string{"10.231.0.9", "fd31::9"}, DeadMan: time.Hour,
		NetNS: l.host, Checks: []string{"10.231.0.2:443"}, Probe: "10.231.0.3", IPTables: IPTablesLegacy})
	if err != nil {
		t.Fatal(err)
	}
	r := runner(t)
	out := r.Apply(ctx, a)
	if out.Err != nil || out.State != store.ActionApplied {
		t.Fatalf("isolate: %+v", out)
	}
	if snap := snapshot(t, l.host); strings.Contains(snap, IsolateTable) {
		t.Error("the fallback wrote an nftables table")
	}
	if err := reach(l.peer, "10.231.0.2", "10.231.0.1:2222"); err != nil {
		t.Errorf("the operator's SSH path was cut: %v", err)
	}
	if err := dial(l.peer, "10.231.0.3", "10.231.0.1:8080"); err == nil {
		t.Error("inbound traffic from a non-allowed address still connects")
	}
	if err := dial(l.host, "", "10.231.0.3:443"); err == nil {
		t.Error("outbound traffic to a non-allowed address still connects")
	}
	if err := dial(l.host, "", "127.0.0.1:9"); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("loopback is not allowed: %v", err)
	}
	var p IsolateParams
	a.Decode(&p, nil)
	if st, left, err := Status(l.host, p); err != nil || st != "armed" || left < 50*time.Minute {
		t.Errorf("status %s %v %v", st, left, err)
	}
	if err := Confirm(p); err != nil {
		t.Fatal(err)
	}
	if st, _, _ := Status(l.host, p); st != "confirmed" {
		t.Errorf("status after confirm: %s", st)
	}
	// The watchdog: flushed chains are noticed and written again.
	for _, ch := range []string{"VIGIL-ISOLATE-IN", "VIGIL-ISOLATE-OUT"} {
		if out, err := nsRun(l.host, "iptables-legacy", "-w", "-F", ch); err != nil {
			t.Fatalf("%v %s", err, out)
		}
	}
	if err := reach(l.peer, "10.231.0.3", "10.231.0.1:8080"); err != nil {
		t.Fatalf("the flush did not open the host: %v", err)
	}
	if g, err := Guard(p, time.Now(), true, true); err != nil || !g.Repaired || g.State != "confirmed" {
		t.Fatalf("guard: %+v %v", g, err)
	}
	if err := dial(l.peer, "10.231.0.3", "10.231.0.1:8080"); err == nil {
		t.Error("not isolated again after the repair")
	}
	if o := r.Undo(ctx, out.ID); o.Err != nil {
		t.Fatalf("release: %v", o.Err)
	}
	if got := legacySave(t, l.host); got != before {
		t.Errorf("release did not leave the rules as they were:\n%s\nbefore:\n%s", got, before)
	}
	if o := r.Undo(ctx, out.ID); o.Err != nil || !o.Noop {
		t.Errorf("second release: %+v", o)
	}
}

// TestIPTablesDeadMan: the drop rules' -m time --datestop lifts the
// isolation in the kernel, with nothing of Vigil running.
func TestIPTablesDeadMan(t *testing.T) {
	l := legacyLab(t)
	listen(t, l.host, "10.231.0.1:8080")
	a, err := PlanIsolate(contain.Live(), IsolateOptions{Operator: "10.231.0.2", DeadMan: 2 * time.Second, NetNS: l.host,
		Probe: "10.231.0.3", IPTables: IPTablesLegacy})
	if err != nil {
		t.Fatal(err)
	}
	r := runner(t)
	out := r.Apply(context.Background(), a)
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	if err := dial(l.peer, "10.231.0.3", "10.231.0.1:8080"); err == nil {
		t.Fatal("not isolated")
	}
	var err2 error
	for i := 0; i < 40; i++ {
		if err2 = dial(l.peer, "10.231.0.3", "10.231.0.1:8080"); err2 == nil {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if err2 != nil {
		t.Fatalf("the dead-man switch did not restore connectivity: %v", err2)
	}
	var p IsolateParams
	a.Decode(&p, nil)
	if st, _, _ := Status(l.host, p); st != "lapsed" {
		t.Errorf("status %s, want lapsed", st)
	}
	if err := Confirm(p); err == nil {
		t.Error("a lapsed isolation was confirmed")
	}
	if o := r.Undo(context.Background(), out.ID); o.Err != nil {
		t.Fatal(o.Err)
	}
}
