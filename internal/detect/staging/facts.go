package staging

import (
	"encoding/binary"
	"io/fs"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/hashcache"
)

// fileFacts is what the check learns from reading a file: its content
// kind, its credential format when the larger head was read, and the
// digests computed while judging it. A rescan takes them from the scan's
// fact table (engine.Env.Facts) for a file whose device, inode, size,
// mtime and ctime are unchanged, and judges again (place, package
// ownership, the system programs' digests) from them: facts say what the
// content is, never what it means.
type fileFacts struct {
	kind     string            // programKind of the head
	credRead bool              // the credential-sized head was read
	format   string            // CredentialFormat of it ("" none)
	count    int               // entries of that format
	sums     map[string][]byte // digest algorithm -> digest, as computed
	changed  bool              // sums grew since the facts were loaded
}

// factsVersion changes when the encoding or what a fact means changes.
const factsVersion = 1

// factAlgos are the digest algorithms a fact may hold, by index.
var factAlgos = []string{"md5", "sha1", "sha256", "sha512"}

func (ff *fileFacts) encode() []byte {
	b := []byte{factsVersion}
	b = appendString(b, ff.kind)
	cr := byte(0)
	if ff.credRead {
		cr = 1
	}
	b = append(b, cr)
	b = appendString(b, ff.format)
	b = binary.AppendUvarint(b, uint64(ff.count))
	for i, a := range factAlgos {
		if s, ok := ff.sums[a]; ok {
			b = append(b, byte(i))
			b = appendString(b, string(s))
		}
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decodeFacts parses what encode wrote; ok is false for anything else.
func decodeFacts(b []byte) (ff *fileFacts, ok bool) {
	if len(b) < 1 || b[0] != factsVersion {
		return nil, false
	}
	d := factDecoder{b: b[1:]}
	ff = &fileFacts{sums: map[string][]byte{}}
	ff.kind = d.str()
	ff.credRead = d.byte() == 1
	ff.format = d.str()
	ff.count = int(d.uvarint())
	for len(d.b) > 0 && !d.bad {
		i := int(d.byte())
		s := d.str()
		if i >= len(factAlgos) || len(s) == 0 || len(s) > 64 {
			return nil, false
		}
		ff.sums[factAlgos[i]] = []byte(s)
	}
	if d.bad || (ff.kind != "" && ff.kind != indCompiled && ff.kind != indScript) || ff.count < 0 {
		return nil, false
	}
	return ff, true
}

type factDecoder struct {
	b   []byte
	bad bool
}

func (d *factDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.bad = true
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *factDecoder) byte() byte {
	if len(d.b) == 0 {
		d.bad = true
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *factDecoder) str() string {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b)) || n > 256 {
		d.bad = true
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// cachedFacts returns what an earlier scan learnt from p when its
// metadata is still st.
func (r *run) cachedFacts(p string, st fs.FileInfo) (*fileFacts, bool) {
	m, ok := hashcache.MetaOf(st)
	if !ok {
		return nil, false
	}
	b, ok := r.facts.Facts(p, m)
	if !ok {
		return nil, false
	}
	return decodeFacts(b)
}

// keepFacts records ff for p (metadata st, taken before reading).
func (r *run) keepFacts(p string, st fs.FileInfo, ff *fileFacts, fresh bool) {
	if !fresh && !ff.changed {
		return
	}
	if m, ok := hashcache.MetaOf(st); ok {
		r.facts.PutFacts(p, m, ff.encode())
	}
}

// digest returns p's digest with algo: from the file's facts when an
// earlier read computed it, else read now (and kept in the facts).
func (r *run) digest(p, algo string) ([]byte, error) {
	if ff := r.cur; ff != nil {
		if s, ok := ff.sums[algo]; ok {
			return s, nil
		}
	}
	r.read(p)
	sum, err := pkgdb.HashFile(r.t, p, algo, nil)
	if err == nil && r.cur != nil {
		if r.cur.sums == nil {
			r.cur.sums = map[string][]byte{}
		}
		r.cur.sums[algo] = sum
		r.cur.changed = true
	}
	return sum, err
}

// read notes that p's content is read (for tests).
func (r *run) read(p string) {
	if r.readHook != nil {
		r.readHook(p)
	}
}
