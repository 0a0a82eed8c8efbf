package logs

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/testutil"
)

// The fixtures were written by Debian 12's systemd-journald (252) run in a
// private mount namespace (volatile storage, no compression; compact and
// regular layouts), fed by logger --journald and systemd-cat.
func journalFixture(t testing.TB, name string) []byte {
	t.Helper()
	f, err := os.Open("testdata/journal/" + name + ".journal.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const journalPath = "var/log/journal/3d1219c7c4c5404aaa1f6d2a48adfda4/system.journal"

func TestJournalGolden(t *testing.T) {
	for _, name := range []string{"compact", "regular"} {
		t.Run(name, func(t *testing.T) {
			tg := writeRoot(t, logFile{name: journalPath, text: string(journalFixture(t, name))})
			srcs := Discover(tg)
			if len(srcs) != 1 || srcs[0].Format != FormatJournal {
				t.Fatalf("sources %+v", srcs)
			}
			evs, cov, gaps := readAll(t, tg, srcs[0], Options{})
			if len(gaps.Gaps) != 0 || cov.Skipped != 0 {
				t.Errorf("gaps %v, coverage %+v", gaps.Gaps, cov)
			}
			kinds := map[string]int{}
			for _, ev := range evs {
				kinds[ev.Kind]++
			}
			if kinds["ssh.auth.failed"] != 3 || kinds["ssh.login"] != 1 || kinds["sudo.command"] != 1 {
				t.Errorf("kinds %v", kinds)
			}
			cov.Name = ""
			testutil.Golden(t, "testdata/journal/"+name+".golden", goldenEventsRaw(t, evs, cov))
		})
	}
}

// TestJournalCorrupt damages an entry in the middle of the file and cuts
// the file short: the damaged entry is skipped and counted, the entries
// after it are read.
func TestJournalCorrupt(t *testing.T) {
	for _, name := range []string{"compact", "regular"} {
		b := journalFixture(t, name)
		// The third "Failed password" entry: find its MESSAGE data object
		// and the entry objects; damage the header of the entry object
		// before the last sshd one.
		entries := entryOffsets(b)
		if len(entries) < 6 {
			t.Fatalf("%s: %d entries", name, len(entries))
		}
		bad := append([]byte(nil), b...)
		copy(bad[entries[3]:], bytes.Repeat([]byte{0xff}, 24)) // the 2nd failed password (after 2 journald lines + 1)
		tg := writeRoot(t, logFile{name: journalPath, text: string(bad)})
		evs, cov, gaps := readAll(t, tg, Discover(tg)[0], Options{})
		n := 0
		for _, ev := range evs {
			if ev.Kind == "ssh.auth.failed" {
				n++
			}
		}
		if n != 2 || cov.Skipped == 0 || len(gaps.Gaps) != 1 || !strings.Contains(gaps.Gaps[0].Reason, "journal-corrupt") {
			t.Errorf("%s: %d failures, coverage %+v, gaps %v", name, n, cov, gaps.Gaps)
		}
		var last string
		for _, ev := range evs {
			last = ev.Program
		}
		if last != "demo" && last != "systemd-journald" {
			t.Errorf("%s: the entries after the damage were not read (last %q)", name, last)
		}
		// Cut short: what is there is read, nothing panics.
		tg = writeRoot(t, logFile{name: journalPath, text: string(b[:entries[4]+30])})
		evs, _, _ = readAll(t, tg, Discover(tg)[0], Options{})
		if len(evs) < 3 {
			t.Errorf("%s truncated: %d events", name, len(evs))
		}
	}
}

// entryOffsets lists the offsets of the entry objects of a journal.
func entryOffsets(b []byte) []int {
	start := int(binary.LittleEndian.Uint64(b[88:96]))
	end := start + int(binary.LittleEndian.Uint64(b[96:104]))
	var out []int
	for off := start; off+16 <= end && off+16 <= len(b); {
		size := int(binary.LittleEndian.Uint64(b[off+8 : off+16]))
		if size < 16 {
			break
		}
		if b[off] == objEntry {
			out = append(out, off)
		}
		off += (size + 7) &^ 7
	}
	return out
}

func FuzzJournal(f *testing.F) {
	b := journalFixture(f, "compact")
	f.Add(b[:40000], int64(0), byte(0))
	f.Add(b[:40000], int64(9000), byte(0xff))
	f.Fuzz(func(t *testing.T, data []byte, at int64, v byte) {
		if len(data) > 0 && at >= 0 {
			data = append([]byte(nil), data...)
			data[at%int64(len(data))] = v
		}
		dir := t.TempDir()
		tg := writeRootAt(t, dir, logFile{name: journalPath, text: string(data)})
		src := Source{Name: "/" + journalPath, Format: FormatJournal, Files: []File{{Path: "/" + journalPath}}}
		evs, cov, _ := readAll(t, tg, src, Options{})
		if int64(len(evs)) != cov.Events {
			t.Fatalf("%d events, coverage %+v", len(evs), cov)
		}
	})
}

// TestJournalDamagedHeader: a header whose header size (the arena's
// start) or arena size is absurd — beyond the file, or so large it reads
// as negative — is walked from the end of the header's fixed part, and
// the read ends (it looped forever from a negative start: found by
// FuzzJournal). The entries are still read.
func TestJournalDamagedHeader(t *testing.T) {
	b := journalFixture(t, "compact")
	for _, tc := range []struct {
		name string
		at   int
		v    uint64
	}{
		{"negative header size", 88, 0xf800000000000000},
		{"header size beyond the file", 88, 1 << 40},
		{"negative arena size", 96, 0xf800000000000000},
		{"arena beyond the file", 96, 1 << 40},
	} {
		bad := append([]byte(nil), b...)
		binary.LittleEndian.PutUint64(bad[tc.at:], tc.v)
		tg := writeRoot(t, logFile{name: journalPath, text: string(bad)})
		// A read that does not end fails the package at go test's timeout.
		if evs, _, _ := readAll(t, tg, Discover(tg)[0], Options{}); len(evs) == 0 {
			t.Errorf("%s: no entry read", tc.name)
		}
	}
}
