package netfw

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/contain"
)

func TestUnion(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	soon, later := now.Add(time.Minute), now.Add(time.Hour)
	sp := func(s string, until time.Time) span {
		n, err := ParseNet(s)
		if err != nil {
			t.Fatal(err)
		}
		return spanOf(n, until)
	}
	render := func(spans []span) string {
		var out []string
		for _, s := range spans {
			end := "top"
			if s.end != nil {
				end = net.IP(s.end).String()
			}
			d := "-"
			if !s.until.IsZero() {
				d = s.until.Sub(now).String()
			}
			out = append(out, fmt.Sprintf("%s-%s@%s", net.IP(s.start), end, d))
		}
		return strings.Join(out, " ")
	}
	for _, tc := range []struct {
		name string
		in   []span
		want string
	}{
		{"one", []span{sp("10.0.0.0/8", time.Time{})}, "10.0.0.0-11.0.0.0@-"},
		{"inside, both for ever", []span{sp("10.0.0.0/8", time.Time{}), sp("10.1.2.3", time.Time{})}, "10.0.0.0-11.0.0.0@-"},
		{"inside, the outer lapses first", []span{sp("10.0.0.0/8", soon), sp("10.1.2.3", time.Time{})},
			"10.0.0.0-10.1.2.3@1m0s 10.1.2.3-10.1.2.4@- 10.1.2.4-11.0.0.0@1m0s"},
		{"inside, the inner lapses first", []span{sp("10.0.0.0/8", later), sp("10.1.2.3", soon)}, "10.0.0.0-11.0.0.0@1h0m0s"},
		{"adjacent joined", []span{sp("10.0.0.0/25", time.Time{}), sp("10.0.0.128/25", time.Time{})}, "10.0.0.0-10.0.1.0@-"},
		{"overlapping", []span{sp("10.0.0.0/24", soon), sp("10.0.0.128/25", later), sp("10.0.0.200", soon)},
			"10.0.0.0-10.0.0.128@1m0s 10.0.0.128-10.0.1.0@1h0m0s"},
		{"lapsed left out", []span{sp("10.0.0.0/8", now.Add(-time.Second)), sp("10.1.2.3", time.Time{})}, "10.1.2.3-10.1.2.4@-"},
		{"the top", []span{sp("255.255.255.0/24", time.Time{}), sp("255.255.255.255", time.Time{})}, "255.255.255.0-top@-"},
		{"none", nil, ""},
	} {
		if got := render(union(tc.in, now)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// TestOverlappingBlocks: a network and an address inside it, blocked by
// two actions, make one set; undoing either leaves the other's effect;
// undoing both leaves the ruleset as it was.
func TestOverlappingBlocks(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	listen(t, l.host, "10.231.0.1:8080")
	before := snapshot(t, l.host)
	r := runner(t)
	apply := func(nets ...string) int64 {
		a, err := PlanBlock(contain.Live(), nets, 0, l.host)
		if err != nil {
			t.Fatal(err)
		}
		out := r.Apply(ctx, a)
		if out.Err != nil {
			t.Fatalf("block %v: %v", nets, out.Err)
		}
		return out.ID
	}
	reach := func(from string) bool { return dial(l.peer, from, "10.231.0.1:8080") == nil }
	for _, order := range [][2]string{{"10.231.0.0/24", "10.231.0.3"}, {"10.231.0.3", "10.231.0.0/24"}} {
		wide := apply(order[0])
		narrow := apply(order[1])
		if order[0] != "10.231.0.0/24" {
			wide, narrow = narrow, wide
		}
		if reach("10.231.0.2") || reach("10.231.0.3") {
			t.Fatalf("%v: the blocks do not hold", order)
		}
		// Undo the wide one: the address inside it stays blocked.
		if o := r.Undo(ctx, wide); o.Err != nil {
			t.Fatal(o.Err)
		}
		if !reach("10.231.0.2") || reach("10.231.0.3") {
			t.Fatalf("%v: after undoing the network: .2 %v .3 %v", order, reach("10.231.0.2"), reach("10.231.0.3"))
		}
		if o := r.Undo(ctx, narrow); o.Err != nil {
			t.Fatal(o.Err)
		}
		if got := snapshot(t, l.host); got != before {
			t.Fatalf("%v: undo left:\n%s", order, got)
		}
	}
	// The other way round: undo the address, the network still holds it.
	wide, narrow := apply("10.231.0.0/24"), apply("10.231.0.3")
	if o := r.Undo(ctx, narrow); o.Err != nil {
		t.Fatal(o.Err)
	}
	if reach("10.231.0.3") || reach("10.231.0.2") {
		t.Error("undoing the address lifted the network's block")
	}
	// An address blocked with an expiry inside a network blocked for
	// ever: the expiry lifts nothing.
	short, err := PlanBlock(contain.Live(), []string{"10.231.0.2"}, time.Second, l.host)
	if err != nil {
		t.Fatal(err)
	}
	if out := r.Apply(ctx, short); out.Err != nil {
		t.Fatal(out.Err)
	}
	time.Sleep(2 * time.Second)
	if reach("10.231.0.2") {
		t.Error("an expired block inside a lasting one lifted it")
	}
	if o := r.Undo(ctx, wide); o.Err != nil {
		t.Fatal(o.Err)
	}
	// Pieces with different expiries side by side (the network for an
	// hour around the address for ever): the kernel takes them as one set.
	hour, err := PlanBlock(contain.Live(), []string{"10.231.0.0/24"}, time.Hour, l.host)
	if err != nil {
		t.Fatal(err)
	}
	out := r.Apply(ctx, hour)
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	ever := apply("10.231.0.3")
	if reach("10.231.0.2") || reach("10.231.0.3") {
		t.Error("split pieces do not block")
	}
	for _, id := range []int64{out.ID, ever} {
		if o := r.Undo(ctx, id); o.Err != nil {
			t.Fatal(o.Err)
		}
	}
	if got := snapshot(t, l.host); got != before {
		t.Errorf("undo left:\n%s", got)
	}
}
