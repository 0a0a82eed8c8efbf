package integrity

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"sort"
	"strings"
)

// FileCaps is a decoded security.capability attribute (struct
// vfs_cap_data / vfs_ns_cap_data of linux/capability.h).
//
// Written here rather than taken from a library: the Go libcap package
// (kernel.org/pub/linux/libs/security/libcap/cap) reads the attribute
// itself by host path, which would step outside the target's confinement
// (every read goes through internal/target), and offers no decoder for the
// raw value; the format is three fixed little-endian layouts.
type FileCaps struct {
	Revision    int    // 1, 2 or 3
	Effective   bool   // the effective bit: raised capabilities are active at exec
	Permitted   uint64 // bit n: capability n
	Inheritable uint64
	RootID      uint32 // revision 3: the user namespace root the file is for
}

// vfs_cap_data constants.
const (
	capRevisionMask = 0xFF000000
	capFlagsEffect  = 0x000001
	capRevision1    = 0x01000000
	capRevision2    = 0x02000000
	capRevision3    = 0x03000000
	capSize1        = 4 + 2*4
	capSize2        = 4 + 2*2*4
	capSize3        = capSize2 + 4
)

// ParseFileCaps decodes the value of a security.capability attribute.
func ParseFileCaps(b []byte) (FileCaps, error) {
	if len(b) < 4 {
		return FileCaps{}, errors.New("file capabilities: value too short")
	}
	magic := binary.LittleEndian.Uint32(b)
	fc := FileCaps{Effective: magic&capFlagsEffect != 0}
	word := func(i int) uint32 { return binary.LittleEndian.Uint32(b[4+4*i:]) }
	switch magic & capRevisionMask {
	case capRevision1:
		if len(b) != capSize1 {
			return FileCaps{}, fmt.Errorf("file capabilities v1: %d bytes, want %d", len(b), capSize1)
		}
		fc.Revision, fc.Permitted, fc.Inheritable = 1, uint64(word(0)), uint64(word(1))
	case capRevision2, capRevision3:
		want, rev := capSize2, 2
		if magic&capRevisionMask == capRevision3 {
			want, rev = capSize3, 3
		}
		if len(b) != want {
			return FileCaps{}, fmt.Errorf("file capabilities v%d: %d bytes, want %d", rev, len(b), want)
		}
		fc.Revision = rev
		fc.Permitted = uint64(word(0)) | uint64(word(2))<<32
		fc.Inheritable = uint64(word(1)) | uint64(word(3))<<32
		if rev == 3 {
			fc.RootID = word(4)
		}
	default:
		return FileCaps{}, fmt.Errorf("file capabilities: unknown revision 0x%08x", magic&capRevisionMask)
	}
	return fc, nil
}

// capNames are the capability numbers of linux/capability.h.
var capNames = [...]string{
	"cap_chown", "cap_dac_override", "cap_dac_read_search", "cap_fowner", "cap_fsetid", "cap_kill",
	"cap_setgid", "cap_setuid", "cap_setpcap", "cap_linux_immutable", "cap_net_bind_service",
	"cap_net_broadcast", "cap_net_admin", "cap_net_raw", "cap_ipc_lock", "cap_ipc_owner",
	"cap_sys_module", "cap_sys_rawio", "cap_sys_chroot", "cap_sys_ptrace", "cap_sys_pacct",
	"cap_sys_admin", "cap_sys_boot", "cap_sys_nice", "cap_sys_resource", "cap_sys_time",
	"cap_sys_tty_config", "cap_mknod", "cap_lease", "cap_audit_write", "cap_audit_control",
	"cap_setfcap", "cap_mac_override", "cap_mac_admin", "cap_syslog", "cap_wake_alarm",
	"cap_block_suspend", "cap_audit_read", "cap_perfmon", "cap_bpf", "cap_checkpoint_restore",
}

// capBit returns the bit of a capability name.
func capBit(name string) uint64 {
	for i, n := range capNames {
		if n == name {
			return 1 << i
		}
	}
	panic("integrity: unknown capability " + name) // only for the literal tables below
}

func capMask(names ...string) uint64 {
	var m uint64
	for _, n := range names {
		m |= capBit(n)
	}
	return m
}

// CapNames lists the capabilities of mask by name, in number order
// (unknown numbers as cap_N).
func CapNames(mask uint64) []string {
	var out []string
	for mask != 0 {
		i := bits.TrailingZeros64(mask)
		mask &^= 1 << i
		if i < len(capNames) {
			out = append(out, capNames[i])
		} else {
			out = append(out, fmt.Sprintf("cap_%d", i))
		}
	}
	return out
}

// String is the capability set in setcap/getcap notation
// ("cap_net_admin,cap_net_raw=ep").
func (fc FileCaps) String() string {
	groups := map[string][]string{}
	for all := fc.Permitted | fc.Inheritable; all != 0; {
		i := bits.TrailingZeros64(all)
		bit := uint64(1) << i
		all &^= bit
		flags := ""
		if fc.Effective && fc.Permitted&bit != 0 {
			flags += "e"
		}
		if fc.Inheritable&bit != 0 {
			flags += "i"
		}
		if fc.Permitted&bit != 0 {
			flags += "p"
		}
		groups[flags] = append(groups[flags], CapNames(bit)...)
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, strings.Join(groups[k], ",")+"="+k)
	}
	return strings.Join(parts, " ")
}

// rootEquivalent are the capabilities that give root (or its secrets)
// to whoever runs the file: change identity, bypass file permissions,
// load kernel code, debug root's processes, administer the system.
var rootEquivalent = capMask("cap_setuid", "cap_setgid", "cap_sys_admin", "cap_dac_override",
	"cap_dac_read_search", "cap_sys_ptrace", "cap_sys_module", "cap_chown", "cap_fowner",
	"cap_setfcap", "cap_setpcap", "cap_sys_rawio", "cap_bpf", "cap_fsetid", "cap_mknod")

// stockCaps are capabilities distributions give packaged programs (set by
// the package's postinst with setcap, or by the package itself): a program
// of that name holding no more is ordinary. Keyed by base name.
var stockCaps = map[string]uint64{
	"ping":                 capMask("cap_net_raw"),
	"ping4":                capMask("cap_net_raw"),
	"ping6":                capMask("cap_net_raw"),
	"arping":               capMask("cap_net_raw"),
	"clockdiff":            capMask("cap_net_raw"),
	"traceroute6.iputils":  capMask("cap_net_raw"),
	"fping":                capMask("cap_net_raw"),
	"fping6":               capMask("cap_net_raw"),
	"mtr-packet":           capMask("cap_net_raw"),
	"gst-ptp-helper":       capMask("cap_net_bind_service", "cap_net_admin", "cap_sys_nice"),
	"dumpcap":              capMask("cap_net_admin", "cap_net_raw"),
	"gnome-keyring-daemon": capMask("cap_ipc_lock"),
	"kwin_wayland":         capMask("cap_sys_nice"),
	"newuidmap":            capMask("cap_setuid"),
	"newgidmap":            capMask("cap_setgid"),
	"suexec":               capMask("cap_setuid", "cap_setgid"),
	"pinger":               capMask("cap_net_raw"),
	"gnome-shell":          capMask("cap_sys_nice"),
	"snap-confine":         capMask("cap_dac_read_search", "cap_dac_override", "cap_sys_admin", "cap_sys_ptrace", "cap_chown", "cap_fowner", "cap_setgid", "cap_setuid", "cap_sys_chroot", "cap_setpcap"),
}
