package netfw

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/lazyre"
)

// The iptables fallback, for hosts whose kernel has no nf_tables: the same
// isolation (the same allow-list, DHCP, neighbour discovery, resolvers; the
// same input, output and forward paths) as three chains of Vigil's own in
// the filter table of iptables and ip6tables, jumped to first from INPUT,
// OUTPUT and FORWARD. Each family is written with one `iptables-restore
// --noflush` (atomic for that family; a failure of the second is rolled back
// by the action's undo). The dead-man switch is in the kernel here too: the
// drop rules carry `-m time --datestop` (UTC), so they stop matching by
// themselves at the deadline. Vigil drives the tools through iptables-save
// and -restore of its own chains only: another program's rules are never
// rewritten. iptables-legacy is preferred (the nf_tables-based iptables
// needs the very kernel support that is missing).

// IPTables values of IsolateParams: which iptables variant drives the
// isolation ("" for nftables).
const (
	IPTablesLegacy = "legacy" // iptables-legacy-restore, ip6tables-legacy-restore
	IPTablesPlain  = "plain"  // iptables-restore, ip6tables-restore
)

var iptChains = [][2]string{{"INPUT", "VIGIL-ISOLATE-IN"}, {"OUTPUT", "VIGIL-ISOLATE-OUT"}, {"FORWARD", "VIGIL-ISOLATE-FWD"}}

// IPTablesVariant says which iptables Vigil would drive here ("" when
// none is installed).
func IPTablesVariant() string {
	if _, err := exec.LookPath("iptables-legacy-restore"); err == nil {
		if _, err := exec.LookPath("ip6tables-legacy-restore"); err == nil {
			return IPTablesLegacy
		}
	}
	if _, err := exec.LookPath("iptables-restore"); err == nil {
		if _, err := exec.LookPath("ip6tables-restore"); err == nil {
			return IPTablesPlain
		}
	}
	return ""
}

// iptTool names the save or restore tool of a variant and family.
func iptTool(variant string, v6 bool, op string) string {
	t := "iptables"
	if v6 {
		t = "ip6tables"
	}
	if variant == IPTablesLegacy {
		t += "-legacy"
	}
	return t + "-" + op
}

// iptRun runs a tool in the namespace netns with stdin.
func iptRun(netns, tool string, stdin []byte, args ...string) (string, error) {
	var out, errb bytes.Buffer
	err := inNetNS(netns, func() error {
		cmd := exec.Command(tool, args...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(stdin), &out, &errb
		return cmd.Run()
	})
	if err != nil {
		return "", fmt.Errorf("%s: %w: %s", tool, err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// iptRules renders the isolation of one family as iptables-save prints it:
// the jumps, then each chain's rules. deadline zero: no dead-man (confirmed).
func iptRules(sp Spec, v6 bool, deadline time.Time) ([]string, error) {
	fam := func(list []string) ([]string, error) {
		var out []string
		for _, s := range list {
			n, err := ParseNet(s)
			if err != nil {
				return nil, err
			}
			if (len(n.IP) == 16) == v6 {
				out = append(out, n.String())
			}
		}
		return out, nil
	}
	allow, err := fam(sp.Allow)
	if err != nil {
		return nil, err
	}
	dns, err := fam(sp.DNS)
	if err != nil {
		return nil, err
	}
	in, out, fwd := iptChains[0][1], iptChains[1][1], iptChains[2][1]
	var r []string
	add := func(chain, rule string) { r = append(r, "-A "+chain+" "+rule) }
	for _, c := range iptChains {
		add(c[0], "-j "+c[1])
	}
	add(in, "-i lo -j ACCEPT")
	add(out, "-o lo -j ACCEPT")
	for _, a := range allow {
		add(in, "-s "+a+" -j ACCEPT")
		add(out, "-d "+a+" -j ACCEPT")
		add(fwd, "-s "+a+" -j ACCEPT")
		add(fwd, "-d "+a+" -j ACCEPT")
	}
	for _, d := range dns {
		for _, p := range []string{"udp", "tcp"} {
			add(in, "-s "+d+" -p "+p+" -m "+p+" --sport 53 -j ACCEPT")
			add(out, "-d "+d+" -p "+p+" -m "+p+" --dport 53 -j ACCEPT")
			add(fwd, "-s "+d+" -p "+p+" -m "+p+" --sport 53 -j ACCEPT")
			add(fwd, "-d "+d+" -p "+p+" -m "+p+" --dport 53 -j ACCEPT")
		}
	}
	client, server := "68", "67"
	if v6 {
		client, server = "546", "547"
	}
	add(in, "-p udp -m udp --dport "+client+" -j ACCEPT")
	add(out, "-p udp -m udp --dport "+server+" -j ACCEPT")
	if v6 {
		for _, ch := range []string{in, out} {
			for typ := 133; typ <= 136; typ++ {
				add(ch, fmt.Sprintf("-p ipv6-icmp -m icmp6 --icmpv6-type %d -j ACCEPT", typ))
			}
		}
	}
	drop := "-j DROP"
	if !deadline.IsZero() {
		drop = "-m time --datestop " + deadline.UTC().Format("2006-01-02T15:04:05") + " -j DROP"
	}
	for _, ch := range []string{in, out, fwd} {
		add(ch, drop)
	}
	return r, nil
}

// iptSaved is Vigil's part of a family's filter table as the kernel holds
// it: the declared chains, the jumps to them with their positions, and the
// rules of its chains, in order.
type iptSaved struct {
	chains []string
	jumps  map[string]int // builtin chain -> jumps to Vigil's chain found
	first  map[string]bool
	rules  []string
}

func iptRead(netns, variant string, v6 bool) (iptSaved, error) {
	out, err := iptRun(netns, iptTool(variant, v6, "save"), nil, "-t", "filter")
	s := iptSaved{jumps: map[string]int{}, first: map[string]bool{}}
	if err != nil {
		return s, err
	}
	seen := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		for _, c := range iptChains {
			switch {
			case strings.HasPrefix(l, ":"+c[1]+" "):
				s.chains = append(s.chains, c[1])
			case strings.HasPrefix(l, "-A "+c[0]+" "):
				if l == "-A "+c[0]+" -j "+c[1] {
					s.jumps[c[0]]++
					s.first[c[0]] = !seen[c[0]]
					s.rules = append(s.rules, l)
				}
				seen[c[0]] = true
			case strings.HasPrefix(l, "-A "+c[1]+" "):
				s.rules = append(s.rules, l)
			}
		}
	}
	return s, nil
}

var datestop = lazyre.New(`-m time --datestop (\S+) `)

// normal renders rules chain by chain (each chain's own order kept), with
// the dead-man deadline left out: the read-back is compared without it.
func normal(rules []string) string {
	rs := append([]string(nil), rules...)
	chain := func(r string) string { f := strings.Fields(r); return f[1] }
	sort.SliceStable(rs, func(i, j int) bool { return chain(rs[i]) < chain(rs[j]) })
	return datestop.ReplaceAllString(strings.Join(rs, "\n"), "")
}

// iptWrite writes the isolation chains of both families (their rules
// replaced; the jumps inserted first in the builtin chains where missing).
func iptWrite(p IsolateParams, deadline time.Time) error {
	for _, v6 := range []bool{false, true} {
		have, err := iptRead(p.NetNS, p.IPTables, v6)
		if err != nil {
			return err
		}
		rules, err := iptRules(p.Spec, v6, deadline)
		if err != nil {
			return err
		}
		var b strings.Builder
		b.WriteString("*filter\n")
		for _, c := range iptChains {
			fmt.Fprintf(&b, ":%s - [0:0]\n", c[1])
		}
		for _, c := range iptChains {
			if have.jumps[c[0]] == 0 {
				fmt.Fprintf(&b, "-I %s 1 -j %s\n", c[0], c[1])
			}
		}
		for _, r := range rules[len(iptChains):] {
			b.WriteString(r + "\n")
		}
		b.WriteString("COMMIT\n")
		if _, err := iptRun(p.NetNS, iptTool(p.IPTables, v6, "restore"), []byte(b.String()), "-w", "--noflush"); err != nil {
			return err
		}
	}
	return nil
}

// iptDelete removes the jumps and Vigil's chains of both families, and
// nothing else; what is gone already is left alone (idempotent).
func iptDelete(netns, variant string) error {
	var errs []error
	for _, v6 := range []bool{false, true} {
		have, err := iptRead(netns, variant, v6)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var b strings.Builder
		for _, c := range iptChains {
			for i := 0; i < have.jumps[c[0]]; i++ {
				fmt.Fprintf(&b, "-D %s -j %s\n", c[0], c[1])
			}
		}
		for _, c := range have.chains {
			fmt.Fprintf(&b, "-F %s\n-X %s\n", c, c)
		}
		if b.Len() == 0 {
			continue
		}
		if _, err := iptRun(netns, iptTool(variant, v6, "restore"), []byte("*filter\n"+b.String()+"COMMIT\n"), "-w", "--noflush"); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// iptStatus is Status for the iptables fallback.
func iptStatus(p IsolateParams) (string, time.Duration, error) {
	none := 0
	var until time.Time
	for _, v6 := range []bool{false, true} {
		have, err := iptRead(p.NetNS, p.IPTables, v6)
		if err != nil {
			return "", 0, err
		}
		if len(have.chains) == 0 && len(have.rules) == 0 {
			none++
			continue
		}
		want, err := iptRules(p.Spec, v6, time.Time{})
		if err != nil {
			return "", 0, err
		}
		if !iptSame(have, want) {
			return "changed", 0, nil
		}
		if m := datestop.FindStringSubmatch(strings.Join(have.rules, "\n") + " "); m != nil {
			t, err := time.ParseInLocation("2006-01-02T15:04:05", m[1], time.UTC)
			if err != nil {
				return "changed", 0, nil
			}
			until = t
		}
	}
	switch {
	case none == 2:
		return "none", 0, nil
	case none == 1:
		return "changed", 0, nil
	case until.IsZero():
		return "confirmed", 0, nil
	case time.Now().After(until):
		return "lapsed", 0, nil
	}
	return "armed", time.Until(until), nil
}

// iptSame: the chains read back are the ones written, each jump once and
// first in its builtin chain, deadlines aside.
func iptSame(have iptSaved, want []string) bool {
	if len(have.chains) != len(iptChains) {
		return false
	}
	for _, c := range iptChains {
		if have.jumps[c[0]] != 1 || !have.first[c[0]] {
			return false
		}
	}
	return normal(have.rules) == normal(want)
}
