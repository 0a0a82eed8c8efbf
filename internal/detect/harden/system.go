package harden

import (
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
)

// wantsDirs are where systemd keeps the links that enable a unit at boot.
var wantsDirs = []string{"/etc/systemd/system/multi-user.target.wants", "/etc/systemd/system/sysinit.target.wants",
	"/etc/systemd/system/network-pre.target.wants", "/etc/systemd/system/basic.target.wants"}

// enabled reports whether systemd starts unit at boot.
func (r *run) enabled(unit string) bool {
	for _, d := range wantsDirs {
		if r.exists(path.Join(d, unit)) {
			return true
		}
	}
	return false
}

var (
	nftBlocks  = lazyre.New(`(?m)\b(?:drop|reject)\b`)
	iptBlocks  = lazyre.New(`(?m)^(?::\S+ DROP|-P \S+ DROP|.*-j (?:DROP|REJECT))`)
	ufwEnabled = lazyre.New(`(?m)^\s*ENABLED\s*=\s*yes\s*$`)
)

// firewall reports a host with no firewall configured to start at boot.
func (r *run) firewall() {
	has := func(p string, re *lazyre.Regexp) bool {
		b, err := r.t.ReadFile(p, maxConfig)
		return err == nil && re.Match(b)
	}
	switch {
	case r.enabled("nftables.service") && has("/etc/nftables.conf", nftBlocks):
	case (r.enabled("netfilter-persistent.service") || r.enabled("iptables.service")) &&
		(has("/etc/iptables/rules.v4", iptBlocks) || has("/etc/sysconfig/iptables", iptBlocks)):
	case has("/etc/ufw/ufw.conf", ufwEnabled):
	case r.enabled("firewalld.service"):
	case r.enabled("shorewall.service") || r.enabled("ferm.service") || r.enabled("csf.service"):
	default:
		ev := model.Evidence{Note: model.Msg("harden.note.firewall")}
		r.emit(ruleFirewall, "nftables, iptables, ufw, firewalld", ev, model.Medium, model.ConfMedium)
	}
}

// coreDumps reports core dumps left enabled: no "hard core 0" limit and no
// systemd-coredump Storage=none.
func (r *run) coreDumps() {
	files := append([]string{"/etc/security/limits.conf"}, r.t.Glob("/etc/security/limits.d/*.conf")...)
	for _, p := range files {
		for _, l := range r.lines(p) {
			f := strings.Fields(l.text)
			if len(f) == 4 && f[0] == "*" && f[1] == "hard" && f[2] == "core" && f[3] == "0" {
				return
			}
		}
	}
	conf := append([]string{"/etc/systemd/coredump.conf"}, r.t.Glob("/etc/systemd/coredump.conf.d/*.conf")...)
	for _, p := range conf {
		for _, l := range r.lines(p) {
			if strings.EqualFold(strings.ReplaceAll(l.text, " ", ""), "Storage=none") {
				return
			}
		}
	}
	ev := model.Evidence{Path: "/etc/security/limits.conf", Note: model.Msg("harden.note.coredump")}
	r.emit(ruleCoreDump, "limits.conf core, systemd-coredump", ev, model.Low, model.ConfMedium)
}

// updates reports a host that installs no security update by itself.
func (r *run) updates() {
	if yes, ok := r.installed("unattended-upgrades"); ok && yes {
		if r.aptPeriodicOn() {
			return
		}
		ev := model.Evidence{Path: "/etc/apt/apt.conf.d/20auto-upgrades", Note: model.Msg("harden.note.updates-off")}
		r.emit(ruleUpdates, "unattended-upgrades: APT::Periodic", ev, model.Low, model.ConfMedium)
		return
	} else if !ok {
		return // no package database: cannot tell
	}
	if yes, _ := r.installed("dnf-automatic", "yum-cron"); yes {
		if r.enabled("dnf-automatic.timer") || r.enabled("dnf-automatic-install.timer") || r.enabled("yum-cron.service") ||
			r.exists("/etc/systemd/system/timers.target.wants/dnf-automatic.timer") ||
			r.exists("/etc/systemd/system/timers.target.wants/dnf-automatic-install.timer") {
			return
		}
	}
	ev := model.Evidence{Note: model.Msg("harden.note.updates-none")}
	r.emit(ruleUpdates, "unattended-upgrades, dnf-automatic, yum-cron", ev, model.Low, model.ConfMedium)
}

var periodicOn = lazyre.New(`(?m)^\s*APT::Periodic::Unattended-Upgrade\s+"(\d+)"`)

// aptPeriodicOn reports APT::Periodic::Unattended-Upgrade set to a
// non-zero value in apt.conf.d (the last file setting it wins).
func (r *run) aptPeriodicOn() bool {
	on := false
	for _, p := range r.t.Glob("/etc/apt/apt.conf.d/*") {
		b, err := r.t.ReadFile(p, maxConfig)
		if err != nil {
			continue
		}
		for _, m := range periodicOn.FindAllSubmatch(b, -1) {
			on = string(m[1]) != "0"
		}
	}
	return on
}
