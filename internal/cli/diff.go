package cli

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/diff"
)

func newDiffCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var vf viewFlags
	var format string
	var force bool
	cmd := &cobra.Command{
		Use:   "diff [OLD NEW]",
		Short: "Compare two saved scans: new, gone and changed findings (default: the last two scans of a target)",
		Long: `Compare two saved scans of the same target by fingerprint: what is new, what
is gone, what changed severity, and what could not be re-checked (its check
did not complete in the newer scan, so its absence proves nothing).

  vigil diff             the newest scan against the previous scan of its target
  vigil diff 12          scan 12 against the previous scan of its target
  vigil diff 9 12        scan 9 against scan 12

Scans of different targets (two roots, even of the same machine, or the
live host and an image of it) are refused unless --force: the header names
both scans (number, time, live host or root path).

Exit status: 1 when a new or changed finding is at or above --fail-on.`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if format != "table" && format != "json" {
				return &exitError{code: ExitError, err: errors.New(g.t("cli.err.format", format, "table, json"))}
			}
			view, failOn, err := vf.parse()
			if err != nil {
				return err
			}
			cat, err := catalog.Load()
			if err != nil {
				return err
			}
			st, err := sf.openReadOnly(ctx, g)
			if err != nil {
				return err
			}
			defer st.Close()
			if view.Suppressions, err = app.LoadSuppressions(ctx, st, app.CurrentActor(g.getenv), nil); err != nil {
				g.warnf("suppressions: %v", err)
			}
			rep, err := app.DiffScans(ctx, st, args, view, force)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			if rep.Old.Meta.Target.Key() != rep.New.Meta.Target.Key() {
				g.warnf("scans %d and %d are of different machines (%s, %s): fingerprints include the machine, so every finding differs",
					rep.Old.ID, rep.New.ID, rep.Old.Meta.Target.Key(), rep.New.Meta.Target.Key())
			}
			opt := diff.Options{Lang: g.Lang(), Catalog: cat}
			write := diff.WriteTable
			if format == "json" {
				write = diff.WriteJSON
			}
			if err := write(g.stdout, rep, opt); err != nil {
				return err
			}
			if worst, ok := rep.Worst(); ok && worst >= failOn {
				return &exitError{code: ExitFindings}
			}
			return nil
		},
	}
	sf.register(cmd)
	vf.register(cmd, "high")
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table or json")
	cmd.Flags().BoolVar(&force, "force", false, "compare two scans of different targets (another root path, or the live host and an image)")
	return cmd
}
