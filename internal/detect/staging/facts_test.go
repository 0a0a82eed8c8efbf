package staging

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/hashcache"
)

// TestFactsRescan: an unchanged root's rescan reports exactly what the
// first scan did without reading a file again; a changed file is read
// again and judged on its new content; --full reads everything.
func TestFactsRescan(t *testing.T) {
	dir := fires(t)
	mem := &hashcache.Memory{}
	at := time.Now().Add(time.Hour)
	scan := func(at time.Time, full bool) (got, read []string) {
		d := New()
		d.readHook = func(p string) { read = append(read, p) }
		return enginetest.Summary(enginetest.RunFacts(t, d, dir, mem, at, full)), read
	}
	first, read1 := scan(at, false)
	if len(first) == 0 || len(read1) == 0 {
		t.Fatalf("first scan: findings %v, read %v", first, read1)
	}
	second, read2 := scan(at.Add(time.Minute), false)
	if !slices.Equal(first, second) {
		t.Errorf("rescan reports differently:\nfirst:  %s\nsecond: %s", strings.Join(first, "\n"), strings.Join(second, "\n"))
	}
	if len(read2) != 0 {
		t.Errorf("rescan of an unchanged root read %v again", read2)
	}

	// A quiet text file in /tmp becomes a copy of the shadow file.
	p := filepath.Join(dir, "tmp", "later.txt")
	if err := os.WriteFile(p, []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	scan(at.Add(2*time.Minute), false)
	shadow := "root:$6$abcdefgh$" + strings.Repeat("x", 86) + ":19000:0:99999:7:::\n" +
		"ops:$6$ijklmnop$" + strings.Repeat("y", 86) + ":19000:0:99999:7:::\n"
	if err := os.WriteFile(p, []byte(shadow), 0o644); err != nil {
		t.Fatal(err)
	}
	third, read3 := scan(at.Add(3*time.Minute), false)
	if !slices.Contains(read3, "/tmp/later.txt") {
		t.Errorf("changed file not read again: %v", read3)
	}
	if !slices.ContainsFunc(third, func(s string) bool { return strings.HasPrefix(s, ruleCredCopy+" /tmp/later.txt") }) {
		t.Errorf("changed file not judged on its new content: %v", third)
	}
	_, read4 := scan(at.Add(4*time.Minute), true)
	if len(read4) < len(read1) {
		t.Errorf("--full read %d files, the first scan %d", len(read4), len(read1))
	}
}

// TestFactsDecodeDamaged: a damaged entry is never trusted.
func TestFactsDecodeDamaged(t *testing.T) {
	ff := &fileFacts{kind: indCompiled, credRead: true, format: FormatShadow, count: 3,
		sums: map[string][]byte{"md5": make([]byte, 16), "sha256": make([]byte, 32)}}
	good := ff.encode()
	got, ok := decodeFacts(good)
	if !ok || got.kind != ff.kind || !got.credRead || got.format != ff.format || got.count != 3 || len(got.sums) != 2 {
		t.Fatalf("round trip: %+v %v", got, ok)
	}
	for i := range len(good) - 1 {
		if g, ok := decodeFacts(good[:i]); ok && len(g.sums) == 2 {
			t.Errorf("truncated to %d bytes: trusted whole", i)
		}
	}
	if _, ok := decodeFacts(append([]byte{99}, good[1:]...)); ok {
		t.Error("another encoding version trusted")
	}
}

func FuzzDecodeFacts(f *testing.F) {
	f.Add((&fileFacts{kind: indScript, sums: map[string][]byte{"md5": make([]byte, 16)}}).encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		if ff, ok := decodeFacts(b); ok {
			if _, ok2 := decodeFacts(ff.encode()); !ok2 {
				t.Fatal("re-encoded facts do not decode")
			}
		}
	})
}
