package pkgdb

import (
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // rpmdb.sqlite (RHEL 9, Fedora 33+); already the store's driver

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Why not github.com/knqyf263/go-rpmdb: the only version the module proxy
// serves here (v0.0.0-20210911072402) reads BerkeleyDB only (no sqlite, no
// ndb), returns no file digests, never closes its file, and parses pages in
// a goroutine of its own, where a panic on a corrupt database cannot be
// recovered and would kill the scan. The three storage formats are small;
// they are read here with every offset checked.

// rpmDirs are where rpm keeps its database (usr-merged rpm first).
var rpmDirs = []string{"/usr/lib/sysimage/rpm", "/var/lib/rpm"}

// rpmBlobLimit bounds one header blob (rpm's own limit is 256 MiB of data;
// real headers are under a few MiB).
const rpmBlobLimit = 64 << 20

func loadRPM(t *target.Target, rec target.Recorder, probs *[]Problem) (*DB, bool) {
	for _, dir := range rpmDirs {
		for _, c := range []struct {
			name string
			read func(*target.Target, string, func([]byte, error)) error
		}{
			{"rpmdb.sqlite", readRPMSqlite},
			{"Packages.db", readRPMNdb},
			{"Packages", readRPMBdb},
		} {
			p := dir + "/" + c.name
			fi, err := t.Stat(p)
			if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 {
				if err != nil {
					target.Record(rec, p, err)
				}
				continue
			}
			if db, ok := loadRPMFile(t, rec, p, c.read, probs); ok {
				return db, true
			}
		}
	}
	return nil, false
}

func loadRPMFile(t *target.Target, rec target.Recorder, p string, read func(*target.Target, string, func([]byte, error)) error, probs *[]Problem) (db *DB, ok bool) {
	b := newBuilder(t, "rpm")
	bad := 0
	var firstErr error
	err := safely(func() error {
		return read(t, p, func(blob []byte, err error) {
			var pkg *RPMPackage
			if err == nil {
				pkg, err = ParseRPMHeader(blob)
			}
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				bad++
				return
			}
			b.addRPM(pkg)
		})
	})
	if err != nil {
		rec.GapMsg(model.GapError, p, model.Msg("pkgdb.gap.rpm-unreadable", err))
		*probs = append(*probs, Problem{Path: p, Format: "rpm", Whole: true, Note: model.Msg("pkgdb.problem.rpm-unreadable", err)})
		return nil, false
	}
	if bad > 0 {
		rec.GapMsg(model.GapError, p, model.Msg("pkgdb.gap.rpm-headers", bad, firstErr))
	}
	if len(b.db.pkgs) == 0 {
		rec.GapMsg(model.GapError, p, model.Msg("pkgdb.gap.rpm-empty"))
		*probs = append(*probs, Problem{Path: p, Format: "rpm", Whole: true, Note: model.Msg("pkgdb.problem.nothing-parsed", "-", bad)})
		return nil, false
	}
	if bad > 0 {
		*probs = append(*probs, Problem{Path: p, Format: "rpm", Bad: bad, Note: model.Msg("pkgdb.problem.rpm-headers", bad, firstErr)})
	}
	return b.finish(), true
}

// safely turns a panic of a reader into an error: a corrupt database must
// cost one gap, not the scan.
func safely(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("corrupt database: %v", r)
		}
	}()
	return f()
}

// rpmSourceVersion is the source version when it differs from the binary
// package's (the epoch is the binary's: SOURCERPM does not carry one).
func rpmSourceVersion(p *RPMPackage) string {
	v := p.Version
	epoch := ""
	if i := strings.IndexByte(v, ':'); i >= 0 {
		epoch, v = v[:i+1], v[i+1:]
	}
	if p.SourceVersion == "" || p.SourceVersion == v {
		return ""
	}
	return epoch + p.SourceVersion
}

func (b *builder) addRPM(p *RPMPackage) {
	// gpg-pubkey "packages" are the imported signing keys, one per key
	// (version: key id, release: creation date); they are kept like rpm -qa
	// lists them: which keys a host trusts is part of its inventory.
	pi := b.pkg(Package{Name: p.Name, Version: p.Version, Arch: p.Arch, Source: p.Source, SourceVersion: rpmSourceVersion(p)})
	a := algoByName(p.Algo)
	for _, f := range p.Files {
		b.own(f.Path, pi)
		if f.Digest != nil {
			var flags uint8
			if f.Config {
				flags = flagConffile
			}
			b.setDigest(f.Path, pi, a, f.Digest, flags)
		} else if f.Config {
			b.markConffile(f.Path)
		}
	}
}

// readRPMSqlite reads the Packages table of rpmdb.sqlite, opened read-only
// and immutable: no lock, no journal, nothing written to the target. When
// a write-ahead log holds transactions not yet merged (rpm ran moments
// ago), the database and its log are copied to a private temporary
// directory first, so that recent installs are not missed.
func readRPMSqlite(t *target.Target, p string, fn func([]byte, error)) error {
	hp, err := t.HostPath(p)
	if err != nil {
		return err
	}
	u := url.URL{Scheme: "file", Path: hp, RawQuery: "mode=ro&immutable=1"}
	if fi, err := t.Stat(p + "-wal"); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
		tmp, err := os.MkdirTemp("", "vigil-rpmdb-")
		if err != nil {
			return fmt.Errorf("copy %s: %w", p, err)
		}
		defer os.RemoveAll(tmp)
		for _, suffix := range []string{"", "-wal"} {
			if err := copyOut(t, p+suffix, filepath.Join(tmp, "rpmdb.sqlite"+suffix)); err != nil {
				return err
			}
		}
		u = url.URL{Scheme: "file", Path: filepath.Join(tmp, "rpmdb.sqlite"), RawQuery: "mode=ro"}
	}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return fmt.Errorf("open %s: %w", p, err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT blob FROM Packages")
	if err != nil {
		return fmt.Errorf("query %s: %w", p, err)
	}
	defer rows.Close()
	for rows.Next() {
		var blob []byte
		if err := rows.Scan(&blob); err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		fn(blob, nil)
	}
	return rows.Err()
}

// copyOut copies target file p to host path dst.
func copyOut(t *target.Target, p, dst string) error {
	src, err := t.Open(p)
	if err != nil {
		return err
	}
	defer src.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("copy %s: %w", p, err)
	}
	if _, err := io.Copy(out, src); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", p, err)
	}
	return out.Close()
}

// ndb (SUSE, rpm's own format): a header, slot pages naming each blob's
// position, and blobs of 16-byte blocks. Little-endian.
const (
	ndbHeaderMagic = 'R' | 'p'<<8 | 'm'<<16 | 'P'<<24
	ndbSlotMagic   = 'S' | 'l'<<8 | 'o'<<16 | 't'<<24
	ndbBlobMagic   = 'B' | 'l'<<8 | 'b'<<16 | 'S'<<24
	ndbSlotsPage   = 4096 / 16
	ndbMaxPages    = 2048
)

func readRPMNdb(t *target.Target, p string, fn func([]byte, error)) error {
	f, err := t.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	return readNdb(f, fi.Size(), p, fn)
}

func readNdb(f io.ReaderAt, size int64, p string, fn func([]byte, error)) error {
	var hdr [32]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		return fmt.Errorf("read %s: %w", p, err)
	}
	le := binary.LittleEndian
	if le.Uint32(hdr[0:]) != ndbHeaderMagic || le.Uint32(hdr[4:]) != 0 {
		return fmt.Errorf("%s: not an rpm ndb database", p)
	}
	npages := le.Uint32(hdr[12:])
	if npages == 0 || npages > ndbMaxPages {
		return fmt.Errorf("%s: bad slot page count %d", p, npages)
	}
	slots := make([]byte, int(npages)*4096-32)
	if _, err := f.ReadAt(slots, 32); err != nil {
		return fmt.Errorf("read %s slots: %w", p, err)
	}
	for off := 0; off+16 <= len(slots); off += 16 {
		s := slots[off : off+16]
		if le.Uint32(s[0:]) != ndbSlotMagic {
			return fmt.Errorf("%s: bad slot magic at %d", p, 32+off)
		}
		idx, blk := le.Uint32(s[4:]), le.Uint32(s[8:])
		if idx == 0 {
			continue
		}
		var bh [16]byte
		if _, err := f.ReadAt(bh[:], int64(blk)*16); err != nil {
			fn(nil, fmt.Errorf("blob of package %d: %w", idx, err))
			continue
		}
		if le.Uint32(bh[0:]) != ndbBlobMagic || le.Uint32(bh[4:]) != idx {
			fn(nil, fmt.Errorf("bad blob header for package %d", idx))
			continue
		}
		n := le.Uint32(bh[12:])
		if n > rpmBlobLimit || int64(blk)*16+16+int64(n) > size {
			fn(nil, fmt.Errorf("blob of package %d too large (%d bytes)", idx, n))
			continue
		}
		blob := make([]byte, n)
		if _, err := f.ReadAt(blob, int64(blk)*16+16); err != nil {
			fn(nil, fmt.Errorf("blob of package %d: %w", idx, err))
			continue
		}
		fn(blob, nil)
	}
	return nil
}

// BerkeleyDB hash database (rpm before 4.16: RHEL/CentOS 7 and 8, Amazon
// Linux 2). Package headers are the data items, stored off-page in chains
// of overflow pages. Little-endian (the host order of x86 and arm).
const (
	bdbHashMagic     = 0x061561
	bdbPageHeader    = 26
	bdbHashMetaType  = 8
	bdbHashType      = 13
	bdbHashUnsorted  = 2
	bdbOverflowType  = 7
	bdbOffPageItem   = 3
	bdbMaxPages      = 1 << 24
	bdbOffPageLength = 12
)

func readRPMBdb(t *target.Target, p string, fn func([]byte, error)) error {
	f, err := t.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	return readBdb(f, fi.Size(), p, fn)
}

func readBdb(f io.ReaderAt, size int64, p string, fn func([]byte, error)) error {
	var meta [72]byte
	if _, err := f.ReadAt(meta[:], 0); err != nil {
		return fmt.Errorf("read %s: %w", p, err)
	}
	le := binary.LittleEndian
	if le.Uint32(meta[12:]) != bdbHashMagic || meta[25] != bdbHashMetaType {
		return fmt.Errorf("%s: not a little-endian BerkeleyDB hash database", p)
	}
	if meta[24] != 0 {
		return fmt.Errorf("%s: encrypted BerkeleyDB database", p)
	}
	psize := le.Uint32(meta[20:])
	if psize < 512 || psize > 65536 || psize&(psize-1) != 0 {
		return fmt.Errorf("%s: bad page size %d", p, psize)
	}
	last := le.Uint32(meta[32:])
	if n := size / int64(psize); n > 0 && int64(last) >= n {
		last = uint32(n - 1) // a database cut short: read what is there
	}
	if last > bdbMaxPages {
		return fmt.Errorf("%s: bad last page %d", p, last)
	}
	page := make([]byte, psize)
	ovf := make([]byte, psize)
	for pg := uint32(1); pg <= last; pg++ {
		if _, err := f.ReadAt(page, int64(pg)*int64(psize)); err != nil {
			if errors.Is(err, io.EOF) {
				break // a database truncated mid-write: keep what was read
			}
			return fmt.Errorf("read %s page %d: %w", p, pg, err)
		}
		if typ := page[25]; typ != bdbHashType && typ != bdbHashUnsorted {
			continue
		}
		n := int(le.Uint16(page[20:]))
		if bdbPageHeader+n*2 > len(page) {
			return fmt.Errorf("%s page %d: %d entries do not fit", p, pg, n)
		}
		// Entries come in key/data pairs; the data item is the odd one.
		for i := 1; i < n; i += 2 {
			off := int(le.Uint16(page[bdbPageHeader+i*2:]))
			if off+bdbOffPageLength > len(page) || page[off] != bdbOffPageItem {
				continue
			}
			blob, err := bdbOverflow(f, ovf, le.Uint32(page[off+4:]), le.Uint32(page[off+8:]), psize, last)
			if err != nil {
				err = fmt.Errorf("page %d: %w", pg, err)
			}
			fn(blob, err)
		}
	}
	return nil
}

// bdbOverflow follows a chain of overflow pages from pg and returns the
// item of total length tlen.
func bdbOverflow(f io.ReaderAt, buf []byte, pg, tlen, psize, last uint32) ([]byte, error) {
	if tlen > rpmBlobLimit || tlen > (last+1)*psize {
		return nil, fmt.Errorf("item of %d bytes", tlen)
	}
	le := binary.LittleEndian
	out := make([]byte, 0, tlen)
	seen := map[uint32]bool{}
	for pg != 0 {
		if pg > last || seen[pg] {
			return nil, fmt.Errorf("overflow chain leaves the file or loops at page %d", pg)
		}
		seen[pg] = true
		if _, err := f.ReadAt(buf, int64(pg)*int64(psize)); err != nil {
			return nil, fmt.Errorf("overflow page %d: %w", pg, err)
		}
		if buf[25] != bdbOverflowType {
			return nil, fmt.Errorf("page %d is not an overflow page", pg)
		}
		next := le.Uint32(buf[16:])
		used := len(buf) - bdbPageHeader
		if next == 0 {
			used = int(le.Uint16(buf[22:]))
		}
		if used > len(buf)-bdbPageHeader {
			return nil, fmt.Errorf("overflow page %d: bad length %d", pg, used)
		}
		out = append(out, buf[bdbPageHeader:bdbPageHeader+used]...)
		if uint32(len(out)) >= tlen {
			return out[:tlen], nil
		}
		pg = next
	}
	return out, nil
}
