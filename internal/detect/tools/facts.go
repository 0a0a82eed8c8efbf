package tools

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sync"

	"github.com/vigil-ir/vigil/internal/hashcache"
)

// What a rescan may take from the scan's fact table (engine.Env.Facts)
// instead of reading a file again, when the file's device, inode, size,
// mtime and ctime are unchanged: what its content is, never what it means.
// The judgement (package ownership, copies of packaged tools, place, name)
// runs again on every scan from these facts.
//
//	factELF:   an ELF file's content scan: Vigil build or not, bytes read,
//	           SHA-256, and which marker groups of the catalog matched
//	factQuiet: a text file the configuration and script read found
//	           nothing in (a file that gave a finding or a gap is read
//	           again every scan)
//
// Each entry starts with the digest of the marker catalog and this
// encoding's version: new markers make every entry stale.
const (
	factELF   = 1
	factQuiet = 2
)

// factsVersion changes when the encoding or the scan's meaning changes.
const factsVersion = 1

// catalogDigest identifies the markers a fact was computed with.
var catalogDigest = sync.OnceValue(func() []byte {
	h := sha256.New()
	fmt.Fprintf(h, "v%d\x00%d\x00", factsVersion, maxBinary)
	for _, t := range catalog {
		fmt.Fprintf(h, "%s\x00%d\x00%q\x00%q\x00", t.name, t.kind, t.names, t.marks)
	}
	return h.Sum(nil)[:8]
})

// encodeELF encodes a content scan's result.
func encodeELF(res scanResult) []byte {
	b := append([]byte(nil), catalogDigest()...)
	b = append(b, factELF)
	if res.self {
		return append(b, 1)
	}
	sum, err := hex.DecodeString(res.sha256)
	if err != nil || len(sum) != sha256.Size {
		return nil
	}
	b = append(b, 0)
	b = binary.AppendUvarint(b, uint64(res.size))
	b = append(b, sum...)
	b = binary.AppendUvarint(b, uint64(len(res.hits)))
	for _, h := range res.hits {
		i, j, ok := hitIndex(h)
		if !ok {
			return nil
		}
		b = binary.AppendUvarint(b, uint64(i))
		b = binary.AppendUvarint(b, uint64(j))
	}
	return b
}

// hitIndex finds a hit's tool and marker group in the catalog.
func hitIndex(h contentHit) (i, j int, ok bool) {
	for i, t := range catalog {
		if t.name != h.tool.name || t.kind != h.tool.kind {
			continue
		}
		for j, g := range t.marks {
			if markerText(g) == h.marker {
				return i, j, true
			}
		}
	}
	return 0, 0, false
}

// quietFact is the fact of a text file that gave nothing.
func quietFact() []byte { return append(append([]byte(nil), catalogDigest()...), factQuiet) }

// decodeFact parses an entry; ok is false for a stale or damaged one.
func decodeFact(b []byte) (kind byte, res scanResult, ok bool) {
	d := catalogDigest()
	if len(b) < len(d)+1 || string(b[:len(d)]) != string(d) {
		return 0, res, false
	}
	kind, b = b[len(d)], b[len(d)+1:]
	switch kind {
	case factQuiet:
		return kind, res, len(b) == 0
	case factELF:
	default:
		return 0, res, false
	}
	if len(b) == 1 && b[0] == 1 {
		res.self = true
		return kind, res, true
	}
	if len(b) < 1 || b[0] != 0 {
		return 0, res, false
	}
	b = b[1:]
	size, n := binary.Uvarint(b)
	if n <= 0 || len(b) < n+sha256.Size {
		return 0, res, false
	}
	res.size = int64(size)
	res.sha256 = hex.EncodeToString(b[n : n+sha256.Size])
	b = b[n+sha256.Size:]
	count, n := binary.Uvarint(b)
	if n <= 0 || count > uint64(len(b)) {
		return 0, res, false
	}
	b = b[n:]
	for range count {
		i, n1 := binary.Uvarint(b)
		if n1 <= 0 {
			return 0, res, false
		}
		j, n2 := binary.Uvarint(b[n1:])
		if n2 <= 0 || i >= uint64(len(catalog)) || j >= uint64(len(catalog[i].marks)) {
			return 0, res, false
		}
		b = b[n1+n2:]
		t := catalog[i]
		res.hits = append(res.hits, contentHit{tool: t, marker: markerText(t.marks[j])})
	}
	return kind, res, len(b) == 0
}

// cachedFact returns the fact recorded for p when its metadata st is
// unchanged since.
func (r *run) cachedFact(p string, st fs.FileInfo) (kind byte, res scanResult, ok bool) {
	m, mok := hashcache.MetaOf(st)
	if !mok {
		return 0, res, false
	}
	b, ok := r.facts.Facts(p, m)
	if !ok {
		return 0, res, false
	}
	return decodeFact(b)
}

// putFact records a fact about p, read from the file whose metadata
// (before reading) was st.
func (r *run) putFact(p string, st fs.FileInfo, b []byte) {
	if m, ok := hashcache.MetaOf(st); ok && b != nil {
		r.facts.PutFacts(p, m, b)
	}
}
