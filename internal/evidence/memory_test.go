package evidence

import (
	"archive/tar"
	"bytes"
	"crypto/ed25519"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
)

var memoryMarker = []byte("vigil-memory-marker-7f3a9c")

// The test's own memory, dumped: the readable regions are entries with
// their digests (the marker is in one), the archive verifies, regions over
// the limit are listed, and the acquisition-tool line is there.
func TestCollectProcessMemory(t *testing.T) {
	marker := bytes.Clone(memoryMarker) // a copy on the heap too
	var buf bytes.Buffer
	res := collectTo(t, "/", ProfileTriage, false, &buf, func(o *Options) {
		o.Target = target.Live()
		o.Profile.Places = nil // the memory only
		o.MemoryPIDs, o.MemoryLimit = []int{os.Getpid()}, 64<<20
	})
	var regions int
	for _, it := range res.Manifest.Items {
		if it.Kind == KindMemory {
			regions++
		}
	}
	if regions == 0 {
		t.Fatalf("no memory region copied; memory notes: %+v", res.Manifest.Memory)
	}
	ids := map[string]bool{}
	for _, n := range res.Manifest.Memory {
		ids[n.Reason.ID] = true
	}
	if !ids["evidence.memory.process"] || !(ids["evidence.memory.no-tool"] || ids["evidence.memory.avml"] || ids["evidence.memory.lime"]) {
		t.Errorf("memory notes: %+v", res.Manifest.Memory)
	}
	rep, err := Verify(bytes.NewReader(buf.Bytes()), testKey.Public().(ed25519.PublicKey))
	if err != nil || !rep.OK {
		t.Fatalf("the archive with memory does not verify: %v %+v", err, rep)
	}
	zr, _ := zstd.NewReader(bytes.NewReader(buf.Bytes()))
	defer zr.Close()
	tr := tar.NewReader(zr)
	found := false
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		if strings.HasPrefix(h.Name, "memory/") && !strings.HasSuffix(h.Name, "/maps") {
			b, _ := io.ReadAll(tr)
			found = found || bytes.Contains(b, marker)
		}
	}
	if !found {
		t.Error("the marker in the process's memory is in no dumped region")
	}
}

func TestMemoryOfflineRoot(t *testing.T) {
	var notes []Skipped
	tg, err := target.OpenRoot(testutil.RootFromTxtar(t, "testdata/root.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	tasks, n := planMemory(tg, []int{1}, 0, 0, &notes)
	if len(tasks) != 0 || n != 0 || len(notes) != 1 || notes[0].Reason.ID != "evidence.memory.offline" {
		t.Errorf("offline: %v %d %+v", tasks, n, notes)
	}
	if a := acquisitionTools(tg); len(a) != 1 || a[0].Reason.ID != "evidence.memory.offline" {
		t.Errorf("acquisition on an offline root: %+v", a)
	}
}

func TestParseMaps(t *testing.T) {
	maps := "55d0c0a00000-55d0c0a21000 r--p 00000000 08:01 1234   /usr/bin/sleep with space\n" +
		"7ffd1e5f0000-7ffd1e611000 rw-p 00000000 00:00 0                          [stack]\n" +
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n" +
		"garbage\n7000-6000 r--p 0 0 0\n"
	rs := parseMaps([]byte(maps))
	if len(rs) != 3 || rs[0].path != "/usr/bin/sleep with space" || rs[1].path != "[stack]" || rs[1].end-rs[1].start != 0x21000 {
		t.Errorf("parseMaps: %+v", rs)
	}
}

func FuzzParseMaps(f *testing.F) {
	f.Add([]byte("55d0c0a00000-55d0c0a21000 r--p 00000000 08:01 1234 /usr/bin/sleep\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, r := range parseMaps(b) {
			if r.end <= r.start || len(r.perms) < 4 {
				t.Fatalf("bad region %+v", r)
			}
		}
	})
}
