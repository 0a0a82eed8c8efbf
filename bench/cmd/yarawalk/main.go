// Command yarawalk is a benchmark helper: it runs Vigil's one file walk with
// only the YARA matcher over a tree, with a given rule file (or Vigil's own
// rules), and prints the number of files read, bytes, matches and the time —
// the same job as `yara -r -N -p N RULES TREE`, for bench/yara.sh.
//
//	yarawalk [-rules FILE] [-workers N] TREE
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/vigil-ir/vigil/internal/files"
	"github.com/vigil-ir/vigil/internal/files/filestest"
	"github.com/vigil-ir/vigil/internal/files/yara"
	"github.com/vigil-ir/vigil/internal/target"
)

func main() {
	rules := flag.String("rules", "", "YARA rule file (default: Vigil's own rules)")
	workers := flag.Int("workers", 2, "walk workers")
	contentCap := flag.Int("content-cap", 8<<20, "content bytes matched per file (the walk's default: 8 MiB)")
	noPre := flag.Bool("no-prefilter", false, "hand every file to libyara (no prefilter)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: yarawalk [-rules FILE] [-workers N] TREE")
		os.Exit(2)
	}
	start := time.Now()
	var paths []string
	if *rules != "" {
		paths = []string{*rules}
	}
	r, bad, err := yara.Load(paths, *rules != "")
	if err != nil || len(bad) > 0 {
		fmt.Fprintln(os.Stderr, err, bad)
		os.Exit(2)
	}
	compiled := time.Since(start)
	if *noPre {
		r = r.WithoutPrefilter()
	}
	rep := &filestest.Reporter{}
	m := yara.NewMatcher(r, nil, 0)
	cov := files.Walk(context.Background(), target.NewUnchecked(flag.Arg(0), false), []files.Matcher{m}, rep,
		files.Options{Roots: []string{"/"}, Workers: *workers, ContentCap: int64(*contentCap)})
	fmt.Printf("files=%d content=%d bytes=%d yara=%d matches=%d compile=%s total=%s\n", cov.Seen, cov.Content, cov.Bytes, m.Scanned(), len(rep.Hits), compiled.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}
