package hashcache

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Encoded form of a snapshot's entries, as the SQLite store keeps them
// (one blob per target: a row per file made loading 100,000 entries take
// longer than the rescan it saves). Entries are sorted by path; each
// path is stored as the length it shares with the previous one plus the
// rest:
//
//	"VHC1" count
//	count × { shared rest-len rest dev ino size mtime ctime hashed algo digest-len digest }
//
// every number an unsigned varint, except mtime, ctime and hashed (signed).

const magic = "VHC1"

// Limits that keep a damaged blob from allocating without bound.
const (
	maxEntries   = 10_000_000
	maxPathLen   = 4096
	maxDigestLen = 64
)

var errCorrupt = errors.New("hash cache: damaged encoding")

// Encode serialises entries.
func Encode(entries map[string]Entry) []byte {
	paths := make([]string, 0, len(entries))
	for p := range entries {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	out := make([]byte, 0, 16+len(paths)*48)
	out = append(out, magic...)
	out = binary.AppendUvarint(out, uint64(len(paths)))
	prev := ""
	for _, p := range paths {
		e := entries[p]
		n := sharedPrefix(prev, p)
		out = binary.AppendUvarint(out, uint64(n))
		out = binary.AppendUvarint(out, uint64(len(p)-n))
		out = append(out, p[n:]...)
		out = binary.AppendUvarint(out, e.Dev)
		out = binary.AppendUvarint(out, e.Ino)
		out = binary.AppendUvarint(out, uint64(e.Size))
		out = binary.AppendVarint(out, e.MtimeNs)
		out = binary.AppendVarint(out, e.CtimeNs)
		out = binary.AppendVarint(out, e.HashedNs)
		out = binary.AppendUvarint(out, uint64(algoIndex(e.Algo)))
		out = binary.AppendUvarint(out, uint64(len(e.Digest)))
		out = append(out, e.Digest...)
		prev = p
	}
	return out
}

// Decode parses what Encode wrote. A damaged blob is an error, never a
// panic; the caller then starts from an empty cache.
func Decode(b []byte) (map[string]Entry, error) {
	if !strings.HasPrefix(string(b), magic) {
		return nil, errCorrupt
	}
	d := decoder{b: b[len(magic):]}
	count := d.uvarint()
	if d.err != nil || count > maxEntries || count > uint64(len(d.b)) {
		return nil, errCorrupt
	}
	out := make(map[string]Entry, count)
	var prev []byte
	for range count {
		shared, rest := d.uvarint(), d.uvarint()
		if d.err != nil || shared > uint64(len(prev)) || shared+rest > maxPathLen || rest > uint64(len(d.b)) {
			return nil, errCorrupt
		}
		p := append(prev[:shared:shared], d.b[:rest]...)
		d.b = d.b[rest:]
		var e Entry
		e.Dev, e.Ino, e.Size = d.uvarint(), d.uvarint(), int64(d.uvarint())
		e.MtimeNs, e.CtimeNs, e.HashedNs = d.varint(), d.varint(), d.varint()
		ai, dl := d.uvarint(), d.uvarint()
		if d.err != nil || ai >= uint64(len(algos)) || dl > maxLen(algos[ai]) || dl > uint64(len(d.b)) {
			return nil, errCorrupt
		}
		e.Algo = algos[ai]
		e.Digest = append([]byte(nil), d.b[:dl]...)
		d.b = d.b[dl:]
		out[string(p)] = e
		prev = p
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", errCorrupt, len(d.b))
	}
	return out, nil
}

// algos are the digest algorithms by their encoded index ("" unknown).
var algos = [...]string{"", "md5", "sha1", "sha256", "sha512", AlgoFacts}

// maxLen is the longest value an entry of algo may hold.
func maxLen(algo string) uint64 {
	if algo == AlgoFacts {
		return MaxFacts
	}
	return maxDigestLen
}

func algoIndex(a string) int {
	for i, x := range algos {
		if x == a {
			return i
		}
	}
	return 0
}

func sharedPrefix(a, b string) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}
