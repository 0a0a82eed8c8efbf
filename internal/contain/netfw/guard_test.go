package netfw

import (
	"context"
	"testing"
	"time"

	"github.com/google/nftables"

	"github.com/vigil-ir/vigil/internal/contain"
)

// TestGuardRepairs: an isolation whose table is flushed (the rules gone,
// as `nft flush table` or a firewall reload does) or deleted is reported
// and, with repair, written again; the operator's path stays throughout.
func TestGuardRepairs(t *testing.T) {
	l := newLab(t)
	listen(t, l.host, "10.231.0.1:2222")
	listen(t, l.host, "10.231.0.1:8080")
	a, err := PlanIsolate(contain.Live(), IsolateOptions{Operator: "10.231.0.2", DeadMan: time.Hour, NetNS: l.host, Probe: "10.231.0.3"})
	if err != nil {
		t.Fatal(err)
	}
	if out := runner(t).Apply(context.Background(), a); out.Err != nil {
		t.Fatal(out.Err)
	}
	var p IsolateParams
	a.Decode(&p, nil)
	since := time.Now()
	tamper := map[string]func(c *nftables.Conn){
		"changed": func(c *nftables.Conn) {
			c.FlushTable(&nftables.Table{Name: IsolateTable, Family: nftables.TableFamilyINet})
		},
		"deleted": func(c *nftables.Conn) {
			c.DelTable(&nftables.Table{Name: IsolateTable, Family: nftables.TableFamilyINet})
		},
	}
	for _, want := range []string{"changed", "deleted"} {
		c, done, err := conn(l.host)
		if err != nil {
			t.Fatal(err)
		}
		tamper[want](c)
		if err := c.Flush(); err != nil {
			t.Fatal(err)
		}
		done()
		if reach(l.peer, "10.231.0.3", "10.231.0.1:8080") != nil {
			t.Fatalf("%s: the lab still blocks after tampering", want)
		}
		g, err := Guard(p, since, false, false)
		if err != nil || g.State != want || g.Repaired {
			t.Fatalf("%s: guard without repair: %+v %v", want, g, err)
		}
		g, err = Guard(p, since, false, true)
		if err != nil || !g.Repaired || g.State != "armed" || g.Left <= 50*time.Minute {
			t.Fatalf("%s: guard with repair: %+v %v", want, g, err)
		}
		if dial(l.peer, "10.231.0.3", "10.231.0.1:8080") == nil {
			t.Errorf("%s: not isolated again after the repair", want)
		}
		if err := reach(l.peer, "10.231.0.2", "10.231.0.1:2222"); err != nil {
			t.Errorf("%s: the operator's path was cut: %v", want, err)
		}
		if g, err = Guard(p, since, false, true); err != nil || g.Repaired || g.State != "armed" {
			t.Errorf("%s: an intact isolation was touched: %+v %v", want, g, err)
		}
	}
	// Confirmed: written again without a dead-man time.
	deleteTable(l.host, IsolateTable)
	if g, err := Guard(p, since.Add(-2*time.Hour), true, true); err != nil || !g.Repaired || g.State != "confirmed" {
		t.Errorf("confirmed: %+v %v", g, err)
	}
	// Past its dead-man time and not confirmed: the switch would have
	// lifted it, so it is not put back.
	deleteTable(l.host, IsolateTable)
	if g, err := Guard(p, since.Add(-2*time.Hour), false, true); err != nil || g.Repaired || g.State != "deleted" {
		t.Errorf("lapsed: %+v %v", g, err)
	}
}
