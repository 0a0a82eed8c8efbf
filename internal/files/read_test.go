package files

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/target"
)

// contentOnly wants content and no digest (as YARA and the heuristics do),
// and hits on "EVIL" in the content or the tail.
type contentOnly struct{}

func (contentOnly) Name() string       { return "content-only" }
func (contentOnly) Rules() []string    { return []string{"test.content"} }
func (contentOnly) Wants(m *Meta) Want { return Want{Content: m.Size > 0} }
func (contentOnly) Match(f *File, r Reporter) {
	if bytes.Contains(f.Content, []byte("EVIL")) || bytes.Contains(f.Tail, []byte("EVIL")) {
		r.Hit(Hit{Rule: "test.content", Text: "EVIL"})
	}
}

// TestDigestOnlyForHits: a walk of content matchers hashes a file only for
// the evidence of a hit — the whole file, beyond the content limit — and
// reads no more of a clean file than its content prefix and tail.
func TestDigestOnlyForHits(t *testing.T) {
	dir := t.TempDir()
	big := strings.Repeat("0123456789", 50000) // 500,000 bytes
	bad := big + "EVIL"
	write(t, dir+"/a/clean.bin", big)
	write(t, dir+"/a/bad.bin", bad)
	write(t, dir+"/a/small.txt", "EVIL small")
	c := &collect{}
	cov := Walk(context.Background(), target.NewUnchecked(dir, false), []Matcher{contentOnly{}}, c,
		Options{ContentCap: 1000, TailCap: 100, Workers: 2})
	got := map[string]string{}
	for _, h := range c.hits {
		got[h.Path] = h.SHA256
	}
	sum := func(s string) string { d := sha256.Sum256([]byte(s)); return hex.EncodeToString(d[:]) }
	if len(got) != 2 || got["/a/bad.bin"] != sum(bad) || got["/a/small.txt"] != sum("EVIL small") {
		t.Errorf("hits %+v", c.hits)
	}
	if cov.Hashed != 2 {
		t.Errorf("hashed %d files, want the 2 with hits", cov.Hashed)
	}
	// clean.bin: 1000 + 100 bytes; bad.bin: 1000 + 100, then the rest for
	// its digest; small.txt: 10 bytes.
	if want := int64(1100 + 1100 + len(bad) - 1000 + 10); cov.Bytes != want {
		t.Errorf("read %d bytes, want %d", cov.Bytes, want)
	}
}

// TestContentBufGrowth: a worker's content buffer is reused for smaller
// files and at least doubled for a larger one, so a walk meeting ever
// larger files allocates a few buffers, not one per new largest file.
func TestContentBufGrowth(t *testing.T) {
	r := newReader(Options{})
	allocs := 0
	last := -1
	for _, n := range []int64{10, 5000, 70 << 10, 100 << 10, 90 << 10, 129 << 10, 200 << 10, 3 << 20} {
		b := r.contentBuf(n)
		if int64(len(b)) != n {
			t.Fatalf("contentBuf(%d): %d bytes", n, len(b))
		}
		if c := cap(r.content); c != last {
			allocs++
			last = c
		}
	}
	if allocs > 5 {
		t.Errorf("%d buffers for 8 files growing to 3 MiB, want at most 5", allocs)
	}
	if c := cap(r.contentBuf(20 << 20)); c != 20<<20 {
		t.Errorf("a file beyond 16 MiB: cap %d, want exactly its size", c)
	}
}
