package store

import (
	"context"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/store/storetest"
)

// BenchmarkSave10000 saves a scan of 10,000 findings (one transaction).
// Goal: well under a second (bench/store.sh, docs/benchmarks.md).
func BenchmarkSave10000(b *testing.B) {
	s, _ := openTemp(b)
	ctx := context.Background()
	r := storetest.Result(t0, storetest.Many(10000, ""), "check")
	i := 0
	for b.Loop() {
		r.Meta.Started = t0.Add(time.Duration(i) * time.Hour)
		i++
		if _, err := s.SaveScan(ctx, r, SaveOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad10000 loads a saved scan of 10,000 findings for replay.
func BenchmarkLoad10000(b *testing.B) {
	s, _ := openTemp(b)
	ctx := context.Background()
	info := save(b, s, storetest.Result(t0, storetest.Many(10000, ""), "check"), false)
	for b.Loop() {
		if _, err := s.Result(ctx, info.ID); err != nil {
			b.Fatal(err)
		}
	}
}
