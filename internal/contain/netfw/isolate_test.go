package netfw

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"

	"github.com/vigil-ir/vigil/internal/contain"
	"github.com/vigil-ir/vigil/internal/store"
)

// snapshot renders every table, chain and rule of a namespace.
func snapshot(t *testing.T, netns string) string {
	t.Helper()
	c, done, err := conn(netns)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	tables, err := c.ListTables()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, tb := range tables {
		lines = append(lines, fmt.Sprintf("table %d %s", tb.Family, tb.Name))
		chains, _ := c.ListChainsOfTableFamily(tb.Family)
		for _, ch := range chains {
			if ch.Table.Name != tb.Name {
				continue
			}
			rules, _ := c.GetRules(tb, ch)
			for _, r := range rules {
				lines = append(lines, fmt.Sprintf("  %s/%s: %s", tb.Name, ch.Name, render(r.Exprs)))
			}
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// foreignTable is another program's table, which Vigil must leave alone.
func foreignTable(t *testing.T, netns string) {
	c, done, err := conn(netns)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	tb := c.AddTable(&nftables.Table{Name: "admin", Family: nftables.TableFamilyIPv4})
	ch := c.AddChain(&nftables.Chain{Name: "in", Table: tb, Type: nftables.ChainTypeFilter, Hooknum: nftables.ChainHookInput, Priority: nftables.ChainPriorityFilter})
	c.AddRule(&nftables.Rule{Table: tb, Chain: ch, Exprs: []expr.Any{&expr.Counter{}}})
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
}

func runner(t *testing.T) *contain.Runner {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "v.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lookup := func(n string) (contain.Kind, bool) {
		switch n {
		case IsolateKind:
			return IsolateAction{}, true
		case BlockKind:
			return BlockAction{Journal: st}, true
		}
		return nil, false
	}
	r, err := contain.Open(context.Background(), st, lookup, store.Actor{User: "root"}, contain.LockPath(filepath.Join(dir, "v.db")), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestIsolateAndRelease(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	listen(t, l.host, "10.231.0.1:2222") // sshd of the isolated host
	listen(t, l.host, "10.231.0.1:8080") // a service (the attacker's way in)
	listen(t, l.peer, ":443")            // the management server and the outside world
	foreignTable(t, l.host)
	before := snapshot(t, l.host)
	if err := reach(l.peer, "10.231.0.3", "10.231.0.1:8080"); err != nil {
		t.Fatalf("lab broken before isolation: %v", err)
	}
	a, err := PlanIsolate(contain.Live(), IsolateOptions{Operator: "10.231.0.2", DeadMan: time.Hour, NetNS: l.host,
		Checks: []string{"10.231.0.2:443"}, Probe: "10.231.0.3"})
	if err != nil {
		t.Fatal(err)
	}
	r := runner(t)
	out := r.Apply(ctx, a)
	if out.Err != nil || out.State != store.ActionApplied {
		t.Fatalf("isolate: %+v", out)
	}
	// The operator's path stays; everything else is cut, both ways.
	if err := reach(l.peer, "10.231.0.2", "10.231.0.1:2222"); err != nil {
		t.Errorf("the operator's SSH path was cut: %v", err)
	}
	if err := dial(l.peer, "10.231.0.3", "10.231.0.1:8080"); err == nil {
		t.Error("inbound traffic from a non-allowed address still connects")
	}
	if err := dial(l.host, "", "10.231.0.3:443"); err == nil {
		t.Error("outbound traffic to a non-allowed address still connects")
	}
	if err := reach(l.host, "", "10.231.0.2:443"); err != nil {
		t.Errorf("the management server is unreachable: %v", err)
	}
	if err := dial(l.host, "", "127.0.0.1:9"); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("loopback is not allowed: %v", err)
	}
	var p IsolateParams
	a.Decode(&p, nil)
	if st, left, err := Status(l.host, p); err != nil || st != "armed" || left <= 0 {
		t.Errorf("status %s %v %v", st, left, err)
	}
	if err := Confirm(p); err != nil {
		t.Fatal(err)
	}
	if st, _, _ := Status(l.host, p); st != "confirmed" {
		t.Errorf("status after confirm: %s", st)
	}
	if o := r.Undo(ctx, out.ID); o.Err != nil {
		t.Fatalf("release: %v", o.Err)
	}
	if got := snapshot(t, l.host); got != before {
		t.Errorf("release did not leave the ruleset as it was:\n%s\nbefore:\n%s", got, before)
	}
	if err := reach(l.peer, "10.231.0.3", "10.231.0.1:8080"); err != nil {
		t.Errorf("traffic not restored after release: %v", err)
	}
}

func TestDeadManSwitchRestores(t *testing.T) {
	l := newLab(t)
	listen(t, l.host, "10.231.0.1:8080")
	a, err := PlanIsolate(contain.Live(), IsolateOptions{Operator: "10.231.0.2", DeadMan: 2 * time.Second, NetNS: l.host, Probe: "10.231.0.3"})
	if err != nil {
		t.Fatal(err)
	}
	out := runner(t).Apply(context.Background(), a)
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	if err := dial(l.peer, "10.231.0.3", "10.231.0.1:8080"); err == nil {
		t.Fatal("not isolated")
	}
	// Vigil does nothing more: the kernel lifts the isolation itself.
	var err2 error
	for i := 0; i < 60; i++ {
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
}

func TestSelfTestFailureReverts(t *testing.T) {
	l := newLab(t)
	listen(t, l.peer, ":443")
	before := snapshot(t, l.host)
	// The management check names an address the allow-list does not hold.
	a, err := PlanIsolate(contain.Live(), IsolateOptions{Operator: "10.231.0.2", DeadMan: time.Hour, NetNS: l.host,
		Checks: []string{"10.231.0.3:443"}, Probe: "10.231.0.3"})
	if err != nil {
		t.Fatal(err)
	}
	out := runner(t).Apply(context.Background(), a)
	if out.Err == nil || out.State != store.ActionRolledBack || !strings.Contains(out.Err.Error(), "management path") {
		t.Fatalf("%+v", out)
	}
	if got := snapshot(t, l.host); got != before {
		t.Errorf("a failed self-test left rules behind:\n%s", got)
	}
}

func TestPartialFailureLeavesNothing(t *testing.T) {
	l := newLab(t)
	before := snapshot(t, l.host)
	b, err := isolation(Spec{Allow: []string{"10.231.0.2"}, DeadMan: int64(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	c, done, err := conn(l.host)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	b.write(c)
	// The last rule of the batch refers to a set that does not exist.
	c.AddRule(&nftables.Rule{Table: b.table, Chain: &nftables.Chain{Name: "input", Table: b.table},
		Exprs: []expr.Any{&expr.Lookup{SourceRegister: 1, SetName: "missing"}}})
	if err := c.Flush(); err == nil {
		t.Fatal("the kernel accepted a broken batch")
	}
	if got := snapshot(t, l.host); got != before {
		t.Errorf("a failed batch left a part behind:\n%s", got)
	}
}

func TestPlanRefusals(t *testing.T) {
	for _, o := range []IsolateOptions{
		{DeadMan: time.Minute}, // no operator session, no --console
		{Operator: "10.0.0.1"}, // no dead-man switch
		{Operator: "10.0.0.1", DeadMan: time.Minute, Allow: []string{"0.0.0.0/0"}}, // allows everything
		{Operator: "not-an-ip", DeadMan: time.Minute},
	} {
		if _, err := PlanIsolate(contain.Live(), o); err == nil {
			t.Errorf("%+v planned", o)
		}
	}
	if _, err := PlanIsolate(contain.Target{Root: "/mnt/x"}, IsolateOptions{Console: true, DeadMan: time.Minute}); err == nil {
		t.Error("isolation planned on a root directory")
	}
}

func TestHexAddr(t *testing.T) {
	for in, want := range map[string]string{
		"0100007F:0016":                         "127.0.0.1",
		"0000000000000000FFFF00000200E70A:0016": "10.231.0.2",
		"00000000000000000000000001000000:0016": "::1",
		"zz:1":                                  "",
	} {
		if got := hexAddr(in); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
	if got := Resolvers("# x\nnameserver 127.0.0.53\nnameserver fe80::1%eth0\nsearch x\n"); strings.Join(got, ",") != "127.0.0.53,fe80::1" {
		t.Errorf("resolvers %v", got)
	}
}

func TestBlock(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	listen(t, l.host, "10.231.0.1:8080")
	before := snapshot(t, l.host)
	r := runner(t)
	a, err := PlanBlock(contain.Live(), []string{"10.231.0.3"}, 0, l.host)
	if err != nil {
		t.Fatal(err)
	}
	out := r.Apply(ctx, a)
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	b, err := PlanBlock(contain.Live(), []string{"10.231.0.2/32", "fd31::/126"}, 2*time.Second, l.host)
	if err != nil {
		t.Fatal(err)
	}
	out2 := r.Apply(ctx, b)
	if out2.Err != nil {
		t.Fatal(out2.Err)
	}
	if err := dial(l.peer, "10.231.0.3", "10.231.0.1:8080"); err == nil {
		t.Error("a blocked address connects")
	}
	// The /32 with its expiry lapses by itself; 10.231.0.3 stays blocked.
	for i := 0; i < 60; i++ {
		if err := dial(l.peer, "10.231.0.2", "10.231.0.1:8080"); err == nil {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if err := reach(l.peer, "10.231.0.2", "10.231.0.1:8080"); err != nil {
		t.Errorf("the expired block still holds: %v", err)
	}
	if err := dial(l.peer, "10.231.0.3", "10.231.0.1:8080"); err == nil {
		t.Error("the block without expiry lapsed")
	}
	for _, id := range []int64{out2.ID, out.ID} {
		if o := r.Undo(ctx, id); o.Err != nil {
			t.Fatal(o.Err)
		}
	}
	if got := snapshot(t, l.host); got != before {
		t.Errorf("undo left:\n%s", got)
	}
	if _, err := PlanBlock(contain.Live(), []string{"::/0"}, 0, ""); err == nil {
		t.Error("blocking everything was planned")
	}
}
