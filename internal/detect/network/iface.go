package network

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// iffPromisc is IFF_PROMISC in /sys/class/net/*/flags.
const iffPromisc = 0x100

// iface is one network interface from /sys/class/net.
type iface struct {
	name    string
	flags   uint64
	devtype string // DEVTYPE from uevent: bridge, vlan, wireguard, vxlan ...
	slave   bool   // enslaved to a bridge, bond or OVS: promiscuous by design
	loop    bool
}

// readIfaces lists the interfaces of Vigil's network namespace.
func readIfaces(t *target.Target, rec target.Recorder) []iface {
	ents, err := t.ReadDir("/sys/class/net")
	if err != nil {
		target.Record(rec, "/sys/class/net", err)
		return nil
	}
	var out []iface
	for _, e := range ents {
		dir := "/sys/class/net/" + e.Name()
		b, err := t.ReadFile(dir+"/flags", 4096)
		if err != nil {
			target.Record(rec, dir+"/flags", err)
			continue
		}
		i := iface{name: e.Name()}
		v, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimSpace(string(b)), "0x"), 16, 64)
		if err != nil {
			rec.GapMsg(model.GapError, dir+"/flags", model.Msg("network.gap.flags", strings.TrimSpace(string(b))))
			continue
		}
		i.flags = v
		i.loop = v&0x8 != 0 // IFF_LOOPBACK
		if u, err := t.ReadFile(dir+"/uevent", 16<<10); err == nil {
			for _, line := range strings.Split(string(u), "\n") {
				if d, ok := strings.CutPrefix(line, "DEVTYPE="); ok {
					i.devtype = strings.TrimSpace(d)
				}
			}
		}
		for _, m := range []string{"/master", "/brport"} {
			if _, err := t.Lstat(dir + m); err == nil {
				i.slave = true
			}
		}
		out = append(out, i)
	}
	return out
}

// captureTools put an interface in promiscuous mode when an administrator
// runs them.
var captureTools = map[string]bool{"tcpdump": true, "dumpcap": true, "tshark": true, "wireshark": true, "snort": true, "suricata": true, "zeek": true, "ntopng": true, "arpwatch": true, "iftop": true, "darkstat": true, "packetbeat": true, "fastnetmon": true}

// promisc flags interfaces in promiscuous mode that are not bridge, bond
// or switch ports (which are promiscuous by design): something captures
// traffic not addressed to the host.
func (r *run) promisc() {
	var capture []string
	for _, p := range r.snap.Procs {
		if captureTools[p.Name] || captureTools[path.Base(p.Exe)] {
			capture = append(capture, fmt.Sprintf("%s (pid %d)", p.Name, p.PID))
		}
	}
	for _, i := range r.ifaces {
		if i.flags&iffPromisc == 0 || i.slave || i.loop {
			continue
		}
		f := model.Finding{
			RuleID:  rulePromisc,
			Subject: "interface " + i.name,
			Evidence: model.Evidence{
				Path:  "/sys/class/net/" + i.name + "/flags",
				Text:  fmt.Sprintf("flags=0x%x (IFF_PROMISC)", i.flags),
				When:  "running",
				Extra: map[string]string{"interface": i.name},
			},
			Key: i.name,
		}
		if len(capture) > 0 {
			f.Evidence.Extra["capture_tools"] = strings.Join(capture, ", ")
			f = f.WithConfidence(model.ConfLow)
		}
		r.env.Emit(f)
	}
}

// routerIfaces are interfaces that container runtimes, hypervisors, VPNs
// and overlay networks create; they need IP forwarding.
var routerIfaces = lazyre.New(`^(?:docker\d*|docker_gwbridge|br-.*|cni.*|cali.*|flannel.*|cilium.*|virbr.*|vmbr.*|vnet.*|veth.*|tun.*|tap.*|wg.*|tailscale.*|zt.*|lxcbr.*|lxdbr.*|incusbr.*|podman.*|kube-.*|weave.*|vxlan.*|genev.*|ppp.*|ipsec.*|vti.*|gre.*|ovs-.*|nebula.*|nordlynx|kvm.*)$`)

// routerPrograms need forwarding to do their job.
var routerPrograms = map[string]bool{
	"dockerd": true, "containerd": true, "kubelet": true, "k3s": true, "k3s-server": true, "k3s-agent": true,
	"libvirtd": true, "openvpn": true, "tailscaled": true, "zerotier-one": true, "charon": true, "pluto": true,
	"zebra": true, "bgpd": true, "bird": true, "keepalived": true, "pppd": true, "xl2tpd": true, "lxd": true,
	"incusd": true, "podman": true, "crio": true, "nomad": true, "wg-quick": true, "vpnserver": true,
	"flanneld": true, "calico-node": true, "cilium-agent": true, "kube-proxy": true,
}

// routerBinaries are installed by software that turns forwarding on.
var routerBinaries = []string{
	"/usr/bin/dockerd", "/usr/sbin/dockerd", "/usr/bin/containerd", "/usr/bin/podman", "/usr/sbin/libvirtd",
	"/usr/bin/kubelet", "/usr/local/bin/k3s", "/usr/local/bin/rke2", "/usr/sbin/openvpn", "/usr/bin/wg",
	"/usr/sbin/ipsec", "/usr/lib/frr/zebra", "/usr/sbin/bird", "/usr/sbin/keepalived", "/usr/bin/lxd",
	"/snap/bin/lxd", "/usr/sbin/tailscaled", "/usr/bin/incus", "/usr/sbin/zerotier-one", "/usr/bin/crio",
}

// ipForward flags IPv4 forwarding on a host that shows nothing that would
// need it: an intruder pivots through it (T1090).
func (r *run) ipForward() {
	b, ok := r.env.ReadFile("/proc/sys/net/ipv4/ip_forward")
	if !ok || strings.TrimSpace(string(b)) != "1" {
		return
	}
	for _, i := range r.ifaces {
		if routerIfaces.MatchString(i.name) || i.devtype == "bridge" || i.devtype == "wireguard" || i.devtype == "vxlan" {
			return
		}
	}
	for _, p := range r.snap.Procs {
		if routerPrograms[p.Name] || routerPrograms[path.Base(p.Exe)] {
			return
		}
	}
	for _, bin := range routerBinaries {
		if _, err := r.t.Stat(bin); err == nil {
			return
		}
	}
	var names []string
	for _, i := range r.ifaces {
		if !i.loop {
			names = append(names, i.name)
		}
	}
	r.env.Emit(model.Finding{
		RuleID:  ruleIPForward,
		Subject: "net.ipv4.ip_forward = 1",
		Evidence: model.Evidence{
			Path:  "/proc/sys/net/ipv4/ip_forward",
			Text:  "1",
			When:  "running",
			Extra: map[string]string{"interfaces": strings.Join(names, ", ")},
		},
		Key: "ip_forward",
	})
}
