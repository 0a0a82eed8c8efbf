package tools

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/hashcache"
	"github.com/vigil-ir/vigil/internal/model"
)

// factsScan runs the check with fact tables kept in mem and returns what
// it reported and which files it read.
func factsScan(t *testing.T, root string, mem *hashcache.Memory, at time.Time, full bool) (got []string, read []string) {
	t.Helper()
	d := New()
	d.readHook = func(p string) { read = append(read, p) }
	return enginetest.Summary(enginetest.RunFacts(t, d, root, mem, at, full)), read
}

// TestFactsRescan: a rescan of an unchanged root reports exactly what the
// first scan did without reading the programs again; a changed program is
// read again and judged on its new content; --full reads everything.
func TestFactsRescan(t *testing.T) {
	bins := map[string][]byte{
		"tmp/.x/frpc":                          frpELF,
		"dev/shm/sshd":                         chiselELF,
		"tmp/.k/kthreadd":                      curlELF,
		"var/tmp/.cache/xmrig":                 xmrigELF,
		"usr/local/bin/innocent":               elf("github.com/acme/innocent"),
		"home/ops/.local/share/.s/dbus-daemon": ncELF,
	}
	extra := "-- tmp/.x/frpc.ini --\n[common]\nserver_addr = 203.0.113.10\nserver_port = 7000\n" +
		"-- root/notes.txt --\nnothing to see\n"
	root := fixture(t, extra, bins)
	mem := &hashcache.Memory{}
	at := time.Now().Add(time.Hour)

	first, read1 := factsScan(t, root, mem, at, false)
	if len(first) == 0 || !slices.Contains(read1, "/usr/local/bin/innocent") {
		t.Fatalf("first scan: findings %v, read %v", first, read1)
	}
	second, read2 := factsScan(t, root, mem, at.Add(time.Minute), false)
	if !slices.Equal(first, second) {
		t.Errorf("rescan reports differently:\nfirst:  %s\nsecond: %s", strings.Join(first, "\n"), strings.Join(second, "\n"))
	}
	for _, p := range read2 {
		if p != "/tmp/.x/frpc.ini" { // a text file that gave a finding is read every scan
			t.Errorf("rescan of an unchanged root read %s again", p)
		}
	}

	// The innocent program becomes a miner (same path, new content).
	if err := os.WriteFile(filepath.Join(root, "usr/local/bin/innocent"), xmrigELF, 0o755); err != nil {
		t.Fatal(err)
	}
	third, read3 := factsScan(t, root, mem, at.Add(2*time.Minute), false)
	if !slices.Contains(read3, "/usr/local/bin/innocent") {
		t.Errorf("changed program not read again: %v", read3)
	}
	if !slices.ContainsFunc(third, func(s string) bool { return strings.HasPrefix(s, ruleMinerBinary+" /usr/local/bin/innocent") }) {
		t.Errorf("changed program not judged on its new content: %v", third)
	}
	_, read4 := factsScan(t, root, mem, at.Add(3*time.Minute), true)
	if len(read4) < len(read1) {
		t.Errorf("--full read %d files, the first scan %d", len(read4), len(read1))
	}
}

// TestFactsDecodeDamaged: a damaged or stale entry is never trusted.
func TestFactsDecodeDamaged(t *testing.T) {
	good := encodeELF(scanResult{sha256: strings.Repeat("ab", 32), size: 42, hits: []contentHit{{tool: catalog[0], marker: markerText(catalog[0].marks[0])}}})
	if k, res, ok := decodeFact(good); !ok || k != factELF || res.size != 42 || len(res.hits) != 1 || res.hits[0].tool.name != catalog[0].name {
		t.Fatalf("round trip: %v %+v %v", k, res, ok)
	}
	for i := range good {
		if _, _, ok := decodeFact(good[:i]); ok {
			t.Errorf("truncated to %d bytes: trusted", i)
		}
	}
	stale := slices.Clone(good)
	stale[0] ^= 1
	if _, _, ok := decodeFact(stale); ok {
		t.Error("an entry of another marker catalog was trusted")
	}
	if _, _, ok := decodeFact(append(slices.Clone(good), 0)); ok {
		t.Error("trailing bytes trusted")
	}
	if k, _, ok := decodeFact(quietFact()); !ok || k != factQuiet {
		t.Error("quiet fact does not round-trip")
	}
}

func FuzzDecodeFact(f *testing.F) {
	f.Add(encodeELF(scanResult{sha256: strings.Repeat("cd", 32), size: 7}))
	f.Add(quietFact())
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _, _ = decodeFact(b)
	})
}

// TestPaddedToolConfig: a tool's configuration padded past the text limit
// (frp parses it all the same) is still read, and other large text files
// are not.
func TestPaddedToolConfig(t *testing.T) {
	pad := strings.Repeat("\n", 2<<20)
	extra := "-- tmp/.x/frpc.ini --\n" + pad + "[common]\nserver_addr = 203.0.113.10\nserver_port = 7000\n" +
		"-- tmp/.x/notes.txt --\n" + pad + "server_addr = 203.0.113.11\nserver_port = 7000\n"
	r := enginetest.Run(t, New(), fixture(t, extra, nil), false)
	enginetest.Expect(t, r.Findings, []enginetest.Want{{Rule: ruleTunnelConfig, Subject: "203.0.113.10:7000", Severity: model.Critical}})
	for _, f := range r.Findings {
		if strings.Contains(f.Subject, "203.0.113.11") {
			t.Errorf("a large text file not named as a tool's configuration was read: %s", f.Subject)
		}
	}
}
