package yara

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/vigil-ir/vigil/internal/files"
	"github.com/vigil-ir/vigil/internal/files/filestest"
	"github.com/vigil-ir/vigil/internal/target"
)

// sizeRules test what libyara sees of a file larger than the content
// limit: its real size, and the tail with the file's offsets.
const sizeRules = `
rule Big_File { condition: filesize > 20MB }
rule Small_File { condition: filesize < 10MB }
rule Tail_Marker { strings: $m = "vigil-tail-marker-51c2" condition: $m and @m[1] > 29MB }
rule Head_And_Tail { strings: $h = "vigil-head-marker-0a9e" $m = "vigil-tail-marker-51c2" condition: $h at 16 and $m }
`

// TestFilesizeOfHugeFiles: a sparse 30 MiB file, read as its first 8 MiB
// and last MiB, is 30 MiB for `filesize`, its tail is matched at its real
// offset, and head and tail are one scan (one rule may need both); a small
// file's size is its own.
func TestFilesizeOfHugeFiles(t *testing.T) {
	root := t.TempDir()
	p := filepath.Join(root, "srv", "big.img")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	const size = 30 << 20
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("vigil-head-marker-0a9e"), 16); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("vigil-tail-marker-51c2"), size-4096); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	filestest.Put(t, root, "srv/small.txt", []byte("vigil-tail-marker-51c2"))

	r, bad, err := Load([]string{writeRules(t, map[string]string{"size.yar": sizeRules})}, true)
	if err != nil || len(bad) > 0 {
		t.Fatal(err, bad)
	}
	rep := &filestest.Reporter{}
	files.Walk(context.Background(), target.NewUnchecked(root, false), []files.Matcher{NewMatcher(r, nil, 0)}, rep, files.Options{Roots: []string{"/"}})
	got := map[string][]string{}
	for _, h := range rep.Hits {
		got[h.Path] = append(got[h.Path], h.Extra["yara_rule"])
		if h.Extra["yara_rule"] == "Tail_Marker" && h.Offset != size-4096 {
			t.Errorf("tail marker at offset %d, want %d", h.Offset, size-4096)
		}
	}
	for p := range got {
		slices.Sort(got[p])
	}
	want := map[string][]string{
		"/srv/big.img":   {"Big_File", "Head_And_Tail", "Tail_Marker"},
		"/srv/small.txt": {"Small_File"},
	}
	for p, w := range want {
		if !slices.Equal(got[p], w) {
			t.Errorf("%s: rules %v, want %v", p, got[p], w)
		}
	}
}
