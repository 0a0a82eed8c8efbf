package storage

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/contain"
)

const table = `sysfs /sys sysfs rw,nosuid 0 0
/dev/vda / ext4 rw,relatime 0 0
fs1:/export/home /home nfs4 rw,vers=4.2,addr=10.0.0.5 0 0
//files/Share\040Two /mnt/share\040two cifs rw,vers=3.0,addr=10.0.0.6 0 0
/dev/sdb1 /data xfs rw 0 0
/dev/sdc1 /local ext4 rw 0 0
`

func TestParse(t *testing.T) {
	got := Parse(table, func(dev string) bool { return dev == "/dev/sdb1" })
	want := []Mount{
		{Point: "/home", Source: "fs1:/export/home", Type: "nfs4", Options: "rw,vers=4.2,addr=10.0.0.5", Kind: "nfs"},
		{Point: "/mnt/share two", Source: "//files/Share Two", Type: "cifs", Options: "rw,vers=3.0,addr=10.0.0.6", Kind: "cifs"},
		{Point: "/data", Source: "/dev/sdb1", Type: "xfs", Options: "rw", Kind: "iscsi"},
	}
	if len(got) != len(want) {
		t.Fatalf("%+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

// Unmounting is planned only in tests: the machine running them has no
// share to lose. A mount point that is not shared storage is refused.
func TestPlanRefusals(t *testing.T) {
	if _, err := Plan(contain.Live(), "/", false); err == nil {
		t.Error("the root file system was planned for unmount")
	}
	if _, err := Plan(contain.Target{Root: t.TempDir()}, "/home", false); err == nil {
		t.Error("unmount planned on a root directory")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(table)
	f.Fuzz(func(t *testing.T, s string) {
		Parse(s, func(string) bool { return true })
	})
}
