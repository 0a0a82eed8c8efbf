package pkgdb

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb/pkgdbtest"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
)

func tv(tag uint32, val any) pkgdbtest.RPMTag { return pkgdbtest.RPMTag{ID: tag, Val: val} }

func encodeHeader(vals ...pkgdbtest.RPMTag) []byte { return pkgdbtest.RPMHeader(vals...) }

func sha(b string) string {
	s := sha256.Sum256([]byte(b))
	return hex.EncodeToString(s[:])
}

const rpmRootFiles = `
-- bin -> usr/bin --
-- usr/bin/bash mode=0755 --
ELF bash
-- usr/bin/ls mode=0755 --
ELF ls, trojaned
-- etc/ssh/sshd_config --
PermitRootLogin no
-- etc/passwd --
root:x:0:0:root:/root:/bin/bash
`

// rpmHeaders are two packages as RHEL 9 stores them (sha256 digests,
// basenames/dirnames), two signing key pseudo-packages and two installed
// versions of kernel-core (rpm keeps several of one name side by side).
func rpmHeaders() [][]byte {
	bash := encodeHeader(
		tv(tagName, "bash"), tv(tagVersion, "5.1.8"), tv(tagRelease, "9.el9"), tv(tagArch, "x86_64"),
		tv(tagDirnames, []string{"/usr/bin/", "/etc/", "/usr/share/doc/bash/"}),
		tv(tagBasenames, []string{"bash", "sh", "ls", "bashrc", "README"}),
		tv(tagDirIndexes, []uint32{0, 0, 0, 1, 2}),
		tv(tagFileDigests, []string{sha("ELF bash\n"), "", sha("ELF ls\n"), sha("x"), sha("doc")}),
		tv(tagFileFlags, []uint32{0, 0, 0, rpmFileConfig, 0}),
		tv(tagFileStates, []byte{0, 0, 0, 0, 2}), // README: not installed (nodocs)
		tv(tagFileModes, []uint16{0o100755, 0o120777, 0o100755, 0o100644, 0o100644}),
		tv(tagFileDigestAlgo, []uint32{8}),
	)
	ssh := encodeHeader(
		tv(tagName, "openssh-server"), tv(tagVersion, "8.7p1"), tv(tagRelease, "38.el9"),
		tv(tagEpoch, []uint32{0}), tv(tagArch, "x86_64"),
		tv(tagDirnames, []string{"/etc/ssh/"}),
		tv(tagBasenames, []string{"sshd_config"}),
		tv(tagDirIndexes, []uint32{0}),
		tv(tagFileDigests, []string{sha("PermitRootLogin no\n")}),
		tv(tagFileFlags, []uint32{rpmFileConfig}),
		tv(tagFileDigestAlgo, []uint32{8}),
	)
	key := encodeHeader(tv(tagName, "gpg-pubkey"), tv(tagVersion, "fd431d51"), tv(tagRelease, "4ae0493b"))
	key2 := encodeHeader(tv(tagName, "gpg-pubkey"), tv(tagVersion, "5a6340b3"), tv(tagRelease, "6229229e"))
	kernel := func(rel string) []byte {
		return encodeHeader(tv(tagName, "kernel-core"), tv(tagVersion, "5.14.0"), tv(tagRelease, rel), tv(tagArch, "x86_64"),
			tv(tagDirnames, []string{"/lib/modules/5.14.0-" + rel + ".x86_64/"}), tv(tagBasenames, []string{"vmlinuz"}),
			tv(tagDirIndexes, []uint32{0}), tv(tagFileDigests, []string{sha("vmlinuz " + rel)}), tv(tagFileDigestAlgo, []uint32{8}))
	}
	return [][]byte{bash, ssh, key, kernel("427.13.1.el9_4"), key2, kernel("503.11.1.el9_5")}
}

func checkRPM(t *testing.T, tg *target.Target, g *gaps) {
	t.Helper()
	db := Load(tg, g)
	if db.Format() != "rpm" || len(g.Gaps) != 0 {
		t.Fatalf("format %q gaps %+v", db.Format(), g.Gaps)
	}
	var names []string
	for _, p := range db.Packages() {
		names = append(names, p.Name+" "+p.Version)
	}
	want := []string{"bash 5.1.8-9.el9", "gpg-pubkey 5a6340b3-6229229e", "gpg-pubkey fd431d51-4ae0493b",
		"kernel-core 5.14.0-427.13.1.el9_4", "kernel-core 5.14.0-503.11.1.el9_5", "openssh-server 8.7p1-38.el9"}
	if !slices.Equal(names, want) {
		t.Errorf("packages %q, want every installed version of a name: %q", names, want)
	}
	for _, rel := range []string{"427.13.1.el9_4", "503.11.1.el9_5"} {
		if st, _ := db.Verify(tg, "/lib/modules/5.14.0-"+rel+".x86_64/vmlinuz"); st != Missing {
			t.Errorf("kernel %s file: %v (its package's digest was not kept)", rel, st)
		}
	}
	for _, tc := range []struct {
		path  string
		owner string
		st    VerifyStatus
	}{
		{"/bin/bash", "bash", Match},
		{"/usr/bin/bash", "bash", Match},
		{"/usr/bin/ls", "bash", Modified},
		{"/usr/bin/sh", "bash", NoDigest},
		{"/etc/ssh/sshd_config", "openssh-server", Match},
		{"/etc/bashrc", "bash", Missing},
		{"/usr/share/doc/bash/README", "bash", NoDigest},
		{"/etc/passwd", "", Unowned},
	} {
		o, _ := db.Owner(tc.path)
		st, err := db.Verify(tg, tc.path)
		if o != tc.owner || st != tc.st || err != nil {
			t.Errorf("%s: owner %q status %v %v, want %q %v", tc.path, o, st, err, tc.owner, tc.st)
		}
	}
	if !db.IsConffile("/etc/ssh/sshd_config") || db.IsConffile("/usr/bin/bash") {
		t.Error("config flags")
	}
	if a, _, _ := db.Digest("/usr/bin/bash"); a != "sha256" {
		t.Errorf("algo %q", a)
	}
	for _, p := range db.Packages() {
		if p.Name == "openssh-server" && p.Version != "8.7p1-38.el9" {
			t.Errorf("version %q", p.Version)
		}
	}
}

func TestRPMSqlite(t *testing.T) {
	root := testutil.RootFromString(t, rpmRootFiles)
	pkgdbtest.RPMSqlite(t, root, rpmHeaders()...)
	dir := filepath.Join(root, "var/lib/rpm")
	before, _ := os.ReadDir(dir)
	checkRPM(t, target.NewUnchecked(root, false), &gaps{})
	after, _ := os.ReadDir(dir)
	if len(after) != len(before) {
		t.Errorf("reading the rpmdb wrote to the target: %v", after)
	}
}

// TestRPMSqliteWAL: a package committed to the write-ahead log but not yet
// checkpointed must be seen, and the target must not be written.
func TestRPMSqliteWAL(t *testing.T) {
	root := testutil.RootFromString(t, rpmRootFiles)
	dir := filepath.Join(root, "var/lib/rpm")
	os.MkdirAll(dir, 0o755)
	dbPath := filepath.Join(dir, "rpmdb.sqlite")
	sdb, err := sql.Open("sqlite", dbPath+"?_pragma=journal_mode(WAL)&_pragma=wal_autocheckpoint(0)")
	if err != nil {
		t.Fatal(err)
	}
	sdb.SetMaxOpenConns(1)
	if _, err := sdb.Exec("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	for _, b := range rpmHeaders() {
		if _, err := sdb.Exec("INSERT INTO Packages (blob) VALUES (?)", b); err != nil {
			t.Fatal(err)
		}
	}
	// Copy the files while the writer still holds them (WAL not merged).
	snap := testutil.RootFromString(t, rpmRootFiles)
	sdir := filepath.Join(snap, "var/lib/rpm")
	os.MkdirAll(sdir, 0o755)
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(dbPath + suffix)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(sdir, "rpmdb.sqlite"+suffix), b, 0o644)
	}
	sdb.Close()
	if fi, err := os.Stat(filepath.Join(sdir, "rpmdb.sqlite-wal")); err != nil || fi.Size() == 0 {
		t.Skip("the driver merged the log early; nothing to test")
	}
	before, _ := os.ReadDir(sdir)
	checkRPM(t, target.NewUnchecked(snap, false), &gaps{})
	after, _ := os.ReadDir(sdir)
	if len(after) != len(before) {
		t.Errorf("reading the rpmdb wrote to the target: %v", after)
	}
}

func ndbFile(blobs [][]byte) []byte {
	le := binary.LittleEndian
	out := make([]byte, 4096)
	le.PutUint32(out[0:], ndbHeaderMagic)
	le.PutUint32(out[12:], 1) // one slot page
	for i := 32; i < 4096; i += 16 {
		le.PutUint32(out[i:], ndbSlotMagic)
	}
	for i, b := range blobs {
		blk := len(out) / 16
		slot := 32 + i*16
		le.PutUint32(out[slot+4:], uint32(i+1))
		le.PutUint32(out[slot+8:], uint32(blk))
		hdr := make([]byte, 16)
		le.PutUint32(hdr[0:], ndbBlobMagic)
		le.PutUint32(hdr[4:], uint32(i+1))
		le.PutUint32(hdr[12:], uint32(len(b)))
		out = append(out, hdr...)
		out = append(out, b...)
		for len(out)%16 != 0 {
			out = append(out, 0)
		}
		out = append(out, make([]byte, 16)...) // trailer
	}
	return out
}

func TestRPMNdb(t *testing.T) {
	root := testutil.RootFromString(t, rpmRootFiles)
	dir := filepath.Join(root, "usr/lib/sysimage/rpm")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "Packages.db"), ndbFile(rpmHeaders()), 0o644)
	checkRPM(t, target.NewUnchecked(root, false), &gaps{})
}

// bdbFile lays blobs out as a BerkeleyDB hash database with one hash page
// and chains of small overflow pages.
func bdbFile(blobs [][]byte) []byte {
	const ps = 512
	le := binary.LittleEndian
	var pages [][]byte
	newPage := func(typ byte) []byte {
		p := make([]byte, ps)
		le.PutUint32(p[8:], uint32(len(pages)))
		p[25] = typ
		pages = append(pages, p)
		return p
	}
	meta := newPage(bdbHashMetaType)
	le.PutUint32(meta[12:], bdbHashMagic)
	le.PutUint32(meta[20:], ps)
	hash := newPage(bdbHashType)
	le.PutUint16(hash[20:], uint16(2*len(blobs)))
	top := ps
	for i, b := range blobs {
		first := uint32(len(pages))
		for off := 0; off < len(b); off += ps - bdbPageHeader {
			p := newPage(bdbOverflowType)
			end := min(off+ps-bdbPageHeader, len(b))
			copy(p[bdbPageHeader:], b[off:end])
			if end < len(b) {
				le.PutUint32(p[16:], uint32(len(pages)))
			} else {
				le.PutUint16(p[22:], uint16(end-off))
			}
		}
		top -= 8 // key item: H_KEYDATA with a 4-byte record number
		hash[top] = 1
		le.PutUint32(hash[top+1:], uint32(i+1))
		le.PutUint16(hash[bdbPageHeader+4*i:], uint16(top))
		top -= bdbOffPageLength
		hash[top] = bdbOffPageItem
		le.PutUint32(hash[top+4:], first)
		le.PutUint32(hash[top+8:], uint32(len(b)))
		le.PutUint16(hash[bdbPageHeader+4*i+2:], uint16(top))
	}
	le.PutUint32(meta[32:], uint32(len(pages)-1))
	return bytes.Join(pages, nil)
}

func TestRPMBdb(t *testing.T) {
	root := testutil.RootFromString(t, rpmRootFiles)
	dir := filepath.Join(root, "var/lib/rpm")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "Packages"), bdbFile(rpmHeaders()), 0o644)
	checkRPM(t, target.NewUnchecked(root, false), &gaps{})
}

func TestRPMCorrupt(t *testing.T) {
	good := bdbFile(rpmHeaders())
	loop := append([]byte(nil), good...)
	// Point the first overflow page's chain at itself.
	binary.LittleEndian.PutUint32(loop[2*512+16:], 2)
	for name, data := range map[string][]byte{
		"Packages":     loop,
		"Packages.db":  ndbFile([][]byte{[]byte("garbage header")}),
		"rpmdb.sqlite": []byte("SQLite format 3\x00 but not really"),
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			os.MkdirAll(filepath.Join(root, "var/lib/rpm"), 0o755)
			os.WriteFile(filepath.Join(root, "var/lib/rpm", name), data, 0o644)
			g := &gaps{}
			db := Load(target.NewUnchecked(root, false), g)
			if name != "Packages" && db.Format() != "" {
				t.Errorf("corrupt database loaded as %q with %d packages", db.Format(), len(db.Packages()))
			}
			if !g.has("/var/lib/rpm/" + name) {
				t.Errorf("no gap: %+v", g.Gaps)
			}
		})
	}
}

func FuzzParseRPMHeader(f *testing.F) {
	for _, h := range rpmHeaders() {
		f.Add(h)
	}
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseRPMHeader(b)
		if err == nil {
			for _, fl := range p.Files {
				if !strings.HasPrefix(fl.Path, "/") {
					t.Fatalf("relative path %q", fl.Path)
				}
			}
		}
	})
}

func FuzzRPMStorage(f *testing.F) {
	f.Add(bdbFile(rpmHeaders()))
	f.Add(ndbFile(rpmHeaders()))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		_ = readBdb(r, r.Size(), "Packages", func([]byte, error) {})
		_ = readNdb(r, r.Size(), "Packages.db", func([]byte, error) {})
	})
}
