package integrity

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
)

// capValue encodes a vfs_cap_data value of revision rev (1, 2 or 3) with
// the permitted set perm, effective bit on.
func capValue(rev int, perm uint64) []byte {
	var b []byte
	le := binary.LittleEndian
	switch rev {
	case 1:
		b = make([]byte, capSize1)
		le.PutUint32(b, capRevision1|capFlagsEffect)
		le.PutUint32(b[4:], uint32(perm))
	default:
		size, magic := capSize2, uint32(capRevision2)
		if rev == 3 {
			size, magic = capSize3, capRevision3
		}
		b = make([]byte, size)
		le.PutUint32(b, magic|capFlagsEffect)
		le.PutUint32(b[4:], uint32(perm))
		le.PutUint32(b[12:], uint32(perm>>32))
	}
	return b
}

// setCaps sets security.capability on a fixture file (root only; the test
// is skipped with the reason where the filesystem or privileges refuse).
func setCaps(t *testing.T, root, p string, v []byte) {
	t.Helper()
	hp := filepath.Join(root, p)
	if err := os.MkdirAll(filepath.Dir(hp), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(hp); err != nil {
		if err := os.WriteFile(hp, []byte("\x7fELF copy"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := unix.Lsetxattr(hp, capAttr, v, 0); err != nil {
		t.Skipf("cannot set %s on %s (%v): needs root (CAP_SETFCAP) on a filesystem with extended attributes", capAttr, hp, err)
	}
}

func TestFileCapabilities(t *testing.T) {
	root := fixture(t, "clean.txtar")
	// A packaged ping with the capability Debian's postinst gives it.
	f, err := os.OpenFile(filepath.Join(root, "var/lib/dpkg/info/coreutils.list"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("/usr/bin/ping\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	setCaps(t, root, "usr/bin/ping", capValue(2, capMask("cap_net_raw")))
	setCaps(t, root, "usr/bin/bash", capValue(2, capMask("cap_setuid")))
	setCaps(t, root, "var/tmp/.x/py", capValue(3, capMask("cap_setuid", "cap_setgid")))
	setCaps(t, root, "usr/local/bin/backup.sh", capValue(2, capMask("cap_dac_read_search")))
	setCaps(t, root, "usr/local/bin/netprobe", capValue(2, capMask("cap_net_raw")))

	res := enginetest.Run(t, New(), root, false)
	want := []struct {
		rule, path string
		sev        model.Severity
		ind        string
	}{
		{ruleCapsPackaged, "/usr/bin/bash", model.High, indFileCaps},
		{ruleCapsUnowned, "/var/tmp/.x/py", model.Critical, indWritable},
		{ruleCapsUnowned, "/usr/local/bin/backup.sh", model.High, indNotPackaged},
		{ruleCapsUnowned, "/usr/local/bin/netprobe", model.Medium, indNotPackaged},
	}
	for _, w := range want {
		fs := res.Find(w.rule)
		i := slices.IndexFunc(fs, func(f model.Finding) bool { return f.Subject == w.path })
		if i < 0 {
			t.Errorf("no %s on %s; findings: %v", w.rule, w.path, res.Rules())
			continue
		}
		if fs[i].Severity != w.sev || !slices.Contains(fs[i].Indicators, w.ind) || fs[i].Evidence.Extra["capabilities"] == "" {
			t.Errorf("%s: %s %v %v", w.path, fs[i].Severity, fs[i].Indicators, fs[i].Evidence.Extra)
		}
	}
	for _, f := range res.Findings {
		if f.Subject == "/usr/bin/ping" {
			t.Errorf("stock ping capability reported: %s %s", f.RuleID, f.Evidence.Extra["capabilities"])
		}
	}
}

func TestParseFileCaps(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
		ok   bool
	}{
		{"v1", capValue(1, capMask("cap_net_raw")), "cap_net_raw=ep", true},
		{"v2 high word", capValue(2, capMask("cap_setuid", "cap_bpf")), "cap_setuid,cap_bpf=ep", true},
		{"v3", capValue(3, capMask("cap_sys_admin")), "cap_sys_admin=ep", true},
		{"short", []byte{1, 2}, "", false},
		{"v2 truncated", capValue(2, 1)[:12], "", false},
		{"unknown revision", []byte{0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fc, err := ParseFileCaps(tc.in)
			if (err == nil) != tc.ok || (tc.ok && fc.String() != tc.want) {
				t.Fatalf("got %q %v, want %q ok=%v", fc.String(), err, tc.want, tc.ok)
			}
		})
	}
	// Inheritable only, and an unknown high capability number.
	b := capValue(2, 0)
	binary.LittleEndian.PutUint32(b[8:], 1)
	binary.LittleEndian.PutUint32(b[12:], 1<<30)
	fc, err := ParseFileCaps(b)
	if err != nil || fc.String() != "cap_chown=i cap_62=p" && fc.String() != "cap_62=ep cap_chown=i" {
		t.Errorf("got %q %v", fc.String(), err)
	}
}

func FuzzParseFileCaps(f *testing.F) {
	f.Add(capValue(1, 1))
	f.Add(capValue(2, 1<<40|1))
	f.Add(capValue(3, 1<<7))
	f.Fuzz(func(t *testing.T, b []byte) {
		fc, err := ParseFileCaps(b)
		if err != nil {
			return
		}
		if fc.Revision < 1 || fc.Revision > 3 {
			t.Fatalf("revision %d", fc.Revision)
		}
		_ = fc.String()
		CapNames(fc.Permitted | fc.Inheritable)
	})
}

func BenchmarkCapabilities(b *testing.B) {
	root := fixture(b, "clean.txtar")
	for b.Loop() {
		enginetest.Run(b, New(), root, false)
	}
}
