package logs

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/logs/authgen"
	"github.com/vigil-ir/vigil/internal/model"
)

// BenchmarkAuthLog parses a generated auth.log of a brute-forced server
// (authgen) from memory: the parse stage of `vigil logs`. bench/logs.sh
// measures the same on a 1M-line file against grep -c.
func BenchmarkAuthLog(b *testing.B) {
	var buf bytes.Buffer
	const lines = 100000
	if err := authgen.Write(&buf, authgen.Options{Lines: lines, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	text := buf.String()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		_, err := Read(nil, nil, Source{Name: "-", Format: FormatAuth}, Options{Stdin: strings.NewReader(text), Location: time.UTC}, func(ev *model.Event) error {
			n++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkAuthLogChunks is the parse of `vigil logs` (ReadBatches) on a
// generated auth.log file of 100k lines: cut into chunks parsed on every
// core. ns/op is wall time; CPU time is what bench/logs.sh measures.
func BenchmarkAuthLogChunks(b *testing.B) {
	const lines = 100000
	dir := b.TempDir()
	var buf bytes.Buffer
	if err := authgen.Write(&buf, authgen.Options{Lines: lines, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	tg := writeRootAt(b, dir, logFile{name: "auth.log", text: buf.String()})
	src := Source{Name: "/auth.log", Format: FormatAuth, Files: []File{{Path: "/auth.log", Size: int64(buf.Len())}}}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	free := make(chan []model.Event, 64)
	for b.Loop() {
		_, err := ReadBatches(tg, nil, src, Options{Location: time.UTC}, BatchOptions{Free: free}, func(evs []model.Event) error {
			select {
			case free <- evs:
			default:
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
