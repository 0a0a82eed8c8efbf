// Command authlog writes a realistic auth.log of N lines to stdout
// (internal/logs/authgen), for bench/logs.sh.
//
//	go run ./bench/cmd/authlog -lines 1000000 > auth.log
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/vigil-ir/vigil/internal/logs/authgen"
)

func main() {
	lines := flag.Int("lines", 1000000, "lines to write")
	seed := flag.Uint64("seed", 1, "seed (the same seed writes the same log)")
	flag.Parse()
	if err := authgen.Write(os.Stdout, authgen.Options{Lines: *lines, Seed: *seed}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
