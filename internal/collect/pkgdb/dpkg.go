package pkgdb

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"unsafe"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

const (
	dpkgDir        = "/var/lib/dpkg"
	dpkgStatus     = dpkgDir + "/status"
	dpkgInfo       = dpkgDir + "/info"
	dpkgDiversions = dpkgDir + "/diversions"
	// The status file of a big desktop is ~10 MB; a corrupt or hostile
	// one must not exhaust memory.
	dpkgStatusLimit = 256 << 20
	dpkgInfoLimit   = 64 << 20
)

// StatusPackage is one stanza of /var/lib/dpkg/status.
type StatusPackage struct {
	Name      string
	Version   string
	Arch      string
	MultiArch string
	// Source and SourceVersion from "Source: name" or "Source: name (version)".
	Source        string
	SourceVersion string
	Status        string            // "install ok installed"
	Conffiles     map[string]string // path -> md5 hex (may be "newconffile")
}

// State is the third word of Status ("installed", "config-files", ...).
func (p StatusPackage) State() string {
	f := strings.Fields(p.Status)
	if len(f) == 3 {
		return f[2]
	}
	return ""
}

// ParseStatus parses a dpkg status file. Malformed stanzas (no Package
// field) are skipped and counted in bad.
func ParseStatus(b []byte) (pkgs []StatusPackage, bad int) {
	var cur StatusPackage
	var field string
	flush := func() {
		if cur.Name != "" {
			pkgs = append(pkgs, cur)
		} else if cur.Version != "" || cur.Status != "" || len(cur.Conffiles) > 0 {
			bad++
		}
		cur, field = StatusPackage{}, ""
	}
	for len(b) > 0 {
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			line, b = b, nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(bytes.TrimSpace(line)) == 0 {
			flush()
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if field == "conffiles" {
				addConffile(&cur, line)
			}
			continue
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			field = ""
			continue
		}
		field = strings.ToLower(string(k))
		val := string(bytes.TrimSpace(v))
		switch field {
		case "package":
			cur.Name = val
		case "version":
			cur.Version = val
		case "architecture":
			cur.Arch = val
		case "multi-arch":
			cur.MultiArch = val
		case "status":
			cur.Status = val
		case "source":
			cur.Source, cur.SourceVersion = parseDpkgSource(val)
		}
	}
	flush()
	return pkgs, bad
}

// parseDpkgSource splits dpkg's "Source: name" or "Source: name (version)"
// (the second form when the source version differs from the binary's, as
// for binNMUs and packages that version their binaries apart).
func parseDpkgSource(v string) (name, version string) {
	name, rest, ok := strings.Cut(v, " ")
	if !ok {
		return v, ""
	}
	rest = strings.TrimSpace(rest)
	if strings.HasPrefix(rest, "(") && strings.HasSuffix(rest, ")") {
		version = strings.TrimSpace(rest[1 : len(rest)-1])
	}
	return name, version
}

// addConffile parses " /etc/x 0123...md5 [obsolete|remove-on-upgrade]".
func addConffile(p *StatusPackage, line []byte) {
	f := strings.Fields(string(line))
	if len(f) < 2 || !strings.HasPrefix(f[0], "/") {
		return
	}
	// Paths with spaces: the md5 is the last field unless flags follow.
	sumIdx := len(f) - 1
	for sumIdx > 1 && (f[sumIdx] == "obsolete" || f[sumIdx] == "remove-on-upgrade") {
		sumIdx--
	}
	if p.Conffiles == nil {
		p.Conffiles = map[string]string{}
	}
	p.Conffiles[strings.Join(f[:sumIdx], " ")] = strings.ToLower(f[sumIdx])
}

// diversion is one dpkg-divert record.
type diversion struct{ to, by string }

// parseDiversions reads the diversions file: triples of lines (original
// path, diverted-to path, diverting package or ":" for a local diversion).
func parseDiversions(b []byte) map[string]diversion {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	m := map[string]diversion{}
	for i := 0; i+2 < len(lines); i += 3 {
		from, to, by := lines[i], lines[i+1], lines[i+2]
		if !strings.HasPrefix(from, "/") || !strings.HasPrefix(to, "/") {
			continue
		}
		m[target.Clean(from)] = diversion{to: target.Clean(to), by: by}
	}
	return m
}

func bareName(n string) string {
	if i := strings.IndexByte(n, ':'); i >= 0 {
		return n[:i]
	}
	return n
}

func loadDpkg(t *target.Target, rec target.Recorder, probs *[]Problem) (*DB, bool) {
	raw, err := t.ReadFile(dpkgStatus, dpkgStatusLimit)
	if err != nil {
		_, gap := target.ClassifyErr(err)
		if _, lerr := t.Lstat(dpkgStatus); gap || lerr == nil {
			// Present but unusable (a dangling or escaping symlink is
			// "absent" to a reader, not to the responder).
			rec.GapMsg(model.GapError, dpkgStatus, model.Msg("pkgdb.gap.dpkg-status-unreadable", err))
		}
		return nil, false
	}
	st, bad := ParseStatus(raw)
	if bad > 0 {
		rec.GapMsg(model.GapError, dpkgStatus, model.Msg("pkgdb.gap.dpkg-stanzas", bad))
	}
	switch {
	case len(st) == 0:
		*probs = append(*probs, Problem{Path: dpkgStatus, Format: "dpkg", Whole: true, Empty: len(bytes.TrimSpace(raw)) == 0,
			Note: model.Msg("pkgdb.problem.nothing-parsed", len(raw), bad)})
		return nil, false
	case bad > 0:
		*probs = append(*probs, Problem{Path: dpkgStatus, Format: "dpkg", Bad: bad,
			Note: model.Msg("pkgdb.problem.malformed", bad)})
	}
	b := newBuilder(t, "dpkg")
	db := b.db
	// Presize for a typical ~100 paths per package: map growth was a
	// third of Load's time.
	db.files = make(map[string]uint32, len(st)*100)
	db.ents = make([]entry, 0, len(st)*100)
	// Info files are named "name" or "name:arch" (Multi-Arch: same).
	byInfo := map[string]*StatusPackage{}
	for i := range st {
		p := &st[i]
		if p.State() == "not-installed" || p.State() == "" {
			continue
		}
		full := p.Name
		if p.MultiArch == "same" && p.Arch != "" {
			full = p.Name + ":" + p.Arch
		}
		byInfo[full] = p
		if _, ok := byInfo[p.Name]; !ok {
			byInfo[p.Name] = p
		}
		b.pkg(Package{Name: full, Version: p.Version, Arch: p.Arch, Source: p.Source, SourceVersion: p.SourceVersion})
	}

	divs := map[string]diversion{}
	if dv, ok := t.ReadFileRec(rec, dpkgDiversions, dpkgInfoLimit); ok {
		divs = parseDiversions(dv)
		db.divert = make(map[string]string, len(divs))
		canonDivs := make(map[string]diversion, len(divs))
		for from, d := range divs {
			d.to = db.canon(d.to)
			canonDivs[db.canon(from)] = d
			db.divert[db.canon(from)] = d.to
		}
		divs = canonDivs
	}
	// place maps package pkgName's path p to where it really is on disk.
	place := func(pkgName, p string) (string, uint8) {
		if d, ok := divs[db.canon(p)]; ok && d.by != bareName(pkgName) {
			return d.to, flagDiverted
		}
		return p, 0
	}

	ents, err := t.ReadDir(dpkgInfo)
	if err != nil {
		target.Record(rec, dpkgInfo, err)
		rec.GapMsg(model.GapError, dpkgInfo, model.Msg("pkgdb.gap.dpkg-lists-unreadable"))
		return b.finish(), true
	}
	var badSums int
	for _, e := range ents {
		name := e.Name()
		base, ok := strings.CutSuffix(name, ".list")
		if !ok {
			continue
		}
		sp := byInfo[base]
		if sp == nil {
			continue // leftover of a purged package
		}
		full := base
		if !strings.Contains(base, ":") && sp.MultiArch == "same" && sp.Arch != "" {
			full = base + ":" + sp.Arch
		}
		pi := b.pkg(Package{Name: full, Version: sp.Version, Arch: sp.Arch, Source: sp.Source, SourceVersion: sp.SourceVersion})
		if list, ok := readInfo(t, rec, dpkgInfo+"/"+name); ok && len(list) > 0 {
			// The buffer is never written again: the map keys below are
			// substrings of it, without a copy per path.
			s := unsafe.String(&list[0], len(list))
			for len(s) > 0 {
				var line string
				if i := strings.IndexByte(s, '\n'); i >= 0 {
					line, s = s[:i], s[i+1:]
				} else {
					line, s = s, ""
				}
				if len(line) < 2 || line[0] != '/' || line == "/." {
					continue
				}
				p, flags := place(full, line)
				b.own(p, pi)
				if flags != 0 {
					b.setFlags(p, flags)
				}
			}
		}
		sumsPath := dpkgInfo + "/" + base + ".md5sums"
		if sums, ok := readInfo(t, rec, sumsPath); ok {
			if n := b.addMD5Sums(full, pi, sums, place, divs); n > 0 {
				badSums++
				rec.GapMsg(model.GapError, sumsPath, model.Msg("pkgdb.gap.md5sums-malformed", n))
			}
		}
		for p, sum := range sp.Conffiles {
			raw, err := hex.DecodeString(sum)
			dst, flags := place(full, p)
			b.own(dst, pi)
			if err == nil && len(raw) == 16 {
				b.setDigest(dst, pi, algoMD5, raw, flags|flagConffile)
			}
			b.markConffile(dst)
		}
	}
	return b.finish(), true
}

// addMD5Sums adds the lines "<md5>  <relative path>" of one md5sums file
// and returns the number of malformed lines. It is the hot loop of Load
// (~100k lines on a big host): keys are built in a reused buffer and looked
// up without allocating.
func (b *builder) addMD5Sums(pkgName string, pi uint32, sums []byte, place func(string, string) (string, uint8), divs map[string]diversion) int {
	bad := 0
	var raw [16]byte
	var kb, cb []byte
	for len(sums) > 0 {
		var line []byte
		if i := bytes.IndexByte(sums, '\n'); i >= 0 {
			line, sums = sums[:i], sums[i+1:]
		} else {
			line, sums = sums, nil
		}
		if len(line) == 0 {
			continue
		}
		if len(line) < 35 || line[32] != ' ' {
			bad++
			continue
		}
		if _, err := hex.Decode(raw[:], line[:32]); err != nil {
			bad++
			continue
		}
		rel := bytes.TrimLeft(line[33:], " *")
		if len(rel) == 0 {
			bad++
			continue
		}
		kb = append(append(kb[:0], '/'), bytes.TrimLeft(rel, "/")...)
		key, fast := b.db.canonBytes(cb[:0], kb)
		cb = key[:0]
		if fast {
			if _, diverted := divs[string(key)]; !diverted {
				if i, ok := b.db.files[string(key)]; ok {
					b.setDigestAt(i, pi, algoMD5, raw[:], 0)
					continue
				}
			}
		}
		p, flags := place(pkgName, string(kb))
		b.setDigest(p, pi, algoMD5, raw[:], flags)
	}
	return bad
}

// readInfo reads a dpkg info file in one allocation of its exact size
// (io.ReadAll's doubling dominated Load's cost).
func readInfo(t *target.Target, rec target.Recorder, p string) ([]byte, bool) {
	f, err := t.Open(p)
	if err != nil {
		if _, lerr := t.Lstat(p); lerr == nil && errors.Is(err, fs.ErrNotExist) {
			// A symlink that leads nowhere in the root: the package's
			// list or digests are gone, and its files go unverified.
			rec.GapMsg(model.GapError, p, model.Msg("pkgdb.gap.dangling", err))
			return nil, false
		}
		return nil, target.Record(rec, p, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, target.Record(rec, p, err)
	}
	if fi.Size() > dpkgInfoLimit {
		rec.GapMsg(model.GapSkipped, p, model.Msg("pkgdb.gap.too-large", fi.Size()))
		return nil, false
	}
	buf := make([]byte, fi.Size())
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.ErrUnexpectedEOF {
		return nil, target.Record(rec, p, fmt.Errorf("read %s: %w", p, err))
	}
	return buf[:n], true
}
