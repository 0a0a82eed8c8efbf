package netfw

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"

	"github.com/vigil-ir/vigil/internal/contain"
	"github.com/vigil-ir/vigil/internal/store"
)

// BlockKind is the journal id of the block action.
const BlockKind = "net.block"

// BlockParams are journaled.
type BlockParams struct {
	Nets   []string `json:"nets"`
	Expire int64    `json:"expire,omitempty"` // ns; 0: until undone
	// Until is when the block lapses (unix ns, from the plan): the kernel
	// removes a piece of the set no other block covers by itself then.
	Until int64  `json:"until,omitempty"`
	NetNS string `json:"netns,omitempty"`
}

// PlanBlock plans dropping traffic to and from nets (addresses or CIDRs),
// for expire (0: until undone; the kernel removes an expired element by
// itself).
func PlanBlock(t contain.Target, nets []string, expire time.Duration, netns string) (*contain.Action, error) {
	if !t.IsLive() {
		return nil, fmt.Errorf("blocking applies to the running host: --root cannot be used here")
	}
	for _, s := range nets {
		n, err := ParseNet(s)
		if err != nil {
			return nil, err
		}
		if ones, _ := n.Mask.Size(); ones == 0 {
			return nil, fmt.Errorf("%s blocks everything: use vigil contain isolate", s)
		}
	}
	a := &contain.Action{UID: contain.NewUID(), Kind: BlockKind, Target: t, Subject: strings.Join(nets, " ")}
	for _, s := range nets {
		if expire > 0 {
			a.Step("contain.plan.block-expire", s, BlockTable, expire.String())
		} else {
			a.Step("contain.plan.block", s, BlockTable)
		}
	}
	var until int64
	if expire > 0 {
		until = time.Now().Add(expire).UnixNano()
	}
	return a, a.SetParams(BlockParams{Nets: nets, Expire: int64(expire), Until: until, NetNS: netns})
}

// blockTable is the block table with its sets (timeouts allowed) and a drop
// rule per direction and family in each hook.
func blockTable() *built {
	b := &built{table: &nftables.Table{Name: BlockTable, Family: nftables.TableFamilyINet},
		sets: map[string]*nftables.Set{}, elems: map[string][]nftables.SetElement{}, rules: map[string][][]expr.Any{},
		chains: []string{"input", "output", "forward"}}
	b.sets["block4"] = &nftables.Set{Table: b.table, Name: "block4", KeyType: nftables.TypeIPAddr, Interval: true, HasTimeout: true}
	b.sets["block6"] = &nftables.Set{Table: b.table, Name: "block6", KeyType: nftables.TypeIP6Addr, Interval: true, HasTimeout: true}
	drop := []expr.Any{&expr.Counter{}, verdict(expr.VerdictDrop)}
	for _, ch := range b.chains {
		for _, v6 := range []bool{false, true} {
			s := b.sets[map[bool]string{false: "block4", true: "block6"}[v6]]
			if ch != "output" {
				b.rules[ch] = append(b.rules[ch], join(addrIn(s, v6, true), drop))
			}
			if ch != "input" {
				b.rules[ch] = append(b.rules[ch], join(addrIn(s, v6, false), drop))
			}
		}
	}
	return b
}

// BlockAction implements contain.Kind. Journal is the runner's journal:
// the block set is rewritten from the applied block actions it lists.
type BlockAction struct{ Journal store.Journal }

// Name implements contain.Kind.
func (BlockAction) Name() string { return BlockKind }

// effective is the block set the journal calls for in netns: the union of
// the applied block actions other than a, plus a itself when with.
func (k BlockAction) effective(ctx context.Context, a *contain.Action, p BlockParams, with bool) (map[string][]span, error) {
	if k.Journal == nil {
		return nil, errors.New("blocking needs the journal (the effective block set is the union of the applied blocks)")
	}
	recs, err := k.Journal.Actions(ctx, store.ActionQuery{Kind: BlockKind, States: []string{store.ActionApplied}})
	if err != nil {
		return nil, err
	}
	out := map[string][]span{}
	add := func(q BlockParams, created time.Time) error {
		var until time.Time
		switch {
		case q.Until > 0:
			until = time.Unix(0, q.Until)
		case q.Expire > 0:
			until = created.Add(time.Duration(q.Expire))
		}
		for _, s := range q.Nets {
			n, name, err := blockSet(s)
			if err != nil {
				return err
			}
			out[name] = append(out[name], spanOf(n, until))
		}
		return nil
	}
	for _, r := range recs {
		var q BlockParams
		if r.ID == a.ID || json.Unmarshal(r.Params, &q) != nil || q.NetNS != p.NetNS {
			continue
		}
		if err := add(q, r.Created); err != nil {
			return nil, err
		}
	}
	if with {
		if err := add(p, time.Now()); err != nil {
			return nil, err
		}
	}
	now := time.Now()
	for name, sp := range out {
		out[name] = union(sp, now)
	}
	return out, nil
}

// write makes the block table hold exactly the effective set, in one
// transaction: the table created when missing, each set flushed and
// refilled; no block left deletes the table.
func write(c *nftables.Conn, netns string, eff map[string][]span) error {
	b := blockTable()
	have, err := readBack(c, BlockTable)
	if err != nil {
		return err
	}
	if have != "" && have != b.expected() {
		return fmt.Errorf("the table inet %s is not the one vigil writes (edited?): look at it, or delete it, first", BlockTable)
	}
	if len(eff["block4"])+len(eff["block6"]) == 0 {
		return deleteTable(netns, BlockTable)
	}
	now := time.Now()
	if have == "" {
		for name := range b.sets {
			b.elems[name] = setElements(eff[name], now)
		}
		if err := b.write(c); err != nil {
			return err
		}
		return c.Flush()
	}
	for name, set := range b.sets {
		c.FlushSet(set)
		if els := setElements(eff[name], now); len(els) > 0 {
			if err := c.SetAddElements(set, els); err != nil {
				return err
			}
		}
	}
	return c.Flush()
}

// Apply rewrites the block set with the action's networks added.
func (k BlockAction) Apply(ctx context.Context, a *contain.Action) error {
	var p BlockParams
	if err := a.Decode(&p, nil); err != nil {
		return err
	}
	if p.Until > 0 && time.Now().UnixNano() >= p.Until {
		return contain.Refuse(errors.New("the block's expiry passed before it was applied: plan again"))
	}
	if err := Available(p.NetNS); err != nil {
		return err
	}
	eff, err := k.effective(ctx, a, p, true)
	if err != nil {
		return err
	}
	return withAction(a, &p, func() string { return p.NetNS }, func(c *nftables.Conn) error {
		return write(c, p.NetNS, eff)
	})
}

// keys renders a set's elements (keys and end flags), sorted, to compare
// the set read back with the one written.
func keys(els []nftables.SetElement) string {
	var out []string
	for _, e := range els {
		out = append(out, fmt.Sprintf("%x/%v", e.Key, e.IntervalEnd))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// Verify checks that the table reads back as written and its sets hold
// exactly the effective block set, this action's networks included.
func (k BlockAction) Verify(ctx context.Context, a *contain.Action) error {
	var p BlockParams
	if err := a.Decode(&p, nil); err != nil {
		return err
	}
	eff, err := k.effective(ctx, a, p, true)
	if err != nil {
		return err
	}
	return withAction(a, &p, func() string { return p.NetNS }, func(c *nftables.Conn) error {
		b := blockTable()
		if have, err := readBack(c, BlockTable); err != nil || have != b.expected() {
			return fmt.Errorf("the block table reads back different from the one written (%v)", err)
		}
		now := time.Now()
		for name := range b.sets {
			s, err := c.GetSetByName(b.table, name)
			if err != nil {
				return err
			}
			els, err := c.GetSetElements(s)
			if err != nil {
				return err
			}
			if got, want := keys(els), keys(setElements(eff[name], now)); got != want {
				return fmt.Errorf("the set %s holds %s, want %s", name, got, want)
			}
		}
		return nil
	})
}

// Undo rewrites the block set without the action's networks: what the
// other applied blocks cover stays blocked. No block left deletes the
// table.
func (k BlockAction) Undo(ctx context.Context, a *contain.Action) error {
	var p BlockParams
	if err := a.Decode(&p, nil); err != nil {
		return err
	}
	eff, err := k.effective(ctx, a, p, false)
	if err != nil {
		return err
	}
	return withAction(a, &p, func() string { return p.NetNS }, func(c *nftables.Conn) error {
		if have, err := readBack(c, BlockTable); err != nil || have == "" {
			return err
		}
		return write(c, p.NetNS, eff)
	})
}

// blockSet parses s and names the block set it belongs in.
func blockSet(s string) (*net.IPNet, string, error) {
	n, err := ParseNet(s)
	if err != nil {
		return nil, "", err
	}
	if len(n.IP) == net.IPv4len {
		return n, "block4", nil
	}
	return n, "block6", nil
}
