package files

import (
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/vigil-ir/vigil/internal/target"
)

// netFS are filesystem types of the mount table a walk never enters even
// with CrossFS: remote or user-space filesystems, where a read can hang on
// the network or a stalled daemon, and whose files are not this host's.
var netFS = map[string]bool{
	"nfs": true, "nfs4": true, "cifs": true, "smb3": true, "smbfs": true, "ncpfs": true,
	"afs": true, "9p": true, "ceph": true, "glusterfs": true, "lustre": true, "gfs2": true,
	"ocfs2": true, "davfs": true, "fuse.sshfs": true, "fuse.s3fs": true, "fuse.rclone": true,
	"fuse.gvfsd-fuse": true, "fuse.glusterfs": true, "fuse.ceph": true, "fuse.davfs": true,
	"fuse.lxcfs": true, "fuse.portal": true,
	// Kernel state, for completeness (the target's statfs check catches them too).
	"proc": true, "sysfs": true, "cgroup": true, "cgroup2": true, "debugfs": true, "tracefs": true,
	"securityfs": true, "devpts": true, "bpf": true, "pstore": true, "efivarfs": true, "mqueue": true,
	"binfmt_misc": true, "autofs": true, "configfs": true, "fusectl": true, "hugetlbfs": true, "nsfs": true,
}

// excludedDevices reads the live mount table and returns the devices of the
// mounts whose filesystem type a walk never enters.
func excludedDevices(t *target.Target) map[uint64]string {
	b, err := t.ReadFile("/proc/self/mountinfo", 4<<20)
	if err != nil {
		return nil
	}
	out := map[uint64]string{}
	for _, m := range ParseMountinfo(string(b)) {
		if netFS[m.FSType] || strings.HasPrefix(m.FSType, "fuse.") && m.FSType != "fuse.squashfuse" {
			out[m.Dev] = m.FSType
		}
	}
	return out
}

// Mount is one line of /proc/PID/mountinfo.
type Mount struct {
	Dev    uint64 // st_dev of the files on it
	Point  string // mount point (octal escapes decoded)
	FSType string
}

// ParseMountinfo parses the text of /proc/PID/mountinfo (proc(5)); lines it
// cannot read are left out.
func ParseMountinfo(s string) []Mount {
	var out []Mount
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		// id parent major:minor root point options [optional...] - type source superopts
		if len(f) < 7 {
			continue
		}
		sep := -1
		for i := 6; i < len(f); i++ {
			if f[i] == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+1 >= len(f) {
			continue
		}
		maj, mnr, ok := strings.Cut(f[2], ":")
		if !ok {
			continue
		}
		a, err1 := strconv.ParseUint(maj, 10, 32)
		b, err2 := strconv.ParseUint(mnr, 10, 32)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, Mount{Dev: unix.Mkdev(uint32(a), uint32(b)), Point: unescapeOctal(f[4]), FSType: f[sep+1]})
	}
	return out
}

// unescapeOctal decodes the \ooo escapes the kernel writes for spaces and
// other bytes in mount points.
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
