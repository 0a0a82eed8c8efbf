package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/report"
)

// viewFlags are the display flags show, diff and findings share with scan.
type viewFlags struct {
	minSeverity    string
	showSuppressed bool
	failOn         string
}

func (v *viewFlags) register(cmd *cobra.Command, failOn string) {
	cmd.Flags().StringVar(&v.minSeverity, "min-severity", "info", "show only findings at or above this severity")
	cmd.Flags().BoolVar(&v.showSuppressed, "show-suppressed", false, "also show suppressed findings, marked")
	cmd.Flags().StringVar(&v.failOn, "fail-on", failOn, "exit 1 when a shown finding is at or above this severity (info..critical, none)")
}

// parse returns the view (suppressions still to load) and the --fail-on
// severity.
func (v *viewFlags) parse() (app.ViewOptions, model.Severity, error) {
	minSev, err := model.ParseSeverity(v.minSeverity)
	if err != nil {
		return app.ViewOptions{}, 0, &exitError{code: ExitError, err: fmt.Errorf("--min-severity: %w", err)}
	}
	failOn, err := model.ParseSeverity(v.failOn)
	if err != nil {
		return app.ViewOptions{}, 0, &exitError{code: ExitError, err: fmt.Errorf("--fail-on: %w", err)}
	}
	return app.ViewOptions{MinSeverity: minSev, ShowSuppressed: v.showSuppressed}, failOn, nil
}

func newShowCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var vf viewFlags
	var format, color string
	var verbose bool
	cmd := &cobra.Command{
		Use:   "show SCAN",
		Short: "Replay a saved scan (its number from 'vigil scans', its uid, or 'latest') in any output format",
		Long: `Replay a saved scan in any output format and language, as the scan would
print it today: current suppressions apply (--show-suppressed shows them).
Exit status follows --fail-on over what is shown, like 'vigil scan'.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			view, failOn, err := vf.parse()
			if err != nil {
				return err
			}
			cat, err := catalog.Load()
			if err != nil {
				return err
			}
			h, err := report.New(format, g.stdout, report.Options{Lang: g.Lang(), Catalog: cat, Verbose: verbose, Color: wantColor(color, g.stdout), Width: termWidth(g.stdout)})
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			st, err := sf.openReadOnly(ctx, g)
			if err != nil {
				return err
			}
			defer st.Close()
			if view.Suppressions, err = app.LoadSuppressions(ctx, st, app.CurrentActor(g.getenv), nil); err != nil {
				g.warnf("suppressions: %v", err)
			}
			sum, err := app.ShowScan(ctx, st, args[0], view, h)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			if code := app.ExitCode(sum, failOn); code != 0 {
				return &exitError{code: code}
			}
			return nil
		},
	}
	sf.register(cmd)
	vf.register(cmd, "high")
	cmd.Flags().StringVarP(&format, "format", "f", "table", "output format: table, json, jsonl")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "table: explain each finding (why, how to verify, what to do)")
	cmd.Flags().StringVar(&color, "color", "auto", "colour the table: auto, always, never")
	return cmd
}

// termWidth is the width in cells of the terminal w writes to, 0 when w is
// not a terminal (then tables print whole lines and never wrap).
func termWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !isTerminal(w) {
		return 0
	}
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil || ws.Col == 0 {
		return 80
	}
	return int(ws.Col)
}
