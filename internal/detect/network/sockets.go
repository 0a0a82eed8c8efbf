package network

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/collect/netsock"
	"github.com/vigil-ir/vigil/internal/collect/procs"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// rawUsers are programs that open raw IP or packet sockets for their job:
// DHCP clients and servers, network managers, VRRP and routing daemons,
// neighbour discovery, capture and diagnostic tools.
var rawUsers = map[string]bool{
	"dhclient": true, "dhcpcd": true, "udhcpc": true, "dhcpd": true, "dhcrelay": true, "kea-dhcp4": true,
	"kea-dhcp6": true, "systemd-networkd": true, "NetworkManager": true, "nm-dhcp-helper": true,
	"dnsmasq": true, "wpa_supplicant": true, "hostapd": true, "tcpdump": true, "dumpcap": true,
	"wireshark": true, "tshark": true, "ping": true, "ping6": true, "arping": true, "traceroute": true,
	"traceroute6": true, "mtr": true, "mtr-packet": true, "fping": true, "keepalived": true, "lldpd": true,
	"ladvd": true, "lldpad": true, "radvd": true, "ndppd": true, "pppd": true, "pppoe": true, "pppoe-server": true,
	"snort": true, "suricata": true, "zeek": true, "bro": true, "arpwatch": true, "iftop": true, "nethogs": true,
	"ntopng": true, "ospfd": true, "ospf6d": true, "zebra": true, "isisd": true, "pimd": true, "bird": true,
	"bird6": true, "babeld": true, "ucarp": true, "avahi-autoipd": true, "ptp4l": true, "conntrackd": true,
	"nmap": true, "zabbix_agentd": true, "charon": true, "pluto": true, "openvpn": true, "tailscaled": true,
	"cilium-agent": true, "calico-felix": true, "bpfilter_umh": true, "vrrpd": true, "corosync": true,
	"iscsid": true, "fcoemon": true, "lldpcli": true, "packetbeat": true, "netdata": true, "vnstatd": true,
	"darkstat": true, "fastnetmon": true, "pmacctd": true, "softflowd": true, "ipmiseld": true,
}

// rawSockets flags raw IP and packet sockets held by programs that have no
// business sniffing: the way BPFDoor and other passive backdoors wait for
// their magic packet without listening on any port.
func (r *run) rawSockets() {
	seen := map[string]bool{}
	for _, s := range r.tb.Sockets {
		if !s.IsRaw() {
			continue
		}
		p := r.owner(s)
		if p == nil || p.PID == r.self {
			continue // no owner: the orphan check's business
		}
		pkg := r.pkgOf(p)
		odd := r.oddExe(p)
		base := path.Base(p.Exe)
		if p.Exe == "" {
			base = p.Name
		}
		known := rawUsers[base] || rawUsers[p.Name]
		if known && len(odd) == 0 && pkg != model.NoPackage {
			continue
		}
		k := exeOrName(p) + "\x00" + s.Proto
		if seen[k] {
			continue
		}
		seen[k] = true
		inds := append([]string{indSniffer}, odd...)
		if pkg == model.NoPackage {
			inds = append(inds, indNotPackaged)
		}
		f := model.Finding{
			RuleID:     ruleRawSocket,
			Subject:    fmt.Sprintf("%s socket held by %s", s.Proto, exeOrName(p)),
			Indicators: inds,
			Evidence:   r.evidence(s, p, pkg),
			Key:        k,
		}
		switch {
		case len(odd) > 0 || pkg == model.NoPackage:
			f = f.WithSeverity(model.Critical).WithConfidence(model.ConfHigh)
		case known:
			// A capture tool under its own name, but run from an odd
			// state: keep the catalog grade.
		default:
			f = f.WithConfidence(model.ConfMedium)
		}
		r.env.Emit(f)
	}
}

// shells are programs that give a remote party a command prompt when their
// standard input and output are a network connection.
func shellLike(base string) bool {
	switch base {
	case "sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "busybox", "tcsh", "csh", "fish", "rbash":
		return true
	}
	return procs.Interpreter(base)
}

// socketServers hand accepted connections to a program's stdin and stdout
// on purpose (inetd-style services).
var socketServers = map[string]bool{"xinetd": true, "inetd": true, "systemd": true, "tcpserver": true, "s6-tcpserver4": true, "s6-tcpserver6": true, "tcpsvd": true, "socket-activate": true}

// reverseShells flags a shell or interpreter whose stdin or stdout is a
// TCP or UDP connection: a reverse shell (it connected out) or a bind
// shell (it answered a listening port nobody serves on purpose).
func (r *run) reverseShells() {
	for _, p := range r.snap.Procs {
		if p.Kernel || p.PID == r.self {
			continue
		}
		base := path.Base(p.Exe)
		if p.Exe == "" {
			base = p.Name
		}
		if !shellLike(base) && !shellLike(p.Name) {
			continue
		}
		for fd := 0; fd <= 1; fd++ {
			ino, ok := p.SocketInode(fd)
			if !ok {
				continue
			}
			s, ok := r.tb.ByInode(ino)
			if !ok || !s.Connected() {
				continue
			}
			inbound := r.listenPorts[portKey(s.NetNS, s.Family(), s.Local.Port())]
			if inbound {
				parent := r.snap.Get(p.PPID)
				unit := p.PPID == 1 && strings.HasSuffix(path.Base(p.Cgroup), ".service")
				if unit || parent != nil && p.PPID != 1 && socketServers[parent.Name] {
					break // an inetd-style service, by design
				}
			}
			pkg := r.pkgOf(p)
			f := model.Finding{
				RuleID:     ruleReverseShell,
				Subject:    fmt.Sprintf("%s (pid %d) <-> %s", exeOrName(p), p.PID, s.Remote),
				Indicators: []string{indSocketStdio},
				Evidence:   r.evidence(s, p, pkg),
				Key:        exeOrName(p) + "\x00" + strings.Join(p.Cmdline, " ") + "\x00" + s.Remote.Addr().String(),
			}
			f.Evidence.Extra["fd"] = fmt.Sprint(fd)
			f.Evidence.Extra["remote"] = s.Remote.String()
			f.Evidence.Extra["direction"] = "outbound"
			if inbound {
				f.Evidence.Extra["direction"] = "inbound (bind shell)"
			}
			if s.Remote.Addr().Unmap().IsLoopback() {
				// Through a local tunnel or proxy: still a shell on a socket.
				f = f.WithSeverity(model.High).WithConfidence(model.ConfMedium)
			}
			r.env.Emit(f)
			break
		}
	}
}

// orphanCandidate reports sockets that must have an owner: listening TCP,
// bound UDP, raw and packet sockets. Connections closing (inode 0) and
// kernel-held sockets of known kernel services are not candidates.
func (r *run) orphanCandidate(s netsock.Socket, k kernelServices) bool {
	if !s.HostNS || s.Inode == 0 || !(s.Listening() || s.IsRaw()) {
		return false
	}
	return !k.explains(s)
}

// kernelServices are in-kernel servers whose sockets no process holds.
type kernelServices struct {
	nfsd, lockd, ksmbd, udpTunnel bool
}

func (r *run) kernelServices() kernelServices {
	var k kernelServices
	for _, p := range r.snap.Procs {
		if !p.Kernel {
			continue
		}
		switch {
		case p.Name == "nfsd":
			k.nfsd = true
		case p.Name == "lockd":
			k.lockd = true
		case strings.HasPrefix(p.Name, "ksmbd"):
			k.ksmbd = true
		}
	}
	for _, i := range r.ifaces {
		switch i.devtype {
		case "wireguard", "vxlan", "geneve", "bareudp", "gtp", "l2tp":
			k.udpTunnel = true
		}
	}
	return k
}

func (k kernelServices) explains(s netsock.Socket) bool {
	port := s.Local.Port()
	switch {
	case s.UID != 0 || s.IsRaw():
		return false
	case k.nfsd && port == 2049:
		return true
	case k.lockd && (s.IsTCP() || s.IsUDP()):
		return true // lockd takes random ports
	case k.ksmbd && s.IsTCP() && port == 445:
		return true
	case s.IsUDP() && (port == 4789 || port == 8472 || port == 6081):
		return true // VXLAN (also flannel's) and Geneve endpoints
	case k.udpTunnel && s.IsUDP():
		return true
	}
	return false
}

// noOwner flags sockets no process holds, after a re-check: something
// holds them out of sight (a process hidden by a rootkit, or a kernel
// backdoor). When most listening sockets have no owner, Vigil cannot see
// the owners at all (another pid namespace): that is a gap, not a finding.
func (r *run) noOwner(ctx context.Context) error {
	if !r.snap.FDsComplete {
		r.env.GapMsg(model.GapSkipped, "/proc/*/fd", model.Msg("network.gap.ownerless-skipped"))
		return nil
	}
	k := r.kernelServices()
	var cands []netsock.Socket
	listening, unowned := 0, 0
	for _, s := range r.tb.Sockets {
		if s.HostNS && s.Listening() && s.Inode != 0 {
			listening++
			if len(r.owners[s.Inode]) == 0 {
				unowned++
			}
		}
		if r.orphanCandidate(s, k) && len(r.owners[s.Inode]) == 0 {
			cands = append(cands, s)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	if listening >= 4 && unowned*2 > listening {
		r.env.GapMsg(model.GapNotApplicable, "/proc/*/fd", model.Msg("network.gap.namespace", unowned, listening))
		return nil
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(r.delay):
	}
	if r.hook != nil {
		r.hook()
	}
	fresh := netsock.Load(r.t, target.Discard{})
	inodes := map[uint64]bool{}
	for _, s := range cands {
		if _, ok := fresh.ByInode(s.Inode); ok {
			inodes[s.Inode] = true
		}
	}
	if len(inodes) == 0 {
		return nil
	}
	found := procs.FindSocketOwners(r.t, inodes)
	// A socket closed by a process that exited during the fd scan is gone
	// from the table too: read it a last time.
	final := netsock.Load(r.t, target.Discard{})
	for _, s := range cands {
		if !inodes[s.Inode] || len(found[s.Inode]) > 0 {
			continue
		}
		if _, ok := final.ByInode(s.Inode); !ok {
			continue
		}
		f := model.Finding{
			RuleID:     ruleNoOwner,
			Subject:    fmt.Sprintf("%s with no owning process", sockText(s)),
			Indicators: []string{indNoOwner},
			Evidence:   r.evidence(s, nil, ""),
			Key:        s.Proto + "\x00" + s.Local.String(),
		}
		if s.IsRaw() {
			f.Key = s.Proto + "\x00" + sockText(s)
			f = f.WithSeverity(model.High)
		}
		r.env.Emit(f)
	}
	return nil
}
