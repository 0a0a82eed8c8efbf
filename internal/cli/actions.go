package cli

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/contain"
	"github.com/vigil-ir/vigil/internal/store"
)

func newActionsCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var format, since, kind string
	cmd := &cobra.Command{
		Use:   "actions",
		Short: "List the containment actions of the journal: what was changed, by whom, when, with what result",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := g.tableOrJSON(format); err != nil {
				return err
			}
			q := store.ActionQuery{Kind: kind}
			if since != "" {
				t, err := ParseSince(since, time.Now())
				if err != nil {
					return &exitError{code: ExitError, err: err}
				}
				q.Since = t
			}
			c, err := g.openContainment(cmd.Context(), sf)
			if err != nil {
				return err
			}
			defer c.Close()
			list, err := c.Store.Actions(cmd.Context(), q)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			if format == "json" {
				if list == nil {
					list = []store.ActionRecord{}
				}
				return writeJSON(g.stdout, list)
			}
			return g.writeActions(list)
		},
	}
	sf.register(cmd)
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table or json")
	cmd.Flags().StringVar(&since, "since", "", "only actions since this time (2026-11-01, RFC 3339) or duration (72h, 7d)")
	cmd.Flags().StringVar(&kind, "kind", "", "only actions of this kind (file.quarantine), or kinds starting so (file.)")
	return cmd
}

func (g *globals) writeActions(list []store.ActionRecord) error {
	if len(list) == 0 {
		_, err := fmt.Fprintln(g.stdout, g.t("contain.no-actions"))
		return err
	}
	t := &table{right: map[int]bool{0: true}}
	t.add(g.t("contain.col.id"), g.t("contain.col.time"), g.t("contain.col.kind"), g.t("contain.col.target"),
		g.t("contain.col.state"), g.t("contain.col.by"), g.t("contain.col.subject"))
	for _, a := range list {
		t.add(strconv.FormatInt(a.ID, 10), a.Created.UTC().Format("2006-01-02 15:04:05"), a.Kind, a.Target,
			g.t("contain.state."+a.State), a.Actor.String(), a.Subject)
		if a.Result != "" {
			t.note(a.Result)
		}
	}
	return t.write(g.stdout)
}

func newUndoCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var all bool
	var since string
	cmd := &cobra.Command{
		Use:   "undo ID... | --all [--since TIME]",
		Short: "Revert containment actions from the journal (idempotent: an action already undone is left alone)",
		Long: "Revert containment actions. Undo restores what the action changed, from the undo data journaled\n" +
			"before it ran, and refuses to overwrite anything that changed since (say what, and leave it).\n" +
			"--all reverts every applied action, newest first (--since: only those since a time).",
		Example: "vigil undo 3\nvigil undo --all --since 2h",
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) > 0) || (since != "" && !all) {
				return &exitError{code: ExitError, err: errors.New(g.t("contain.err.undo-args"))}
			}
			var ids []int64
			for _, s := range args {
				id, err := strconv.ParseInt(s, 10, 64)
				if err != nil || id <= 0 {
					return &exitError{code: ExitError, err: errors.New(g.t("contain.err.id", s))}
				}
				ids = append(ids, id)
			}
			var from time.Time
			if since != "" {
				t, err := ParseSince(since, time.Now())
				if err != nil {
					return &exitError{code: ExitError, err: err}
				}
				from = t
			}
			c, err := g.openContainment(cmd.Context(), sf)
			if err != nil {
				return err
			}
			defer c.Close()
			var outs []contain.Outcome
			if all {
				if outs, err = c.UndoAll(cmd.Context(), from); err != nil {
					return &exitError{code: ExitError, err: err}
				}
				if len(outs) == 0 {
					fmt.Fprintln(g.stdout, g.t("contain.undo.nothing"))
				}
			}
			for _, id := range ids {
				outs = append(outs, c.Runner.Undo(cmd.Context(), id))
			}
			if g.printUndo(outs) {
				return &exitError{code: ExitError}
			}
			return nil
		},
	}
	sf.register(cmd)
	cmd.Flags().BoolVar(&all, "all", false, "undo every applied action, newest first")
	cmd.Flags().StringVar(&since, "since", "", "with --all: only actions since this time (2026-11-01, RFC 3339) or duration (72h, 7d)")
	return cmd
}

// printUndo says what became of each undo; true when one failed.
func (g *globals) printUndo(outs []contain.Outcome) bool {
	failed := false
	for _, o := range outs {
		switch {
		case o.Err != nil:
			failed = true
			fmt.Fprintln(g.stderr, "vigil: "+g.t("contain.undo.failed", o.ID, o.Kind, o.Err))
		case o.Noop:
			fmt.Fprintln(g.stdout, g.t("contain.undo.noop", o.ID, o.Kind, g.t("contain.state."+o.State)))
		default:
			fmt.Fprintln(g.stdout, g.t("contain.undo.done", o.ID, o.Kind))
		}
	}
	return failed
}

// tableOrJSON refuses a --format other than table or json.
func (g *globals) tableOrJSON(format string) error {
	if format != "table" && format != "json" {
		return &exitError{code: ExitError, err: errors.New(g.t("cli.err.format", format, "table, json"))}
	}
	return nil
}
