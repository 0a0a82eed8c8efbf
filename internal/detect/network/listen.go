package network

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/collect/netsock"
	"github.com/vigil-ir/vigil/internal/collect/procs"
	"github.com/vigil-ir/vigil/internal/model"
)

// listenGroup is one port a program listens on, over all its addresses.
type listenGroup struct {
	sock  netsock.Socket
	owner *procs.Process
	addrs map[string]bool
}

// listening inventories the ports of the host's namespace (info), and
// flags those served by a program no package installed.
func (r *run) listening() {
	lo, hi := r.ephemeral()
	groups := map[string]*listenGroup{}
	var order []string
	for _, s := range r.tb.Sockets {
		if !s.HostNS || !s.Listening() {
			continue
		}
		p := r.owner(s)
		if p != nil && p.PID == r.self {
			continue
		}
		k := s.Family() + "/" + strconv.Itoa(int(s.Local.Port())) + "\x00" + exeOrName(p)
		g, ok := groups[k]
		if !ok {
			g = &listenGroup{sock: s, owner: p, addrs: map[string]bool{}}
			groups[k] = g
			order = append(order, k)
		}
		g.addrs[s.Local.Addr().String()] = true
	}
	for _, k := range order {
		g := groups[k]
		s, p := g.sock, g.owner
		pkg := r.pkgOf(p)
		port := int(s.Local.Port())
		// Unconnected UDP sockets in the ephemeral range are clients
		// (resolvers, NTP queries): not services, and never stable.
		inventory := !(s.IsUDP() && port >= lo && port <= hi)
		subject := fmt.Sprintf("%s/%d %s", s.Family(), port, exeOrName(p))
		if inventory {
			f := model.Finding{RuleID: ruleListen, Subject: subject, Evidence: r.evidence(s, p, pkg), Key: k}
			f.Evidence.Text = fmt.Sprintf("%s/%d on %s", s.Family(), port, joinSorted(g.addrs))
			f.Evidence.Extra["addresses"] = joinSorted(g.addrs)
			f.Evidence.Extra["port"] = strconv.Itoa(port)
			r.env.Emit(f)
		}
		if p == nil {
			continue
		}
		odd := r.oddExe(p)
		if len(odd) == 0 && (pkg != model.NoPackage || inNormalPlace(p.Exe)) {
			continue
		}
		inds := odd
		if pkg == model.NoPackage {
			inds = append(inds, indNotPackaged)
		}
		f := model.Finding{RuleID: ruleListenOdd, Subject: subject, Indicators: inds, Evidence: r.evidence(s, p, pkg), Key: k}
		f.Evidence.Text = fmt.Sprintf("%s/%d on %s", s.Family(), port, joinSorted(g.addrs))
		if len(odd) > 0 {
			f = f.WithSeverity(model.High).WithConfidence(model.ConfHigh)
		}
		r.env.Emit(f)
	}
}

// normalPlaces hold software an administrator installed by hand.
var normalPlaces = []string{"/usr/local/", "/opt/", "/snap/", "/srv/"}

func inNormalPlace(p string) bool {
	for _, d := range normalPlaces {
		if strings.HasPrefix(p, d) {
			return true
		}
	}
	return false
}

// ephemeral returns the kernel's local port range for outgoing
// connections (32768-60999 unless tuned).
func (r *run) ephemeral() (int, int) {
	lo, hi := 32768, 60999
	if b, err := r.t.ReadFile("/proc/sys/net/ipv4/ip_local_port_range", 4096); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			a, e1 := strconv.Atoi(f[0])
			z, e2 := strconv.Atoi(f[1])
			if e1 == nil && e2 == nil && a > 0 && a <= z {
				lo, hi = a, z
			}
		}
	}
	return lo, hi
}

// poolPorts flags connections to mining pool ports made by programs no
// package installed (or that cannot be vouched for: containers).
func (r *run) poolPorts() {
	seen := map[string]bool{}
	for _, s := range r.tb.Sockets {
		if !s.IsTCP() || !s.Connected() || !netsock.PoolPort(s.Remote.Port()) {
			continue
		}
		// A pool port on the local side is an inbound connection to a
		// service of ours; only outgoing connections count.
		if r.listenPorts[portKey(s.NetNS, s.Family(), s.Local.Port())] {
			continue
		}
		a := s.Remote.Addr().Unmap()
		if a.IsLoopback() || a.IsUnspecified() {
			continue
		}
		p := r.owner(s)
		if p != nil && p.PID == r.self {
			continue
		}
		pkg := r.pkgOf(p)
		if pkg != "" && pkg != model.NoPackage && len(r.oddExe(p)) == 0 {
			continue // a packaged program: its own protocol on that port
		}
		k := exeOrName(p) + "\x00" + strconv.Itoa(int(s.Remote.Port()))
		if seen[k] {
			continue
		}
		seen[k] = true
		inds := []string{indPoolPort}
		if p != nil {
			inds = append(inds, r.oddExe(p)...)
			if pkg == model.NoPackage {
				inds = append(inds, indNotPackaged)
			}
			if p.Container != "" {
				inds = append(inds, indContainer)
			}
		}
		f := model.Finding{
			RuleID:     rulePoolPort,
			Subject:    fmt.Sprintf("%s -> port %d", exeOrName(p), s.Remote.Port()),
			Indicators: inds,
			Evidence:   r.evidence(s, p, pkg),
			Key:        k,
		}
		f.Evidence.Extra["remote"] = s.Remote.String()
		if a.IsPrivate() || a.IsLinkLocalUnicast() {
			// An internal service on a port pools also use.
			f = f.WithSeverity(model.Medium).WithConfidence(model.ConfLow)
		}
		r.env.Emit(f)
	}
}
