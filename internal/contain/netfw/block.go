package netfw

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"

	"github.com/vigil-ir/vigil/internal/contain"
)

// BlockKind is the journal id of the block action.
const BlockKind = "net.block"

// BlockParams are journaled.
type BlockParams struct {
	Nets   []string `json:"nets"`
	Expire int64    `json:"expire,omitempty"` // ns; 0: until undone
	NetNS  string   `json:"netns,omitempty"`
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
	return a, a.SetParams(BlockParams{Nets: nets, Expire: int64(expire), NetNS: netns})
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

// elements groups the interval elements of nets by set.
func elements(nets []string, expire int64) (map[string][]nftables.SetElement, error) {
	out := map[string][]nftables.SetElement{}
	for _, s := range nets {
		n, name, err := blockSet(s)
		if err != nil {
			return nil, err
		}
		out[name] = append(out[name], interval(n, expire)...)
	}
	return out, nil
}

// BlockAction implements contain.Kind.
type BlockAction struct{}

// Name implements contain.Kind.
func (BlockAction) Name() string { return BlockKind }

// Apply adds the elements, creating the table first when needed, in one
// transaction.
func (BlockAction) Apply(_ context.Context, a *contain.Action) error {
	var p BlockParams
	if err := a.Decode(&p, nil); err != nil {
		return err
	}
	if err := Available(p.NetNS); err != nil {
		return err
	}
	c, done, err := conn(p.NetNS)
	if err != nil {
		return err
	}
	defer done()
	els, err := elements(p.Nets, p.Expire)
	if err != nil {
		return err
	}
	b := blockTable()
	have, err := readBack(c, BlockTable)
	if err != nil {
		return err
	}
	switch have {
	case "":
		b.elems = els
		if err := b.write(c); err != nil {
			return err
		}
	case b.expected():
		for name, e := range els {
			if err := c.SetAddElements(b.sets[name], e); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("the table inet %s is not the one vigil writes (edited?): look at it, or delete it, first", BlockTable)
	}
	return c.Flush()
}

// present reports which of nets are in the block sets.
func present(c *nftables.Conn, nets []string) (map[string]bool, error) {
	out := map[string]bool{}
	t := &nftables.Table{Name: BlockTable, Family: nftables.TableFamilyINet}
	for _, s := range nets {
		n, name, err := blockSet(s)
		if err != nil {
			return nil, err
		}
		set, err := c.GetSetByName(t, name)
		if err != nil {
			continue
		}
		els, err := c.GetSetElements(set)
		if err != nil {
			return nil, err
		}
		for _, e := range els {
			if !e.IntervalEnd && (e.Timeout == 0 || e.Expires > 0) && bytes.Equal(e.Key, n.IP.Mask(n.Mask)) {
				out[s] = true
			}
		}
	}
	return out, nil
}

// Verify checks the table and that every address is in it.
func (BlockAction) Verify(_ context.Context, a *contain.Action) error {
	var p BlockParams
	return withAction(a, &p, func() string { return p.NetNS }, func(c *nftables.Conn) error {
		return verifyBlock(c, p)
	})
}

func verifyBlock(c *nftables.Conn, p BlockParams) error {
	if have, err := readBack(c, BlockTable); err != nil || have != blockTable().expected() {
		return fmt.Errorf("the block table reads back different from the one written (%v)", err)
	}
	in, err := present(c, p.Nets)
	if err != nil {
		return err
	}
	for _, s := range p.Nets {
		if !in[s] {
			return fmt.Errorf("%s is not in the block set", s)
		}
	}
	return nil
}

// Undo removes the action's addresses (those not expired already) and
// deletes the table when no address is left in it.
func (BlockAction) Undo(_ context.Context, a *contain.Action) error {
	var p BlockParams
	return withAction(a, &p, func() string { return p.NetNS }, func(c *nftables.Conn) error {
		return undoBlock(c, p)
	})
}

func undoBlock(c *nftables.Conn, p BlockParams) error {
	if have, err := readBack(c, BlockTable); err != nil || have == "" {
		return err
	}
	in, err := present(c, p.Nets)
	if err != nil {
		return err
	}
	var still []string
	for _, s := range p.Nets {
		if in[s] {
			still = append(still, s)
		}
	}
	b := blockTable()
	// One batch per address: an element that expired between the listing
	// and the delete (ENOENT) is gone already, which is what undo wants.
	for _, s := range still {
		els, err := elements([]string{s}, 0)
		if err != nil {
			return err
		}
		for name, e := range els {
			if err := c.SetDeleteElements(b.sets[name], e); err != nil {
				return err
			}
		}
		if err := c.Flush(); err != nil && !errors.Is(err, unix.ENOENT) && !strings.Contains(err.Error(), "no such file") {
			return fmt.Errorf("removing %s: %w", s, err)
		}
	}
	left := 0
	for _, name := range []string{"block4", "block6"} {
		if s, err := c.GetSetByName(b.table, name); err == nil {
			els, _ := c.GetSetElements(s)
			for _, e := range els {
				// Expired elements may still be listed until the kernel's
				// garbage collection: they block nothing.
				if !e.IntervalEnd && (e.Timeout == 0 || e.Expires > 0) {
					left++
				}
			}
		}
	}
	if left == 0 {
		return deleteTable(p.NetNS, BlockTable)
	}
	return nil
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
