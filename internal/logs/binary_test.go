package logs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/logs/utmptest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
)

type utrec = utmptest.Rec

func at(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }

func encodeUtmp(recs ...utrec) []byte { return utmptest.Encode(recs...) }

var (
	wtmpRecs = []utrec{
		utmptest.R(UtBootTime, 0, "~", "reboot", "6.1.0-27-amd64", at("2026-11-01T08:00:00Z")),
		utmptest.R(UtRunLevel, 53, "~", "runlevel", "6.1.0-27-amd64", at("2026-11-01T08:00:05Z")),
		utmptest.R(UtUserProcess, 18811, "pts/0", "ops", "198.51.100.23", at("2026-11-24T09:12:44Z")),
		{Type: -1}, // a wiped slot
		utmptest.R(UtDeadProcess, 18811, "pts/0", "", "", at("2026-11-24T09:30:00Z")),
		utmptest.R(UtRunLevel, 0, "~", "shutdown", "6.1.0-27-amd64", at("2026-11-25T00:00:00Z")),
		utmptest.R(42, 1, "tty\x01", "x", "", at("2026-11-25T00:00:01Z")),
	}
	btmpRecs = []utrec{
		utmptest.R(UtLoginProcess, 99, "ssh:notty", "admin", "203.0.113.9", at("2026-11-24T00:59:00Z")),
	}
)

func TestUtmpFamilyGolden(t *testing.T) {
	tg := writeRoot(t,
		logFile{name: "var/log/wtmp", text: string(encodeUtmp(wtmpRecs...)) + "short"},
		logFile{name: "var/log/wtmp.1", text: string(encodeUtmp(wtmpRecs[0]))},
		logFile{name: "var/log/btmp.1.gz", text: string(encodeUtmp(btmpRecs...)), gzip: true},
		logFile{name: "var/log/btmp", text: ""},
		logFile{name: "var/log/lastlog", text: string(utmptest.Lastlog(map[uint32]utrec{1000: {Line: "pts/0", Host: "198.51.100.23", At: at("2026-11-24T09:12:44Z")}}))},
		logFile{name: "etc/passwd", text: "root:x:0:0::/root:/bin/bash\nops:x:1000:1000::/home/ops:/bin/bash\n"},
	)
	var b []byte
	var gaps []model.Gap
	for _, src := range Discover(tg) {
		evs, cov, g := readAll(t, tg, src, Options{})
		b = append(b, goldenEventsRaw(t, evs, cov)...)
		gaps = append(gaps, g.Gaps...)
	}
	testutil.Golden(t, "testdata/binary.golden", b)
	if len(gaps) != 1 || !strings.Contains(gaps[0].Reason, "logparse.gap.utmp-tail") {
		t.Errorf("gaps %v", gaps)
	}
}

// goldenEventsRaw is goldenEvents keeping Raw (binary records have no
// fixture text to read it in).
func goldenEventsRaw(t *testing.T, evs []model.Event, cov Coverage) []byte {
	t.Helper()
	raw := make([]string, len(evs))
	for i := range evs {
		raw[i] = evs[i].Raw
	}
	cov.Name = ""
	out := goldenEvents(t, evs, cov)
	return append([]byte(strings.Join(raw, "\n")+"\n"), out...)
}

func FuzzUtmp(f *testing.F) {
	f.Add(encodeUtmp(wtmpRecs...))
	f.Add([]byte("short"))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "var/log"), 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "var/log/wtmp"), b, 0o644)
		src := Source{Name: "/var/log/wtmp", Format: FormatWtmp, Files: []File{{Path: "/var/log/wtmp"}}}
		_, cov, _ := readAll(t, target.NewUnchecked(dir, false), src, Options{})
		if cov.Lines != int64(len(b)/RecordSize) {
			t.Fatalf("%d records of %d bytes", cov.Lines, len(b))
		}
	})
}
