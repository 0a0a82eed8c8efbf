package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/contain"
	"github.com/vigil-ir/vigil/internal/contain/quarantine"
	"github.com/vigil-ir/vigil/internal/store"
)

func newQuarantineCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "quarantine",
		Short: "List quarantined files and restore them",
		Args:  cobra.NoArgs,
	}
	var sf storeFlag
	var format string
	list := &cobra.Command{
		Use:   "list",
		Short: "List the files in quarantine: action, original path, size, owner, mode, SHA-256",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := g.tableOrJSON(format); err != nil {
				return err
			}
			c, err := g.openContainment(cmd.Context(), sf)
			if err != nil {
				return err
			}
			defer c.Close()
			recs, err := c.Store.Actions(cmd.Context(), store.ActionQuery{Kind: quarantine.KindName, States: []string{store.ActionApplied}})
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			type row struct {
				Action int64           `json:"action"`
				Target string          `json:"target"`
				Item   quarantine.Item `json:"item"`
			}
			rows := []row{}
			for _, r := range recs {
				var u quarantine.Undo
				if json.Unmarshal(r.Undo, &u) != nil {
					continue
				}
				for _, it := range u.Items {
					rows = append(rows, row{r.ID, r.Target, it})
				}
			}
			if format == "json" {
				return writeJSON(g.stdout, rows)
			}
			if len(rows) == 0 {
				_, err := fmt.Fprintln(g.stdout, g.t("contain.quarantine.empty"))
				return err
			}
			t := &table{right: map[int]bool{0: true, 2: true}}
			t.add(g.t("contain.col.id"), g.t("contain.col.target"), g.t("contain.col.size"), g.t("contain.col.owner"),
				g.t("contain.col.mode"), "SHA-256", g.t("contain.col.path"))
			for _, r := range rows {
				m := r.Item.Meta
				sum := m.SHA256
				if len(sum) > 16 {
					sum = sum[:16]
				}
				if m.Link != "" {
					sum = "-> " + m.Link
				}
				t.add(strconv.FormatInt(r.Action, 10), r.Target, strconv.FormatInt(m.Size, 10),
					fmt.Sprintf("%d:%d", m.UID, m.GID), fmt.Sprintf("%04o", m.Mode), sum, r.Item.Path)
			}
			return t.write(g.stdout)
		},
	}
	sf.register(list)
	list.Flags().StringVarP(&format, "format", "f", "table", "table or json")
	var rsf storeFlag
	restore := &cobra.Command{
		Use:   "restore ID...",
		Short: "Put quarantined files back where they were, identical (the undo of their quarantine action)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.openContainment(cmd.Context(), rsf)
			if err != nil {
				return err
			}
			defer c.Close()
			var outs []contain.Outcome
			for _, s := range args {
				id, err := strconv.ParseInt(s, 10, 64)
				if err != nil || id <= 0 {
					return &exitError{code: ExitError, err: errors.New(g.t("contain.err.id", s))}
				}
				rec, err := c.Store.ActionByID(cmd.Context(), id)
				if err != nil {
					return &exitError{code: ExitError, err: err}
				}
				if rec.Kind != quarantine.KindName {
					return &exitError{code: ExitError, err: errors.New(g.t("contain.err.not-quarantine", id, rec.Kind))}
				}
				outs = append(outs, c.Runner.Undo(cmd.Context(), id))
			}
			if g.printUndo(outs) {
				return &exitError{code: ExitError}
			}
			return nil
		},
	}
	rsf.register(restore)
	cmd.AddCommand(list, restore)
	return cmd
}
