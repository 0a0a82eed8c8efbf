package netfw

import (
	"fmt"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

func durationNs(ns int64) time.Duration { return time.Duration(ns) }

// Spec is an isolation ruleset: what stays allowed.
type Spec struct {
	Allow   []string `json:"allow"`   // addresses and CIDRs allowed in and out (the operator first)
	DNS     []string `json:"dns"`     // resolvers: port 53 to and from them
	DeadMan int64    `json:"deadman"` // ns; 0: none (confirmed)
}

// built is a table ready to be written: its sets and, per chain, rules.
type built struct {
	table  *nftables.Table
	sets   map[string]*nftables.Set
	elems  map[string][]nftables.SetElement
	chains []string
	rules  map[string][][]expr.Any
}

const armedSet = "armed" // the dead-man set: drop rules apply while it holds elements

// addrSets makes the ipv4 and ipv6 interval sets of a list of networks.
func addrSets(b *built, base string, nets []string, timeoutNs int64) error {
	s4 := &nftables.Set{Table: b.table, Name: base + "4", KeyType: nftables.TypeIPAddr, Interval: true, HasTimeout: timeoutNs > 0}
	s6 := &nftables.Set{Table: b.table, Name: base + "6", KeyType: nftables.TypeIP6Addr, Interval: true, HasTimeout: timeoutNs > 0}
	b.sets[s4.Name], b.sets[s6.Name] = s4, s6
	for _, s := range nets {
		n, err := ParseNet(s)
		if err != nil {
			return err
		}
		name := s6.Name
		if len(n.IP) == net.IPv4len {
			name = s4.Name
		}
		b.elems[name] = append(b.elems[name], interval(n, timeoutNs)...)
	}
	return nil
}

// isolation builds the isolation table: in each of input, output and
// forward, loopback, the allowed addresses, DHCP, IPv6 neighbour discovery
// and the resolvers are accepted; everything else is dropped while the
// dead-man set holds its elements (forever once confirmed).
func isolation(sp Spec) (*built, error) {
	b := &built{table: &nftables.Table{Name: IsolateTable, Family: nftables.TableFamilyINet},
		sets: map[string]*nftables.Set{}, elems: map[string][]nftables.SetElement{}, rules: map[string][][]expr.Any{},
		chains: []string{"input", "output", "forward"}}
	if err := addrSets(b, "allow", sp.Allow, 0); err != nil {
		return nil, err
	}
	if err := addrSets(b, "dns", sp.DNS, 0); err != nil {
		return nil, err
	}
	armed := &nftables.Set{Table: b.table, Name: armedSet, KeyType: nftables.TypeNFProto, HasTimeout: true}
	b.sets[armed.Name] = armed
	for _, p := range []byte{unix.NFPROTO_IPV4, unix.NFPROTO_IPV6} {
		el := nftables.SetElement{Key: []byte{p}}
		if sp.DeadMan > 0 {
			el.Timeout = durationNs(sp.DeadMan)
		}
		b.elems[armedSet] = append(b.elems[armedSet], el)
	}
	accept := verdict(expr.VerdictAccept)
	drop := join([]expr.Any{&expr.Meta{Key: expr.MetaKeyNFPROTO, Register: 1},
		&expr.Lookup{SourceRegister: 1, SetName: armed.Name, SetID: armed.ID}, &expr.Counter{}, verdict(expr.VerdictDrop)})
	nd := join([]expr.Any{&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1}, &expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{unix.IPPROTO_ICMPV6}},
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 0, Len: 1},
		// 133-136 as two comparisons, the way nft compiles a range: the
		// boot file of --persist loads back to the same expressions.
		&expr.Cmp{Op: expr.CmpOpGte, Register: 1, Data: []byte{133}}, &expr.Cmp{Op: expr.CmpOpLte, Register: 1, Data: []byte{136}}, accept})
	for _, ch := range b.chains {
		var rs [][]expr.Any
		in, out := ch != "output", ch != "input" // forward: both directions
		if ch == "input" {
			rs = append(rs, join(ifname(expr.MetaKeyIIFNAME, "lo"), []expr.Any{accept}))
		}
		if ch == "output" {
			rs = append(rs, join(ifname(expr.MetaKeyOIFNAME, "lo"), []expr.Any{accept}))
		}
		for _, v6 := range []bool{false, true} {
			fam := map[bool]string{false: "4", true: "6"}[v6]
			if in {
				rs = append(rs, join(addrIn(b.sets["allow"+fam], v6, true), []expr.Any{accept}))
			}
			if out {
				rs = append(rs, join(addrIn(b.sets["allow"+fam], v6, false), []expr.Any{accept}))
			}
			for _, proto := range []byte{unix.IPPROTO_UDP, unix.IPPROTO_TCP} {
				if in {
					rs = append(rs, join(addrIn(b.sets["dns"+fam], v6, true), l4port(proto, 0, 53), []expr.Any{accept}))
				}
				if out {
					rs = append(rs, join(addrIn(b.sets["dns"+fam], v6, false), l4port(proto, 2, 53), []expr.Any{accept}))
				}
			}
		}
		if ch != "forward" {
			// DHCP: client port 68 (v4) and 546 (v6) ask servers on 67 and 547.
			for _, p := range [][2]uint16{{68, 67}, {546, 547}} {
				local, server := p[0], p[1]
				if in {
					rs = append(rs, join(l4port(unix.IPPROTO_UDP, 2, local), []expr.Any{accept}))
				} else {
					rs = append(rs, join(l4port(unix.IPPROTO_UDP, 2, server), []expr.Any{accept}))
				}
			}
			rs = append(rs, nd)
		}
		rs = append(rs, drop)
		b.rules[ch] = rs
	}
	return b, nil
}

// write queues the table in c (one batch: the caller flushes).
func (b *built) write(c *nftables.Conn) error {
	c.AddTable(b.table)
	names := make([]string, 0, len(b.sets))
	for n := range b.sets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := c.AddSet(b.sets[n], b.elems[n]); err != nil {
			return fmt.Errorf("set %s: %w", n, err)
		}
	}
	hooks := map[string]*nftables.ChainHook{"input": nftables.ChainHookInput, "output": nftables.ChainHookOutput, "forward": nftables.ChainHookForward}
	prio := nftables.ChainPriority(hookPriority)
	accept := nftables.ChainPolicyAccept
	for _, ch := range b.chains {
		chain := c.AddChain(&nftables.Chain{Name: ch, Table: b.table, Type: nftables.ChainTypeFilter,
			Hooknum: hooks[ch], Priority: &prio, Policy: &accept})
		for _, r := range b.rules[ch] {
			c.AddRule(&nftables.Rule{Table: b.table, Chain: chain, Exprs: r})
		}
	}
	return nil
}

// expected is the read-back text the written table must give.
func (b *built) expected() string {
	var lines []string
	hooks := map[string]int{"input": int(*nftables.ChainHookInput), "output": int(*nftables.ChainHookOutput), "forward": int(*nftables.ChainHookForward)}
	for _, ch := range b.chains {
		for i, r := range b.rules[ch] {
			lines = append(lines, fmt.Sprintf("%s hook %d prio %d #%03d %s", ch, hooks[ch], hookPriority, i, render(r)))
		}
	}
	for _, s := range b.sets {
		lines = append(lines, fmt.Sprintf("set %s %s interval=%v timeout=%v", s.Name, s.KeyType.Name, s.Interval, s.HasTimeout))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
