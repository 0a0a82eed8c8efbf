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
