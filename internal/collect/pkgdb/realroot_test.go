package pkgdb

import (
	"os"
	"testing"

	"github.com/vigil-ir/vigil/internal/target"
)

// realRoot returns a real root filesystem to benchmark against
// (VIGIL_BENCH_ROOT, e.g. the debootstrap root of scripts/debian-root.sh),
// or skips.
func realRoot(tb testing.TB) *target.Target {
	dir := os.Getenv("VIGIL_BENCH_ROOT")
	if dir == "" {
		tb.Skip("VIGIL_BENCH_ROOT not set")
	}
	return target.NewUnchecked(dir, false)
}

func BenchmarkLoadRealRoot(b *testing.B) {
	tg := realRoot(b)
	for b.Loop() {
		db := Load(tg, target.Discard{})
		if db.Len() == 0 {
			b.Fatal("empty")
		}
	}
}

func TestRealRootVerify(t *testing.T) {
	tg := realRoot(t)
	db := Load(tg, target.Discard{})
	t.Logf("format %s, %d packages, %d paths", db.Format(), len(db.Packages()), db.Len())
	counts := map[VerifyStatus]int{}
	buf := make([]byte, 64<<10)
	for f := range db.Files() {
		st, _, err := db.VerifyBuf(tg, f.Path, buf)
		if err != nil {
			t.Logf("%s: %v", f.Path, err)
		}
		counts[st]++
		if st == Modified && !f.Conffile {
			t.Logf("modified: %s (%s)", f.Path, f.Package)
		}
	}
	t.Logf("%v", counts)
	for _, p := range []string{"/bin/ls", "/usr/bin/ls", "/sbin/init", "/lib/x86_64-linux-gnu/libc.so.6", "/etc/passwd", "/etc/ssh/sshd_config"} {
		o, ok := db.Owner(p)
		a, h, dok := db.Digest(p)
		t.Logf("%s: owner %q %v digest %s %s %v conffile %v pristine %v", p, o, ok, a, h, dok, db.IsConffile(p), db.Pristine(tg, p))
	}
}
