// Package netfw is the network containment: isolating the host and
// blocking addresses, each in an nftables table of Vigil's own (family
// inet, so IPv4 and IPv6; chains on the input, output and forward hooks at
// priority -10, before the usual filter chains), written over netlink with
// github.com/google/nftables in one transaction — a batch the kernel
// applies whole or not at all, so a partial failure leaves nothing behind.
// Vigil never touches another program's tables: release deletes its own
// table, which leaves the rest of the ruleset exactly as it was.
package netfw

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"sort"
	"strings"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// Table names: one for isolation, one for blocked addresses.
const (
	IsolateTable = "vigil_isolate"
	BlockTable   = "vigil_block"
)

// hookPriority runs Vigil's chains before the usual filter chains (0). A
// packet dropped by any base chain is dropped; Vigil's accept does not
// override another table's drop.
const hookPriority = -10

// conn opens a netlink connection to nftables in the network namespace at
// netns ("" for Vigil's own).
func conn(netns string) (*nftables.Conn, func(), error) {
	if netns == "" {
		c, err := nftables.New()
		return c, func() {}, err
	}
	fd, err := unix.Open(netns, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("network namespace %s: %w", netns, err)
	}
	c, err := nftables.New(nftables.WithNetNSFd(fd))
	if err != nil {
		unix.Close(fd)
		return nil, nil, err
	}
	return c, func() { unix.Close(fd) }, nil
}

// Available reports whether nftables can be used in netns, and why not.
// Where it cannot (a kernel without nf_tables), isolation falls back to
// iptables when it is installed (iptables.go); blocking refuses.
func Available(netns string) error {
	c, done, err := conn(netns)
	if err != nil {
		return err
	}
	defer done()
	if _, err := c.ListTablesOfFamily(nftables.TableFamilyINet); err != nil {
		return fmt.Errorf("nftables is not available here (%v)", err)
	}
	return nil
}

// inNetNS runs fn on a thread inside the namespace at netns ("" runs it
// here): sockets fn creates belong to that namespace.
func inNetNS(netns string, fn func() error) error {
	if netns == "" {
		return fn()
	}
	runtime.LockOSThread()
	self, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer unix.Close(self)
	fd, err := unix.Open(netns, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer unix.Close(fd)
	if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return err
	}
	ferr := fn()
	if err := unix.Setns(self, unix.CLONE_NEWNET); err != nil {
		// The thread stays locked and dies with its goroutine: it never
		// runs other code in the wrong namespace.
		return errors.Join(ferr, err)
	}
	runtime.UnlockOSThread()
	return ferr
}

// Expression builders (inet family).

func nfproto(p byte) []expr.Any {
	return []expr.Any{&expr.Meta{Key: expr.MetaKeyNFPROTO, Register: 1}, &expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{p}}}
}

// addrIn matches the source (src) or destination address against a set.
func addrIn(set *nftables.Set, v6, src bool) []expr.Any {
	p, off, n := byte(unix.NFPROTO_IPV4), uint32(16), uint32(4)
	if src {
		off = 12
	}
	if v6 {
		p, off, n = unix.NFPROTO_IPV6, 24, 16
		if src {
			off = 8
		}
	}
	return append(nfproto(p),
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: off, Len: n},
		&expr.Lookup{SourceRegister: 1, SetName: set.Name, SetID: set.ID})
}

func ifname(meta expr.MetaKey, name string) []expr.Any {
	b := make([]byte, 16)
	copy(b, name)
	return []expr.Any{&expr.Meta{Key: meta, Register: 1}, &expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: b}}
}

func l4port(proto byte, off uint32, port uint16) []expr.Any {
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{proto}},
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: off, Len: 2},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{byte(port >> 8), byte(port)}},
	}
}

func verdict(k expr.VerdictKind) expr.Any { return &expr.Verdict{Kind: k} }

func join(parts ...[]expr.Any) []expr.Any {
	var out []expr.Any
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// interval turns a CIDR into the two elements of an interval set.
func interval(n *net.IPNet, timeoutNs int64) []nftables.SetElement {
	start := n.IP.Mask(n.Mask)
	end := make(net.IP, len(start))
	for i := range start {
		end[i] = start[i] | ^n.Mask[i]
	}
	// The end element is the first address after the range.
	carry := true
	for i := len(end) - 1; i >= 0 && carry; i-- {
		end[i]++
		carry = end[i] == 0
	}
	el := nftables.SetElement{Key: []byte(start)}
	if timeoutNs > 0 {
		el.Timeout = durationNs(timeoutNs)
	}
	out := []nftables.SetElement{el}
	if !carry { // 255.255.255.255/x and ::/0 end at the top: no end element
		out = append(out, nftables.SetElement{Key: []byte(end), IntervalEnd: true})
	}
	return out
}

// ParseNet reads an address or a CIDR.
func ParseNet(s string) (*net.IPNet, error) {
	if !strings.Contains(s, "/") {
		ip := net.ParseIP(s)
		if ip == nil {
			return nil, fmt.Errorf("%q is not an IP address or CIDR", s)
		}
		bits := 128
		if ip4 := ip.To4(); ip4 != nil {
			ip, bits = ip4, 32
		}
		return &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)}, nil
	}
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not an IP address or CIDR", s)
	}
	if ip4 := n.IP.To4(); ip4 != nil {
		n.IP = ip4
	}
	return n, nil
}

// render is a canonical text of a rule's expressions: the same for the
// rule Vigil built and the rule the kernel reads back.
func render(exprs []expr.Any) string {
	var b strings.Builder
	for _, e := range exprs {
		switch v := e.(type) {
		case *expr.Meta:
			fmt.Fprintf(&b, "meta(%d) ", v.Key)
		case *expr.Cmp:
			fmt.Fprintf(&b, "cmp(%d,%x) ", v.Op, v.Data)
		case *expr.Payload:
			fmt.Fprintf(&b, "payload(%d,%d,%d) ", v.Base, v.Offset, v.Len)
		case *expr.Lookup:
			fmt.Fprintf(&b, "lookup(%s) ", v.SetName)
		case *expr.Verdict:
			fmt.Fprintf(&b, "verdict(%d) ", v.Kind)
		case *expr.Range:
			fmt.Fprintf(&b, "range(%x,%x) ", v.FromData, v.ToData)
		case *expr.Counter:
			b.WriteString("counter ")
		default:
			fmt.Fprintf(&b, "%T ", e)
		}
	}
	return strings.TrimSpace(b.String())
}

// readBack renders Vigil's table as the kernel holds it: each chain with
// its hook and priority and its rules, each set with its flags. "" when
// the table does not exist.
func readBack(c *nftables.Conn, name string) (string, error) {
	t, err := c.ListTableOfFamily(name, nftables.TableFamilyINet)
	if err != nil {
		if errors.Is(err, unix.ENOENT) || strings.Contains(err.Error(), "no such file") {
			return "", nil
		}
		return "", err
	}
	chains, err := c.ListChainsOfTableFamily(nftables.TableFamilyINet)
	if err != nil {
		return "", err
	}
	var lines []string
	for _, ch := range chains {
		if ch.Table.Name != t.Name {
			continue
		}
		rules, err := c.GetRules(t, ch)
		if err != nil {
			return "", err
		}
		prio := 0
		if ch.Priority != nil {
			prio = int(*ch.Priority)
		}
		hook := -1
		if ch.Hooknum != nil {
			hook = int(*ch.Hooknum)
		}
		for i, r := range rules {
			lines = append(lines, fmt.Sprintf("%s hook %d prio %d #%03d %s", ch.Name, hook, prio, i, render(r.Exprs)))
		}
	}
	sets, err := c.GetSets(t)
	if err != nil {
		return "", err
	}
	for _, s := range sets {
		lines = append(lines, fmt.Sprintf("set %s %s interval=%v timeout=%v", s.Name, s.KeyType.Name, s.Interval, s.HasTimeout))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n"), nil
}

// withAction decodes the action's parameters into p and runs fn with a
// connection to the namespace netns() names then.
func withAction(a interface{ Decode(p, u any) error }, p any, netns func() string, fn func(*nftables.Conn) error) error {
	if err := a.Decode(p, nil); err != nil {
		return err
	}
	c, done, err := conn(netns())
	if err != nil {
		return err
	}
	defer done()
	return fn(c)
}
