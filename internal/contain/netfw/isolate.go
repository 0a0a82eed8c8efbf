package netfw

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/google/nftables"
	"golang.org/x/sys/unix"

	"github.com/vigil-ir/vigil/internal/contain"
)

// IsolateKind is the journal id of the isolation action.
const IsolateKind = "net.isolate"

// IsolateOptions are what the operator says.
type IsolateOptions struct {
	Allow    []string      // --allow addresses and CIDRs
	Operator string        // the operator's address (detected when empty)
	Source   string        // how it was detected
	Console  bool          // no network session to keep: the operator is on a console
	DNS      []string      // resolvers to keep (from resolv.conf)
	DeadMan  time.Duration // revert unless confirmed within this (0: refused)
	Checks   []string      // host:port that must still connect after isolating
	Probe    string        // an address that must be blocked (default: 192.0.2.1, TEST-NET-1)
	NetNS    string        // a network namespace path ("" for the host's own)
	IPTables string        // drive this iptables variant instead of nftables (the fallback)
	Persist  bool          // load the isolation again at boot
	// PersistRoot is where the boot files go ("" or "/": the host; tests
	// use a fixture root).
	PersistRoot string
}

// IsolateParams are journaled.
type IsolateParams struct {
	Spec   Spec     `json:"spec"`
	Checks []string `json:"checks,omitempty"`
	Probe  string   `json:"probe"`
	NetNS  string   `json:"netns,omitempty"`
	// IPTables names the iptables variant of the fallback (IPTablesLegacy,
	// IPTablesPlain); "" for nftables.
	IPTables string `json:"iptables,omitempty"`
	// Persist: the isolation is loaded again at boot (persist.go).
	Persist *Persist `json:"persist,omitempty"`
}

// PlanIsolate plans isolating the live host (or the namespace o.NetNS).
func PlanIsolate(t contain.Target, o IsolateOptions) (*contain.Action, error) {
	if !t.IsLive() {
		return nil, errors.New("isolation applies to the running host: --root cannot be used here")
	}
	if o.DeadMan <= 0 {
		return nil, errors.New("a dead-man time is required (--deadman 10m): isolation that cannot lift itself could cut the operator off for good")
	}
	if o.Operator == "" && !o.Console {
		return nil, errors.New("refusing to isolate: the operator's own session was not found (no SSH_CONNECTION, no sshd among vigil's ancestors); give it with --operator ADDR, or say --console when you are on a local or out-of-band console")
	}
	allow := []string{}
	if o.Operator != "" {
		allow = append(allow, o.Operator)
	}
	for _, a := range o.Allow {
		n, err := ParseNet(a)
		if err != nil {
			return nil, err
		}
		if ones, _ := n.Mask.Size(); ones == 0 {
			return nil, fmt.Errorf("--allow %s allows everything: that is not isolation", a)
		}
		allow = append(allow, a)
	}
	if o.Operator != "" {
		if _, err := ParseNet(o.Operator); err != nil {
			return nil, err
		}
	}
	for _, c := range o.Checks {
		if _, _, err := net.SplitHostPort(c); err != nil {
			return nil, fmt.Errorf("--check %s: want HOST:PORT", c)
		}
	}
	probe := o.Probe
	if probe == "" {
		probe = "192.0.2.1"
	}
	p := IsolateParams{Spec: Spec{Allow: allow, DNS: o.DNS, DeadMan: int64(o.DeadMan)}, Checks: o.Checks, Probe: probe, NetNS: o.NetNS, IPTables: o.IPTables}
	if _, err := isolation(p.Spec); err != nil {
		return nil, err
	}
	a := &contain.Action{UID: contain.NewUID(), Kind: IsolateKind, Target: t, Subject: "host"}
	if o.Persist {
		if o.IPTables != "" {
			return nil, errors.New("--persist needs nftables: the iptables fallback isolates until the next boot only")
		}
		root := o.PersistRoot
		if root == "" {
			root = "/"
		}
		var err error
		if p.Persist, err = planPersist(root, a.UID); err != nil {
			return nil, err
		}
	}
	if o.NetNS != "" {
		a.Subject = "netns " + o.NetNS
	}
	if o.IPTables != "" {
		a.Step("contain.plan.isolate-iptables", iptTool(o.IPTables, false, "restore"), iptTool(o.IPTables, true, "restore"))
	} else {
		a.Step("contain.plan.isolate-table", IsolateTable)
	}
	if o.Operator != "" {
		a.Step("contain.plan.isolate-operator", o.Operator, o.Source)
	} else {
		a.Step("contain.plan.isolate-console")
	}
	for _, x := range o.Allow {
		a.Step("contain.plan.isolate-allow", x)
	}
	a.Step("contain.plan.isolate-always")
	if len(o.DNS) > 0 {
		a.Step("contain.plan.isolate-dns", strings.Join(o.DNS, ", "))
	}
	a.Step("contain.plan.isolate-deadman", o.DeadMan.String())
	a.Step("contain.plan.isolate-selftest", probe, strings.Join(o.Checks, ", "))
	if p.Persist != nil {
		a.Step("contain.plan.isolate-persist", strings.Join(p.Persist.Files, ", "))
		a.Note("contain.note.isolate-persist")
	} else {
		a.Note("contain.note.isolate-reboot")
	}
	return a, a.SetParams(p)
}

// IsolateAction implements contain.Kind.
type IsolateAction struct{}

// Name implements contain.Kind.
func (IsolateAction) Name() string { return IsolateKind }

func decodeIsolate(a *contain.Action) (IsolateParams, *built, error) {
	var p IsolateParams
	if err := a.Decode(&p, nil); err != nil {
		return p, nil, err
	}
	b, err := isolation(p.Spec)
	return p, b, err
}

// isolation is a decoded isolation action with a connection to its
// namespace and its table as the kernel holds it now.
type isolationNow struct {
	p    IsolateParams
	b    *built
	c    *nftables.Conn
	have string
}

func openIsolation(a *contain.Action) (*isolationNow, func(), error) {
	p, b, err := decodeIsolate(a)
	if err != nil {
		return nil, nil, err
	}
	if err := Available(p.NetNS); err != nil {
		return nil, nil, err
	}
	c, done, err := conn(p.NetNS)
	if err != nil {
		return nil, nil, err
	}
	have, err := readBack(c, IsolateTable)
	if err != nil {
		done()
		return nil, nil, err
	}
	return &isolationNow{p, b, c, have}, done, nil
}

// Apply writes the table in one netlink transaction (or, with the
// iptables fallback, Vigil's chains with iptables-restore).
func (IsolateAction) Apply(_ context.Context, a *contain.Action) error {
	var p IsolateParams
	if err := a.Decode(&p, nil); err != nil {
		return err
	}
	if p.IPTables != "" {
		switch st, _, err := iptStatus(p); {
		case err != nil:
			return err
		case st == "armed":
			return nil // written before a crash
		case st != "none":
			return fmt.Errorf("vigil's iptables chains exist already (another isolation?): vigil contain release first")
		}
		return iptWrite(p, time.Now().Add(time.Duration(p.Spec.DeadMan)))
	}
	n, done, err := openIsolation(a)
	if err != nil {
		return err
	}
	defer done()
	b, c, have := n.b, n.c, n.have
	switch have {
	case b.expected(): // written before a crash
	case "":
		if err := b.write(c); err != nil {
			return err
		}
		if err := c.Flush(); err != nil {
			return fmt.Errorf("the kernel refused the isolation ruleset (nothing was applied: one transaction): %w", err)
		}
	default:
		return fmt.Errorf("the table inet %s exists already (another isolation?): vigil contain release first", IsolateTable)
	}
	if p.Persist != nil {
		return writePersist(p.Persist, p.Spec)
	}
	return nil
}

// Verify is the self-test: the ruleset reads back as written, the
// dead-man set is armed, every management check connects, and the
// forbidden probe is blocked. Any failure reverts the isolation.
func (IsolateAction) Verify(_ context.Context, a *contain.Action) error {
	var ip IsolateParams
	if err := a.Decode(&ip, nil); err != nil {
		return err
	}
	if ip.IPTables != "" {
		st, _, err := iptStatus(ip)
		if err != nil {
			return err
		}
		if st != "armed" && !(st == "confirmed" && ip.Spec.DeadMan == 0) {
			return fmt.Errorf("vigil's iptables chains read back %s, not as written", st)
		}
		return selfTest(ip)
	}
	n, done, err := openIsolation(a)
	if err != nil {
		return err
	}
	defer done()
	p, b, c, have := n.p, n.b, n.c, n.have
	if have != b.expected() {
		return fmt.Errorf("the ruleset read back differs from the one written:\n%s\nwritten:\n%s", have, b.expected())
	}
	if n, err := armedElements(c); err != nil || (n != 2 && p.Spec.DeadMan > 0) {
		return fmt.Errorf("the dead-man set holds %d elements, want 2 (%v)", n, err)
	}
	if p.Persist != nil {
		if err := verifyPersist(p.Persist, p.Spec); err != nil {
			return err
		}
	}
	return selfTest(p)
}

// selfTest: every management check connects and the forbidden probe is
// blocked.
func selfTest(p IsolateParams) error {
	for _, chk := range p.Checks {
		if err := inNetNS(p.NetNS, func() error {
			conn, err := net.DialTimeout("tcp", chk, 3*time.Second)
			if err == nil {
				conn.Close()
			}
			return err
		}); err != nil {
			return fmt.Errorf("the management path %s does not connect while isolated: %w", chk, err)
		}
	}
	return probeBlocked(p.NetNS, p.Probe)
}

// probeBlocked sends one UDP datagram to the discard port of addr, which
// the output chain must drop: the kernel then fails the send with EPERM.
// No route at all (ENETUNREACH) is blocked too.
func probeBlocked(netns, addr string) error {
	return inNetNS(netns, func() error {
		conn, err := net.Dial("udp", net.JoinHostPort(addr, "9"))
		if err != nil {
			if errors.Is(err, unix.ENETUNREACH) || errors.Is(err, unix.EPERM) {
				return nil
			}
			return fmt.Errorf("forbidden probe to %s: %w", addr, err)
		}
		defer conn.Close()
		_, err = conn.Write([]byte("vigil isolation probe"))
		switch {
		case errors.Is(err, unix.EPERM), errors.Is(err, unix.ENETUNREACH):
			return nil
		case err == nil:
			return fmt.Errorf("the forbidden probe to %s was NOT blocked: isolation is not in force", addr)
		}
		return fmt.Errorf("forbidden probe to %s: %w", addr, err)
	})
}

func armedElements(c *nftables.Conn) (int, error) {
	t := &nftables.Table{Name: IsolateTable, Family: nftables.TableFamilyINet}
	s, err := c.GetSetByName(t, armedSet)
	if err != nil {
		return 0, err
	}
	els, err := c.GetSetElements(s)
	return len(els), err
}

// Undo deletes Vigil's table (nothing else): the ruleset is as before.
func (IsolateAction) Undo(_ context.Context, a *contain.Action) error {
	var p IsolateParams
	if err := a.Decode(&p, nil); err != nil {
		return err
	}
	if p.IPTables != "" {
		return iptDelete(p.NetNS, p.IPTables)
	}
	if p.Persist != nil {
		if err := removePersist(p.Persist); err != nil {
			return err
		}
	}
	return deleteTable(p.NetNS, IsolateTable)
}

func deleteTable(netns, name string) error {
	c, done, err := conn(netns)
	if err != nil {
		return err
	}
	defer done()
	if have, err := readBack(c, name); err != nil || have == "" {
		return err
	}
	c.DelTable(&nftables.Table{Name: name, Family: nftables.TableFamilyINet})
	return c.Flush()
}

// Confirm makes an applied isolation permanent (until release): the
// dead-man elements are replaced by ones without a timeout, in one
// transaction (with the iptables fallback: the drop rules written again
// without their deadline). It refuses when the isolation already lapsed.
func Confirm(p IsolateParams) error {
	if p.IPTables != "" {
		switch st, _, err := iptStatus(p); {
		case err != nil:
			return err
		case st == "lapsed":
			return errors.New("the isolation already lapsed (the dead-man switch lifted it): isolate again")
		case st != "armed" && st != "confirmed":
			return fmt.Errorf("no isolation to confirm (vigil's iptables chains are %s)", st)
		}
		return iptWrite(p, time.Time{})
	}
	c, done, err := conn(p.NetNS)
	if err != nil {
		return err
	}
	defer done()
	n, err := armedElements(c)
	if err != nil {
		return fmt.Errorf("no isolation to confirm: %w", err)
	}
	if n == 0 {
		return errors.New("the isolation already lapsed (the dead-man switch lifted it): isolate again")
	}
	s, err := c.GetSetByName(&nftables.Table{Name: IsolateTable, Family: nftables.TableFamilyINet}, armedSet)
	if err != nil {
		return err
	}
	els := []nftables.SetElement{{Key: []byte{unix.NFPROTO_IPV4}}, {Key: []byte{unix.NFPROTO_IPV6}}}
	if err := c.SetDeleteElements(s, els); err != nil {
		return err
	}
	if err := c.SetAddElements(s, els); err != nil {
		return err
	}
	if err := c.Flush(); err != nil {
		return err
	}
	if p.Persist != nil {
		// Every boot from now on isolates without a dead-man switch too.
		sp := p.Spec
		sp.DeadMan = 0
		return writePersist(p.Persist, sp)
	}
	return nil
}

// Status says whether isolation is in force: "none", "armed" (until the
// dead-man switch or a confirm), "confirmed", "lapsed" (the switch lifted
// it), or "changed" (the table is not the one written: flushed or edited).
func Status(netns string, p IsolateParams) (string, time.Duration, error) {
	if p.IPTables != "" {
		return iptStatus(p)
	}
	c, done, err := conn(netns)
	if err != nil {
		return "", 0, err
	}
	defer done()
	have, err := readBack(c, IsolateTable)
	if err != nil || have == "" {
		return "none", 0, err
	}
	b, err := isolation(p.Spec)
	if err != nil {
		return "", 0, err
	}
	if have != b.expected() {
		return "changed", 0, nil
	}
	s, err := c.GetSetByName(&nftables.Table{Name: IsolateTable, Family: nftables.TableFamilyINet}, armedSet)
	if err != nil {
		return "changed", 0, nil
	}
	els, err := c.GetSetElements(s)
	if err != nil {
		return "", 0, err
	}
	switch {
	case len(els) == 0:
		return "lapsed", 0, nil
	case els[0].Expires > 0:
		return "armed", els[0].Expires, nil
	}
	return "confirmed", 0, nil
}
