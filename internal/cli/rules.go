package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/termtext"
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
			tb := &table{}
			tb.add(word(lang, "id"), word(lang, "severity"), "ATT&CK", word(lang, "title"))
			for _, r := range list {
				tb.add(r.ID, termtext.Severity(lang, r.Severity), r.Technique, r.Text(lang).Title)
			}
			if err := tb.write(g.stdout); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "\n%d %s\n", len(list), word(lang, "rules"))
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
				return &exitError{code: ExitError, err: errors.New(g.t("cli.err.no-rule", args[0]))}
			}
			lang := g.Lang()
			t := r.Text(lang)
			fmt.Fprintf(g.stdout, "%s\n  %s\n\n", r.ID, t.Title)
			facts := &table{}
			facts.add(word(lang, "r_sev")+":", termtext.Severity(lang, r.Severity)+" ("+r.Severity.String()+")")
			facts.add(word(lang, "r_conf")+":", r.Confidence.String())
			facts.add(word(lang, "r_cat")+":", r.Category)
			facts.add("ATT&CK:", r.Technique)
			if err := facts.write(g.stdout); err != nil {
				return err
			}
			for _, sec := range []struct{ k, v string }{{"r_why", t.Why}, {"r_verify", t.Verify}, {"r_fix", t.Remediation}} {
				fmt.Fprintf(g.stdout, "\n%s:\n  %s\n", word(lang, sec.k), sec.v)
			}
			return nil
		},
	})
	return cmd
}
