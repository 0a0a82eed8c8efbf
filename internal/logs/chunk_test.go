package logs

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/logs/authgen"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// genAuth is an authgen log of n lines from start.
func genAuth(t *testing.T, n int, seed uint64, start time.Time) string {
	t.Helper()
	var b bytes.Buffer
	if err := authgen.Write(&b, authgen.Options{Lines: n, Seed: seed, Start: start}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// readBatches reads src with ReadBatches on workers goroutines.
func readBatches(t *testing.T, tg *target.Target, src Source, opts Options, workers int) ([]model.Event, Coverage, *target.GapLog) {
	t.Helper()
	var gaps target.GapLog
	var evs []model.Event
	cov, err := ReadBatches(tg, &gaps, src, opts, BatchOptions{Workers: workers, Size: 7}, func(b []model.Event) error {
		evs = append(evs, b...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return evs, cov, &gaps
}

// withChunkSize sets chunkSize for one test.
func withChunkSize(t *testing.T, n int64) {
	old := chunkSize
	chunkSize = n
	t.Cleanup(func() { chunkSize = old })
}

// TestReadBatchesSameAsRead: cut into chunks of many sizes (so that chunk
// borders fall on every kind of line, the New Year's among them) and
// parsed on several goroutines, a rotated auth.log series gives exactly
// the events (times, line numbers, raw lines), coverage and gaps of the
// sequential read.
func TestReadBatchesSameAsRead(t *testing.T) {
	utc8 := time.FixedZone("UTC+8", 8*3600)
	// The live file crosses a New Year, with odd lines among the generated
	// ones: CRLF, invalid UTF-8, unparsed, empty, long (clipped by MaxLine).
	live := genAuth(t, 600, 3, time.Date(2025, 12, 31, 23, 58, 0, 0, utc8))
	ls := strings.SplitAfter(live, "\n")
	ls[10] = strings.TrimSuffix(ls[10], "\n") + "\r\n"
	ls[20] = "not a syslog line\n"
	ls[30] = "\n"
	ls[40] = ls[40][:len(ls[40])-1] + "\xff\xfe invalid\n"
	ls[50] = ls[50][:16] + "web1 sshd[1]: " + strings.Repeat("x", 5000) + "\n"
	live = strings.Join(ls, "")
	older := genAuth(t, 400, 4, time.Date(2025, 12, 30, 8, 0, 0, 0, utc8))
	oldest := genAuth(t, 300, 5, time.Date(2025, 12, 29, 8, 0, 0, 0, utc8))
	cut := genAuth(t, 300, 6, time.Date(2025, 12, 28, 8, 0, 0, 0, utc8))
	cut = cut[:len(cut)-20] // a rotated file cut inside its last line
	mt := func(d int) time.Time { return time.Date(2025, 12, d, 23, 59, 0, 0, utc8) }
	tg := writeRoot(t,
		logFile{name: "var/log/auth.log", text: live, mtime: time.Date(2026, 1, 1, 12, 0, 0, 0, utc8)},
		logFile{name: "var/log/auth.log.1", text: older, mtime: mt(30)},
		logFile{name: "var/log/auth.log.2.gz", text: oldest, gzip: true, mtime: mt(29)},
		logFile{name: "var/log/auth.log.3", text: cut, mtime: mt(28)},
	)
	src, ok := Rotated(tg, "/var/log/auth.log", FormatAuth)
	if !ok || len(src.Files) != 4 {
		t.Fatalf("series: %+v", src)
	}
	opts := Options{Location: utc8, MaxLine: 300}
	want, wantCov, wantGaps := readAll(t, tg, src, opts)
	if wantCov.Clipped == 0 || wantCov.Invalid == 0 || wantCov.Unparsed == 0 || len(wantCov.Cut) == 0 {
		t.Fatalf("the odd lines are not in the log: %+v", wantCov)
	}
	years := map[int]bool{}
	for _, e := range want {
		years[e.Time.In(utc8).Year()] = true
	}
	if !years[2025] || !years[2026] {
		t.Fatalf("the log does not cross a New Year: %v", years)
	}
	for _, size := range []int64{40, 97, 256, 1000, 4093, 20000} {
		for _, workers := range []int{2, 3} {
			t.Run(fmt.Sprintf("chunk%d/workers%d", size, workers), func(t *testing.T) {
				withChunkSize(t, size)
				got, cov, gaps := readBatches(t, tg, src, opts, workers)
				if len(got) != len(want) {
					t.Fatalf("%d events, want %d", len(got), len(want))
				}
				for i := range want {
					if !reflect.DeepEqual(got[i], want[i]) {
						t.Fatalf("event %d:\n got %+v\nwant %+v", i, got[i], want[i])
					}
				}
				if !reflect.DeepEqual(cov, wantCov) {
					t.Errorf("coverage:\n got %+v\nwant %+v", cov, wantCov)
				}
				if !reflect.DeepEqual(gaps, wantGaps) {
					t.Errorf("gaps:\n got %+v\nwant %+v", gaps, wantGaps)
				}
			})
		}
	}
}

// TestChunksOf: a large plain file is cut at line starts, the chunks
// cover it without overlap, each knows the year and month at its start;
// a gzip file and a small file are not cut.
func TestChunksOf(t *testing.T) {
	withChunkSize(t, 500)
	text := genAuth(t, 200, 7, time.Date(2025, 12, 31, 23, 59, 0, 0, time.UTC))
	tg := writeRoot(t,
		logFile{name: "var/log/auth.log", text: text, mtime: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)},
		logFile{name: "var/log/auth.log.1.gz", text: text, gzip: true, mtime: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)},
		logFile{name: "var/log/small.log", text: "Dec 31 23:59:59 h sshd[1]: x\n"},
	)
	src, _ := Rotated(tg, "/var/log/auth.log", FormatAuth)
	r, files, err := newReader(tg, nil, src, Options{Location: time.UTC}, nil)
	if err != nil {
		t.Fatal(err)
	}
	last := len(files) - 1
	if cs := r.chunksOf(files[0], r.plan[0]); cs != nil {
		t.Errorf("gzip file cut: %d chunks", len(cs))
	}
	if cs := r.chunksOf(File{Path: "/var/log/small.log"}, yearPlan{2025, 2025}); cs != nil {
		t.Errorf("small file cut: %d chunks", len(cs))
	}
	plan := r.plan[last]
	if plan.start != 2025 || plan.end != 2026 {
		t.Fatalf("plan %+v", plan)
	}
	cs := r.chunksOf(files[last], plan)
	if len(cs) < 4 {
		t.Fatalf("%d chunks", len(cs))
	}
	var off int64
	newYear := false
	for i, c := range cs {
		if c.off != off || c.end <= c.off {
			t.Fatalf("chunk %d: [%d,%d) after %d", i, c.off, c.end, off)
		}
		if c.off > 0 && text[c.off-1] != '\n' {
			t.Errorf("chunk %d starts inside a line", i)
		}
		// The state at the chunk's start is the month of the line before.
		prev, _ := tailStamp([]byte(text[:c.off]))
		if i > 0 && c.years.lastMonth != prev.month {
			t.Errorf("chunk %d: last month %d, want %d", i, c.years.lastMonth, prev.month)
		}
		newYear = strings.Contains(text[:c.off], "\nJan ")
		if newYear && c.years.year != 2026 || !newYear && c.years.year != 2025 {
			t.Errorf("chunk %d: year %d (New Year passed: %v)", i, c.years.year, newYear)
		}
		off = c.end
	}
	if off != int64(len(text)) {
		t.Errorf("chunks end at %d of %d", off, len(text))
	}
	if !newYear {
		t.Error("no chunk after the New Year")
	}
}

// TestReadBatchesStops: the handler's error stops the read (every worker
// ends) and is returned.
func TestReadBatchesStops(t *testing.T) {
	withChunkSize(t, 300)
	tg := writeRoot(t, logFile{name: "var/log/auth.log", text: genAuth(t, 500, 8, time.Time{})})
	src, _ := Rotated(tg, "/var/log/auth.log", FormatAuth)
	stop := fmt.Errorf("enough")
	n := 0
	_, err := ReadBatches(tg, nil, src, Options{}, BatchOptions{Workers: 2, Size: 10}, func(b []model.Event) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if err != stop || n != 3 {
		t.Fatalf("err %v after %d batches", err, n)
	}
}
