package pkgdb

import (
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb/pkgdbtest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
)

type gaps struct{ target.GapLog }

func (g *gaps) has(path string) bool {
	for _, x := range g.Gaps {
		if x.Path == path {
			return true
		}
	}
	return false
}

func dpkgRoot(t testing.TB) string {
	t.Helper()
	root := testutil.RootFromTxtar(t, "testdata/dpkg.txtar")
	pkgdbtest.Fill(t, root)
	return root
}

func TestDpkg(t *testing.T) {
	tg := target.NewUnchecked(dpkgRoot(t), false)
	g := &gaps{}
	db := Load(tg, g)
	if db.Format() != "dpkg" {
		t.Fatalf("format %q", db.Format())
	}
	if len(g.Gaps) != 0 {
		t.Errorf("unexpected gaps: %+v", g.Gaps)
	}
	names := map[string]Package{}
	for _, p := range db.Packages() {
		names[p.Name] = p
	}
	if p := names["libc6:amd64"]; p.Version != "2.36-9+deb12u10" || p.Arch != "amd64" {
		t.Errorf("libc6:amd64 = %+v (packages %v)", p, db.Packages())
	}
	if _, ok := names["gone"]; ok {
		t.Error("not-installed package listed")
	}
	if _, ok := names["oldpkg"]; !ok {
		t.Error("config-files package not listed")
	}

	tests := []struct {
		path     string
		owner    string // "" = unowned
		status   VerifyStatus
		conffile bool
		diverted bool
	}{
		{"/bin/ls", "coreutils", Match, false, false},
		{"/usr/bin/ls", "coreutils", Match, false, false},
		{"//usr/./bin/ls", "coreutils", Match, false, false},
		{"/bin/cat", "coreutils", Modified, false, false},
		{"/usr/bin/cat", "coreutils", Modified, false, false},
		{"/usr/bin/dir", "coreutils", Missing, false, false},
		{"/usr/bin/vdir", "coreutils", Modified, false, false}, // replaced by a symlink
		{"/usr/bin/passwd", "passwd", Match, false, false},
		{"/sbin/useradd", "passwd", Match, false, false},
		{"/etc/default/useradd", "passwd", Modified, true, false},
		{"/lib/x86_64-linux-gnu/libc.so.6", "libc6:amd64", Match, false, false},
		{"/usr/lib/x86_64-linux-gnu/libc.so.6", "libc6:amd64", Match, false, false},
		{"/usr/bin/pg_config", "postgresql-common", Match, false, false},
		{"/usr/bin/pg_config.libpq-dev", "libpq-dev", Match, false, true},
		{"/etc/oldpkg.conf", "oldpkg", Missing, true, false},
		{"/usr/bin", "coreutils", NoDigest, false, false},
		{"/etc/passwd", "", Unowned, false, false},
		{"/usr/bin/gone", "", Unowned, false, false},
		{"/tmp/evil", "", Unowned, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			o, ok := db.Owner(tc.path)
			if o != tc.owner || ok != (tc.owner != "") {
				t.Errorf("Owner = %q %v, want %q", o, ok, tc.owner)
			}
			st, err := db.Verify(tg, tc.path)
			if err != nil || st != tc.status {
				t.Errorf("Verify = %v %v, want %v", st, err, tc.status)
			}
			if got := db.Pristine(tg, tc.path); got != (tc.status == Match) {
				t.Errorf("Pristine = %v", got)
			}
			if got := db.IsConffile(tc.path); got != tc.conffile {
				t.Errorf("IsConffile = %v", got)
			}
			if got := db.IsDiverted(tc.path); got != tc.diverted {
				t.Errorf("IsDiverted = %v", got)
			}
		})
	}
	a1, h1, ok1 := db.Digest("/bin/ls")
	a2, h2, ok2 := db.Digest("/usr/bin/ls")
	if !ok1 || !ok2 || a1 != "md5" || h1 != h2 || len(h1) != 32 {
		t.Errorf("Digest: %s %s %v / %s %s %v", a1, h1, ok1, a2, h2, ok2)
	}
	if to, ok := db.DivertedTo("/usr/bin/pg_config"); !ok || to != "/usr/bin/pg_config.libpq-dev" {
		t.Errorf("DivertedTo = %q %v", to, ok)
	}
	if db.OwnerOrNone("/etc/passwd") != model.NoPackage {
		t.Error("OwnerOrNone of an unowned file")
	}
	n := 0
	for f := range db.Files() {
		if f.Path == "/usr/bin/ls" && f.Package != "coreutils" {
			t.Errorf("Files: %+v", f)
		}
		n++
	}
	if n != 12 {
		t.Errorf("Files yielded %d paths with digests, want 12", n)
	}
}

// TestDpkgNotMerged checks that without merged-/usr symlinks /bin and
// /usr/bin stay distinct paths.
func TestDpkgNotMerged(t *testing.T) {
	root := testutil.RootFromString(t, `
-- bin/ls mode=0755 --
ls
-- var/lib/dpkg/status --
Package: coreutils
Status: install ok installed
Architecture: amd64
Version: 8.32-4

-- var/lib/dpkg/info/coreutils.list --
/bin/ls
-- var/lib/dpkg/info/coreutils.md5sums --
@md5(/bin/ls)  bin/ls
`)
	pkgdbtest.Fill(t, root)
	tg := target.NewUnchecked(root, false)
	db := Load(tg, target.Discard{})
	if _, ok := db.Owner("/usr/bin/ls"); ok {
		t.Error("/usr/bin/ls owned on a non-merged root")
	}
	if !db.Pristine(tg, "/bin/ls") {
		t.Error("/bin/ls not pristine")
	}
}

func TestDpkgHostile(t *testing.T) {
	root := testutil.RootFromString(t, "-- var/lib/dpkg/status --\n"+
		"Package: a\nStatus: install ok installed\nVersion: 1\n\n"+
		"Package: b\nStatus: install ok installed\nVersion: 1\n\n"+
		"Package: c\nStatus: install ok installed\nVersion: 1\n\n"+
		"Version: 2\nStatus: install ok installed\n\n"+ // no Package: malformed
		"Package: \xff\xfe\nStatus: install ok installed\n\n"+
		"-- var/lib/dpkg/info/a.list --\n/usr/bin/a\n/usr/bin/\xff\xfe\n/loop/x\n"+
		"-- var/lib/dpkg/info/a.md5sums --\nnot a digest line\nzz41d8cd98f00b204e9800998ecf8427e  usr/bin/a\nd41d8cd98f00b204e9800998ecf8427e  usr/bin/\xff\xfe\nd41d8cd98f00b204e9800998ecf8427e  loop/x\n"+
		"-- var/lib/dpkg/info/b.list fifo --\n"+
		"-- var/lib/dpkg/info/c.list -> c.list --\n"+
		"-- usr/bin/\xff\xfe --\n"+
		"-- loop/x -> y --\n-- loop/y -> x --\n")
	tg := target.NewUnchecked(root, false)
	g := &gaps{}
	db := Load(tg, g)
	if !g.has(dpkgStatus) || !g.has(dpkgInfo+"/a.md5sums") || !g.has(dpkgInfo+"/b.list") || !g.has(dpkgInfo+"/c.list") {
		t.Errorf("gaps = %+v", g.Gaps)
	}
	if st, _ := db.Verify(tg, "/usr/bin/\xff\xfe"); st != Match {
		t.Errorf("non-UTF-8 name: %v", st)
	}
	if st, err := db.Verify(tg, "/loop/x"); st != Modified {
		t.Errorf("symlink loop: %v %v", st, err)
	}
}

func TestNoDatabase(t *testing.T) {
	g := &gaps{}
	db := Load(target.NewUnchecked(t.TempDir(), false), g)
	if db.Format() != "" || len(g.Gaps) != 1 {
		t.Fatalf("format %q gaps %+v", db.Format(), g.Gaps)
	}
	if _, ok := db.Owner("/bin/ls"); ok || db.Pristine(nil, "/bin/ls") {
		t.Fatal("empty DB owns a file")
	}
	var nilDB *DB
	if _, ok := nilDB.Owner("/x"); ok || nilDB.Pristine(nil, "/x") {
		t.Fatal("nil DB owns a file")
	}
}

func TestUnreadableFileIsError(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads mode 000 files")
	}
	root := dpkgRoot(t)
	if err := os.Chmod(filepath.Join(root, "usr/bin/ls"), 0); err != nil {
		t.Fatal(err)
	}
	tg := target.NewUnchecked(root, false)
	db := Load(tg, target.Discard{})
	if st, err := db.Verify(tg, "/usr/bin/ls"); err == nil || st == Match || st == Modified {
		t.Fatalf("unreadable: %v %v", st, err)
	}
}

func TestApk(t *testing.T) {
	root := testutil.RootFromString(t, `
-- bin/busybox mode=0755 --
busybox
-- bin/sh -> /bin/busybox --
-- bin/ash -> /tmp/evil --
-- etc/motd --
Welcome to Alpine! (edited)
-- lib/apk/db/installed --
C:Q1abcdefghijklmnopqrstuvwxyz0=
P:busybox
V:1.36.1-r29
A:x86_64
T:Size optimized toolbox
F:bin
R:busybox
a:0:0:755
Z:@q1(/bin/busybox)
R:sh
a:0:0:777
Z:LINK_SH
R:ash
Z:LINK_SH
F:etc
R:motd
Z:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=
R:bad
Z:Q1notbase64!!

P:alpine-baselayout
V:3.4.3-r2
F:etc/apk
`)
	pkgdbtest.Fill(t, root)
	sum := sha1.Sum([]byte("/bin/busybox"))
	p := filepath.Join(root, "lib/apk/db/installed")
	b, _ := os.ReadFile(p)
	b = []byte(strings.ReplaceAll(string(b), "LINK_SH", "Q1"+base64.StdEncoding.EncodeToString(sum[:])))
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	tg := target.NewUnchecked(root, false)
	g := &gaps{}
	db := Load(tg, g)
	if db.Format() != "apk" || len(db.Packages()) != 2 {
		t.Fatalf("format %q packages %v", db.Format(), db.Packages())
	}
	if !g.has("/lib/apk/db/installed") {
		t.Errorf("malformed Z: line not recorded: %+v", g.Gaps)
	}
	for _, tc := range []struct {
		path string
		want VerifyStatus
	}{
		{"/bin/busybox", Match},
		{"/bin/sh", Match},
		{"/bin/ash", Modified},
		{"/etc/motd", Modified},
		{"/etc/apk", NoDigest},
		{"/etc/passwd", Unowned},
	} {
		if st, err := db.Verify(tg, tc.path); st != tc.want || err != nil {
			t.Errorf("%s: %v %v, want %v", tc.path, st, err, tc.want)
		}
	}
	if a, _, _ := db.Digest("/bin/busybox"); a != "sha1" {
		t.Errorf("algo %q", a)
	}
}

func TestHashFileStreams(t *testing.T) {
	dir := t.TempDir()
	big := make([]byte, 3<<20+17)
	for i := range big {
		big[i] = byte(i)
	}
	if err := os.WriteFile(filepath.Join(dir, "big"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	tg := target.NewUnchecked(dir, false)
	got, err := HashFile(tg, "/big", "md5", make([]byte, 4096))
	want := md5.Sum(big)
	if err != nil || hex.EncodeToString(got) != hex.EncodeToString(want[:]) {
		t.Fatalf("md5 %x %v", got, err)
	}
	if _, err := HashFile(tg, "/fifo", "md5", nil); err == nil {
		t.Fatal("FIFO hashed")
	}
	if _, err := HashFile(tg, "/big", "crc32", nil); err == nil {
		t.Fatal("unknown algorithm accepted")
	}
}

func FuzzParseStatus(f *testing.F) {
	b, _ := os.ReadFile("testdata/dpkg.txtar")
	f.Add(b)
	f.Add([]byte("Package: x\nConffiles:\n /etc/a b c d obsolete\n /etc/x\n\n\n"))
	f.Add([]byte("Package:\n \n:\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		pkgs, _ := ParseStatus(b)
		for _, p := range pkgs {
			if p.Name == "" {
				t.Fatal("package without a name")
			}
			_ = p.State()
		}
	})
}

func FuzzParseApk(f *testing.F) {
	f.Add([]byte("P:busybox\nV:1\nF:bin\nR:busybox\nZ:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\nR:x\nZ:Q2\n"))
	f.Add([]byte("Z:\nF:\nR:\n\n\nP:\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		pkgs, _ := ParseApk(b)
		for _, p := range pkgs {
			for _, fl := range p.Files {
				if fl.Algo != "" && len(fl.Sum) != algoByName(fl.Algo).size() {
					t.Fatalf("digest size %d for %s", len(fl.Sum), fl.Algo)
				}
			}
		}
	})
}

func FuzzMD5Sums(f *testing.F) {
	f.Add([]byte("d41d8cd98f00b204e9800998ecf8427e  usr/bin/a\n"))
	f.Add([]byte("d41d8cd98f00b204e9800998ecf8427e  //bin/../x/\nd41d8cd98f00b204e9800998ecf8427e \n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tg := target.NewUnchecked("/nonexistent", false)
		bld := newBuilder(tg, "dpkg")
		bld.db.usr = map[string]string{"/bin": "/usr/bin"}
		pi := bld.pkg(Package{Name: "p"})
		place := func(_, p string) (string, uint8) { return p, 0 }
		bld.addMD5Sums("p", pi, b, place, map[string]diversion{"/usr/bin/x": {to: "/usr/bin/x.d"}})
		_ = parseDiversions(b)
		db := bld.finish()
		for fl := range db.Files() {
			if !strings.HasPrefix(fl.Path, "/") {
				t.Fatalf("relative key %q", fl.Path)
			}
		}
	})
}

// BenchmarkLoad loads a generated database of realistic shape: 700
// packages, 110k paths (a big Debian server), with merged /usr.
func BenchmarkLoad(b *testing.B) {
	root := b.TempDir()
	info := filepath.Join(root, "var/lib/dpkg/info")
	if err := os.MkdirAll(info, 0o755); err != nil {
		b.Fatal(err)
	}
	os.MkdirAll(filepath.Join(root, "usr/bin"), 0o755)
	os.Symlink("usr/bin", filepath.Join(root, "bin"))
	var status strings.Builder
	for i := range 700 {
		name := fmt.Sprintf("pkg%03d", i)
		fmt.Fprintf(&status, "Package: %s\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.%d\nDescription: x\n long text\n\n", name, i)
		var list, sums strings.Builder
		list.WriteString("/.\n/usr\n/usr/share\n/usr/share/doc/" + name + "\n")
		for j := range 155 {
			dir := "usr/share/" + name
			if j%10 == 0 {
				dir = "bin"
			}
			p := fmt.Sprintf("%s/%s-file-%d-typical-length.txt", dir, name, j)
			fmt.Fprintf(&list, "/%s\n", p)
			fmt.Fprintf(&sums, "%032x  %s\n", i*1000+j, p)
		}
		os.WriteFile(filepath.Join(info, name+".list"), []byte(list.String()), 0o644)
		os.WriteFile(filepath.Join(info, name+".md5sums"), []byte(sums.String()), 0o644)
	}
	os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), []byte(status.String()), 0o644)
	tg := target.NewUnchecked(root, false)
	b.ResetTimer()
	for b.Loop() {
		if db := Load(tg, target.Discard{}); db.Len() < 100000 {
			b.Fatalf("%d paths", db.Len())
		}
	}
}

// TestAliasedMove: a file moved from package a (listed as /lib/...) to
// package b (listed as /usr/lib/...) across the merged-/usr alias; a's
// stale record must not make the file look modified.
func TestAliasedMove(t *testing.T) {
	root := testutil.RootFromString(t, `
-- lib -> usr/lib --
-- usr/lib/udev/rules.d/60-x.rules --
new content
-- var/lib/dpkg/status --
Package: a
Status: install ok installed
Version: 1

Package: b
Status: install ok installed
Version: 2

-- var/lib/dpkg/info/a.list --
/lib/udev/rules.d/60-x.rules
-- var/lib/dpkg/info/a.md5sums --
00000000000000000000000000000001  lib/udev/rules.d/60-x.rules
-- var/lib/dpkg/info/b.list --
/usr/lib/udev/rules.d/60-x.rules
-- var/lib/dpkg/info/b.md5sums --
@md5(/usr/lib/udev/rules.d/60-x.rules)  usr/lib/udev/rules.d/60-x.rules
`)
	pkgdbtest.Fill(t, root)
	tg := target.NewUnchecked(root, false)
	db := Load(tg, target.Discard{})
	if st, err := db.Verify(tg, "/lib/udev/rules.d/60-x.rules"); st != Match || err != nil {
		t.Fatalf("aliased move: %v %v", st, err)
	}
}
