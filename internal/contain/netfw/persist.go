package netfw

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/contain"
	"github.com/vigil-ir/vigil/internal/contain/hostfs"
	"github.com/vigil-ir/vigil/internal/lazyre"
)

// --persist: an isolation that survives a reboot. The isolation table is
// written as an nftables file, loaded at boot by what the distribution
// uses: on systemd, a unit of Vigil's own (vigil-isolate.service, enabled
// by its link in sysinit.target.wants, ordered after nftables.service —
// whose `flush ruleset` would otherwise take it — and before the network
// comes up); without systemd, a file in /etc/nftables.d, which the
// nftables service of Alpine and others includes. The file holds the same
// table, rule for rule (the self-test reads back the same ruleset after a
// boot), and the dead-man switch: until confirmed, every boot arms it
// again for the isolation's dead-man time, so a mistake cannot cut the
// operator off after a reboot for good either. Undo (release) removes the
// files and the directories Vigil made, and nothing else.

// Persisted file paths.
const (
	PersistNft      = "/etc/vigil/isolate.nft"
	PersistUnit     = "/etc/systemd/system/vigil-isolate.service"
	PersistLink     = "/etc/systemd/system/sysinit.target.wants/vigil-isolate.service"
	PersistNftables = "/etc/nftables.d/vigil-isolate.nft"
	persistMark     = "# Written by vigil contain isolate --persist"
)

// Persist is the journaled part of a persisted isolation.
type Persist struct {
	UID   string   `json:"uid"`            // the action's (named in the files)
	Root  string   `json:"root"`           // the root the files are written in ("/": the host)
	Files []string `json:"files"`          // the nftables file first, then the unit and its link
	Dirs  []string `json:"dirs,omitempty"` // directories Vigil creates (removed by undo when empty)
	Unit  bool     `json:"unit,omitempty"` // systemd: Files[1] is the unit, Files[2] its link
}

// planPersist chooses how the isolation is loaded at boot in root, and
// refuses when a persisted isolation is there already.
func planPersist(root, uid string) (*Persist, error) {
	t := contain.Target{Root: root}
	exists := func(p string) bool {
		hp, err := t.HostPath(p)
		if err != nil {
			return false
		}
		_, err = os.Lstat(hp)
		return err == nil
	}
	ps := &Persist{Root: root, UID: uid}
	switch {
	case exists("/etc/systemd/system"):
		ps.Files, ps.Unit = []string{PersistNft, PersistUnit, PersistLink}, true
	case exists("/etc/nftables.d"):
		ps.Files = []string{PersistNftables}
	default:
		return nil, errors.New("--persist: neither systemd (/etc/systemd/system) nor an nftables.d include directory found: isolate again after a reboot instead")
	}
	for _, f := range ps.Files {
		if exists(f) {
			return nil, fmt.Errorf("--persist: %s exists already (another persisted isolation?): vigil contain release first", f)
		}
		for d := path.Dir(f); !exists(d); d = path.Dir(d) {
			ps.Dirs = append([]string{d}, ps.Dirs...)
		}
	}
	return ps, nil
}

// nftText renders the isolation of sp as an nftables file: the same table
// as isolation() builds, which `nft -f` loads rule for rule. The table is
// declared and deleted first, so loading the file twice is harmless.
func nftText(sp Spec, uid string) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (action %s): vigil undo or vigil contain release removes it.\n", persistMark, uid)
	fmt.Fprintf(&b, "table inet %s\ndelete table inet %s\ntable inet %s {\n", IsolateTable, IsolateTable, IsolateTable)
	sets := map[string][]string{}
	for _, l := range []struct {
		base string
		nets []string
	}{{"allow", sp.Allow}, {"dns", sp.DNS}} {
		for _, s := range l.nets {
			n, err := ParseNet(s)
			if err != nil {
				return "", err
			}
			fam := "6"
			if len(n.IP) == net.IPv4len {
				fam = "4"
			}
			sets[l.base+fam] = append(sets[l.base+fam], n.String())
		}
	}
	for _, name := range []string{"allow4", "allow6", "dns4", "dns6"} {
		typ := map[byte]string{'4': "ipv4_addr", '6': "ipv6_addr"}[name[len(name)-1]]
		fmt.Fprintf(&b, "\tset %s {\n\t\ttype %s\n\t\tflags interval\n", name, typ)
		if len(sets[name]) > 0 {
			fmt.Fprintf(&b, "\t\telements = { %s }\n", strings.Join(sets[name], ", "))
		}
		b.WriteString("\t}\n")
	}
	el := "ipv4, ipv6"
	if sp.DeadMan > 0 {
		d := fmt.Sprintf("%ds", int64(time.Duration(sp.DeadMan)/time.Second))
		el = "ipv4 timeout " + d + ", ipv6 timeout " + d
	}
	fmt.Fprintf(&b, "\tset %s {\n\t\ttype nf_proto\n\t\tflags timeout\n\t\telements = { %s }\n\t}\n", armedSet, el)
	for _, ch := range []string{"input", "output", "forward"} {
		fmt.Fprintf(&b, "\tchain %s {\n\t\ttype filter hook %s priority %d; policy accept;\n", ch, ch, hookPriority)
		rule := func(s string) { b.WriteString("\t\t" + s + "\n") }
		in, out := ch != "output", ch != "input"
		if ch == "input" {
			rule(`iifname "lo" accept`)
		}
		if ch == "output" {
			rule(`oifname "lo" accept`)
		}
		for _, fam := range []string{"4", "6"} {
			ip := map[string]string{"4": "ip", "6": "ip6"}[fam]
			if in {
				rule(ip + " saddr @allow" + fam + " accept")
			}
			if out {
				rule(ip + " daddr @allow" + fam + " accept")
			}
			for _, proto := range []string{"udp", "tcp"} {
				if in {
					rule(ip + " saddr @dns" + fam + " meta l4proto " + proto + " th sport 53 accept")
				}
				if out {
					rule(ip + " daddr @dns" + fam + " meta l4proto " + proto + " th dport 53 accept")
				}
			}
		}
		if ch != "forward" {
			for _, p := range [][2]string{{"68", "67"}, {"546", "547"}} {
				port := p[1]
				if in {
					port = p[0]
				}
				rule("meta l4proto udp th dport " + port + " accept")
			}
			rule("meta l4proto ipv6-icmp @th,0,8 133-136 accept")
		}
		rule("meta nfproto @" + armedSet + " counter drop")
		b.WriteString("\t}\n")
	}
	b.WriteString("}\n")
	return b.String(), nil
}

// unitText is the systemd unit that loads the file at boot.
func unitText(uid string) string {
	return persistMark + " (action " + uid + `): vigil undo or vigil contain release removes it.
[Unit]
Description=Vigil network isolation (incident response)
DefaultDependencies=no
After=nftables.service
Before=network-pre.target shutdown.target
Wants=network-pre.target
Conflicts=shutdown.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/sbin/nft -f ` + PersistNft + `

[Install]
WantedBy=sysinit.target
`
}

// writePersist writes (or, confirmed, rewrites) the boot files.
func writePersist(ps *Persist, sp Spec) error {
	uid := ps.UID
	t := contain.Target{Root: ps.Root}
	for _, d := range ps.Dirs {
		hp, err := t.HostPath(d)
		if err != nil {
			return err
		}
		if err := hostfs.Mkdir(hp, 0o755); err != nil {
			return err
		}
	}
	text, err := nftText(sp, uid)
	if err != nil {
		return err
	}
	contents := []string{text}
	if ps.Unit {
		contents = append(contents, unitText(uid))
	}
	for i, data := range contents {
		hp, err := t.HostPath(ps.Files[i])
		if err != nil {
			return err
		}
		if err := hostfs.WriteNew(hp, []byte(data), 0o644); err != nil {
			return err
		}
	}
	if ps.Unit {
		hp, err := t.HostPath(PersistLink)
		if err != nil {
			return err
		}
		return hostfs.Symlink("../vigil-isolate.service", hp)
	}
	return nil
}

var deadmanTimeout = lazyre.New(` timeout \d+s`)

// verifyPersist checks the boot files hold the isolation as written (its
// dead-man time aside: confirm writes the file again without it).
func verifyPersist(ps *Persist, sp Spec) error {
	t := contain.Target{Root: ps.Root}
	want, err := nftText(sp, ps.UID)
	if err != nil {
		return err
	}
	hp, err := t.HostPath(ps.Files[0])
	if err != nil {
		return err
	}
	if b, err := hostfs.ReadFile(hp, 1<<20); err != nil || deadmanTimeout.ReplaceAllString(string(b), "") != deadmanTimeout.ReplaceAllString(want, "") {
		return fmt.Errorf("the boot file %s is not the one written (%v)", ps.Files[0], err)
	}
	if ps.Unit {
		lp, err := t.HostPath(PersistLink)
		if err != nil {
			return err
		}
		if l, err := os.Readlink(lp); err != nil || l != "../vigil-isolate.service" {
			return fmt.Errorf("the unit is not enabled (%s: %v)", PersistLink, err)
		}
	}
	return nil
}

// removePersist removes Vigil's boot files (only files carrying its mark,
// only its link) and the directories it made, when empty.
func removePersist(ps *Persist) error {
	t := contain.Target{Root: ps.Root}
	for i := len(ps.Files) - 1; i >= 0; i-- {
		hp, err := t.HostPath(ps.Files[i])
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return err
		}
		if ps.Unit && ps.Files[i] == PersistLink {
			if l, err := os.Readlink(hp); err == nil && l != "../vigil-isolate.service" {
				return fmt.Errorf("%s points at %s, not at vigil's unit: left alone", PersistLink, l)
			}
		} else if b, err := hostfs.ReadFile(hp, 1<<20); err == nil && !strings.HasPrefix(string(b), persistMark) {
			return fmt.Errorf("%s is not vigil's any more: left alone", ps.Files[i])
		}
		if err := hostfs.Remove(hp); err != nil {
			return err
		}
	}
	for i := len(ps.Dirs) - 1; i >= 0; i-- {
		hp, err := t.HostPath(ps.Dirs[i])
		if err != nil {
			continue
		}
		if err := hostfs.RemoveEmptyDir(hp); err != nil {
			return err
		}
	}
	return nil
}
