// Command logparse reads log files with the parsers of internal/logs and
// prints what it read and how fast, one JSON object per file: the parse
// stage of `vigil logs` alone (logs.ReadBatches: a large file cut into
// chunks parsed on every core), for bench/logs.sh.
//
//	go run ./bench/cmd/logparse -format auth FILE...
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vigil-ir/vigil/internal/logs"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

func main() {
	format := flag.String("format", logs.FormatAuth, "format of the files")
	workers := flag.Int("workers", 0, "parsing goroutines (0: one per core, as vigil logs)")
	flag.Parse()
	enc := json.NewEncoder(os.Stdout)
	for _, p := range flag.Args() {
		abs, err := filepath.Abs(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		st, err := os.Stat(abs)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		src := logs.Source{Name: abs, Format: *format, Files: []logs.File{{Path: abs, ModTime: st.ModTime(), Size: st.Size()}}}
		kinds := map[string]int{}
		start := time.Now()
		// As vigil logs reads: on every core (a large file in chunks).
		// Batches are handed back to be reused, as vigil logs does.
		free := make(chan []model.Event, 64)
		cov, err := logs.ReadBatches(target.Live(), target.Discard{}, src, logs.Options{}, logs.BatchOptions{Free: free, Workers: *workers}, func(evs []model.Event) error {
			for i := range evs {
				kinds[evs[i].Kind]++
			}
			select {
			case free <- evs:
			default:
			}
			return nil
		})
		sec := time.Since(start).Seconds()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return
		}
		enc.Encode(map[string]any{
			"file": p, "seconds": sec, "lines": cov.Lines, "parsed": cov.Parsed, "events": cov.Events,
			"lines_per_second": float64(cov.Lines) / sec, "mb_per_second": float64(st.Size()) / sec / 1e6, "kinds": kinds,
		})
	}
}
