package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
)

func newImageCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var md5 bool
	var progress string
	cmd := &cobra.Command{
		Use:   "image SOURCE OUT",
		Short: "Copy a block device or file like dd conv=noerror,sync, with streaming SHA-256 and a record of unreadable sectors",
		Long: `Copy a disk, partition or file to OUT (a new file, or - for stdout) block by
block. A block that cannot be read is retried sector by sector; each
unreadable sector is written as zeros, so offsets match the source, and is
listed in the record written beside the image (OUT.vigil-image.json: source,
size, SHA-256, MD5 with --md5, unreadable sectors, who and when). The digests
are computed while copying.

OUT must not be the source, nor lie on a filesystem of the source device
(its partitions, or a device-mapper or md device built on it); an existing
OUT is never overwritten; free space is checked first.

Exit status: 0 when every sector was read, 1 when some were unreadable (the
image is complete, with zeros there), 2 on failure.`,
		Example: `  # a whole disk, to external media
  vigil image /dev/sdb /media/ir/web1-sdb.img --md5`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			show, err := wantProgress(progress, g.stderr)
			if err != nil {
				return errExit(err)
			}
			o := app.ImageOptions{Source: args[0], Output: args[1], Stdout: g.stdout, MD5: md5, Command: os.Args, Getenv: g.getenv,
				Store: app.StorePath(sf.path, g.getenv)}
			start := time.Now()
			var last time.Time
			if show {
				o.Progress = func(done, total int64, bad int) {
					if now := time.Now(); now.Sub(last) >= 500*time.Millisecond || done == total {
						last = now
						rate := float64(done) / (1 << 20) / max(now.Sub(start).Seconds(), 0.001)
						fmt.Fprintf(g.stderr, "\r%s", g.t("image.progress", done>>20, total>>20, done*100/max(total, 1), int64(rate), bad))
					}
				}
			}
			rec, err := app.Image(cmd.Context(), o)
			if show {
				fmt.Fprintln(g.stderr)
			}
			if err != nil {
				return errExit(err)
			}
			r := rec.Result
			g.notef("%s", g.t("image.done", rec.Source, rec.Output, r.Bytes))
			g.notef("%s", g.t("evidence.verify.sha256", r.SHA256))
			if r.MD5 != "" {
				g.notef("MD5: %s", r.MD5)
			}
			if rec.Case != "" {
				g.notef("%s", g.t("evidence.cli.case", rec.Case))
			}
			if rec.Output != "-" {
				g.notef("%s", g.t("image.record", rec.Output+app.RecordSuffix))
			}
			if r.BadSectors > 0 {
				g.warnf("%s", g.t("image.bad", r.BadSectors, r.SectorSize, len(r.Bad)))
				return &exitError{code: ExitFindings}
			}
			return nil
		},
	}
	sf.register(cmd)
	cmd.Flags().BoolVar(&md5, "md5", false, "also compute MD5 (for tools that want it)")
	cmd.Flags().StringVar(&progress, "progress", "auto", "show progress on stderr: auto (when stderr is a terminal), always, never")
	return cmd
}
