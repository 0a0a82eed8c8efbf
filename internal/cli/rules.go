package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/model"
)

func newRulesCmd(g *globals) *cobra.Command {
	var category, severity, technique, format string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the rule catalog (filter by category, severity, ATT&CK technique)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := catalog.Load()
			if err != nil {
				return err
			}
			var minSev model.Severity
			if severity != "" {
				if minSev, err = model.ParseSeverity(severity); err != nil {
					return &exitError{code: ExitError, err: err}
				}
			}
			lang := g.Lang()
			var list []*catalog.Rule
			for _, r := range cat.Rules() {
				if category != "" && r.Category != category {
					continue
				}
				if r.Severity < minSev {
					continue
				}
				if technique != "" && !strings.HasPrefix(r.Technique, technique) {
					continue
				}
				list = append(list, r)
			}
			if format == "json" {
				type out struct {
					*catalog.Rule
					catalog.Text
				}
				items := make([]out, 0, len(list))
				for _, r := range list {
					items = append(items, out{r, r.Text(lang)})
				}
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(items)
			}
			idW := 2
			for _, r := range list {
				idW = max(idW, len(r.ID))
			}
			fmt.Fprintf(g.stdout, "%-*s  %-8s  %-10s  %s\n", idW, "ID", "SEVERITY", "ATT&CK", "TITLE")
			for _, r := range list {
				fmt.Fprintf(g.stdout, "%-*s  %-8s  %-10s  %s\n", idW, r.ID, r.Severity, r.Technique, r.Text(lang).Title)
			}
			fmt.Fprintf(g.stdout, "\n%d rules\n", len(list))
			return nil
		},
	}
	cmd.Flags().StringVar(&category, "category", "", "only this category (accounts, persistence, integrity, process, network, logs, web ...)")
	cmd.Flags().StringVar(&severity, "severity", "", "only rules whose default severity is at or above this")
	cmd.Flags().StringVar(&technique, "technique", "", "only this ATT&CK technique (prefix match: T1053 matches T1053.003)")
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table or json")
	cmd.AddCommand(&cobra.Command{
		Use:   "show ID",
		Short: "Explain one rule in full",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cat, err := catalog.Load()
			if err != nil {
				return err
			}
			r, ok := cat.Rule(args[0])
			if !ok {
				return &exitError{code: ExitError, err: fmt.Errorf("no rule %q (see 'vigil rules')", args[0])}
			}
			t := r.Text(g.Lang())
			fmt.Fprintf(g.stdout, "%s\n  %s\n\nseverity:   %s\nconfidence: %s\ncategory:   %s\nATT&CK:     %s\n\nWhy it matters:\n  %s\n\nHow to verify:\n  %s\n\nWhat to do:\n  %s\n",
				r.ID, t.Title, r.Severity, r.Confidence, r.Category, r.Technique, t.Why, t.Verify, t.Remediation)
			return nil
		},
	})
	return cmd
}
