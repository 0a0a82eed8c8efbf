package integrity

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb/pkgdbtest"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/testutil"
)

func sum256(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func tag(id uint32, v any) pkgdbtest.RPMTag { return pkgdbtest.RPMTag{ID: id, Val: v} }

// rhelRoot is a small RHEL 9 root (merged /usr, rpmdb.sqlite, sha256
// digests, %config files, a nodocs image) whose ps is psContent.
func rhelRoot(t *testing.T, psContent string) string {
	root := testutil.RootFromString(t, `
-- bin -> usr/bin --
-- sbin -> usr/sbin --
-- etc/os-release --
NAME="Red Hat Enterprise Linux"
VERSION_ID="9.4"
-- etc/sudoers --
root ALL=(ALL) ALL
%wheel ALL=(ALL) ALL
-- usr/bin/sudo mode=4111 --
ELF sudo
-- usr/bin/bash mode=0755 --
ELF bash
-- usr/bin/ps mode=0755 --
`+psContent+`
`)
	const (
		name, version, release, arch = 1000, 1001, 1002, 1022
		states, digests, flags       = 1029, 1035, 1037
		dirIdx, base, dirs, algo     = 1116, 1117, 1118, 5011
	)
	pkgdbtest.RPMSqlite(t, root,
		pkgdbtest.RPMHeader(tag(name, "procps-ng"), tag(version, "3.3.17"), tag(release, "14.el9"), tag(arch, "x86_64"),
			tag(dirs, []string{"/usr/bin/", "/usr/share/doc/procps-ng/"}), tag(base, []string{"ps", "FAQ"}),
			tag(dirIdx, []uint32{0, 1}), tag(digests, []string{sum256("ELF ps\n"), sum256("faq")}),
			tag(flags, []uint32{0, 0}), tag(states, []byte{0, 2}), tag(algo, []uint32{8})),
		pkgdbtest.RPMHeader(tag(name, "sudo"), tag(version, "1.9.5p2"), tag(release, "10.el9"), tag(arch, "x86_64"),
			tag(dirs, []string{"/usr/bin/", "/etc/"}), tag(base, []string{"sudo", "sudoers"}),
			tag(dirIdx, []uint32{0, 1}), tag(digests, []string{sum256("ELF sudo\n"), sum256("original sudoers")}),
			tag(flags, []uint32{0, 1}), tag(algo, []uint32{8})),
		pkgdbtest.RPMHeader(tag(name, "bash"), tag(version, "5.1.8"), tag(release, "9.el9"), tag(arch, "x86_64"),
			tag(dirs, []string{"/usr/bin/"}), tag(base, []string{"bash"}),
			tag(dirIdx, []uint32{0}), tag(digests, []string{sum256("ELF bash\n")}), tag(algo, []uint32{8})),
	)
	return root
}

func TestRPMRoot(t *testing.T) {
	t.Run("clean", func(t *testing.T) {
		res := enginetest.Run(t, New(), rhelRoot(t, "ELF ps"), false)
		if len(res.Findings) != 0 || len(res.Gaps) != 0 {
			t.Errorf("findings %v gaps %+v", res.Rules(), res.Gaps)
		}
	})
	t.Run("trojaned ps", func(t *testing.T) {
		res := enginetest.Run(t, New(), rhelRoot(t, "ELF ps that hides things"), false)
		f := res.Find(ruleSystemBinary)
		if len(f) != 1 || f[0].Subject != "/usr/bin/ps" || f[0].Evidence.Package != "procps-ng" || f[0].Evidence.Extra["recorded_sha256"] != sum256("ELF ps\n") {
			t.Errorf("findings %+v", res.Findings)
		}
		if len(res.Findings) != 1 {
			t.Errorf("findings %v", res.Rules())
		}
	})
}
