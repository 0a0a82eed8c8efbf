package files

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// digests wants every file's digest and nothing else: the hashing path of
// the walk alone (what hash IOC lists cost).
type digests struct{}

func (digests) Name() string                                { return "digests" }
func (digests) Rules() []string                             { return nil }
func (digests) Wants(*Meta) Want                            { return Want{Digest: true} }
func (digests) Match(f *File, r Reporter)                   {}
func (digests) GapMsg(model.GapKind, string, model.Message) {}
func (digests) Hit(Hit)                                     {}

// TestHashRate walks VIGIL_BENCH_TREE (a target root) hashing every file
// with VIGIL_BENCH_WORKERS workers (default 1) and prints what it read, for
// bench/files.sh, which compares it with sha256sum of the same files.
func TestHashRate(t *testing.T) {
	tree := os.Getenv("VIGIL_BENCH_TREE")
	if tree == "" {
		t.Skip("set VIGIL_BENCH_TREE to a directory to measure hashing")
	}
	workers, _ := strconv.Atoi(os.Getenv("VIGIL_BENCH_WORKERS"))
	cov := Walk(context.Background(), target.NewUnchecked(tree, false), []Matcher{digests{}}, digests{},
		Options{Workers: max(workers, 1), CrossFS: true})
	fmt.Printf("files %d bytes %d seconds %.3f\n", cov.Hashed, cov.Bytes, cov.Duration.Seconds())
}

// BenchmarkWalk is the walk with a content matcher over a small tree: the
// per-file cost of listing, opening, reading, hashing and matching.
func BenchmarkWalk(b *testing.B) {
	dir := b.TempDir()
	for i := 0; i < 200; i++ {
		p := dir + "/d" + strconv.Itoa(i%10) + "/f" + strconv.Itoa(i) + ".php"
		if err := os.MkdirAll(dir+"/d"+strconv.Itoa(i%10), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("<?php echo 'EVIL';\n"), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	tg := target.NewUnchecked(dir, false)
	for b.Loop() {
		Walk(context.Background(), tg, []Matcher{&marker{}}, &collect{}, Options{})
	}
}
