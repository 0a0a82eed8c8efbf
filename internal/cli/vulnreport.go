package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/termtext"
	"github.com/vigil-ir/vigil/internal/vuln/advisory"
	"github.com/vigil-ir/vigil/internal/vuln/kpi"
)

func newVulnReportCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var month, format, output string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "The monthly remediation report: on-time fix rate, time to remediate, age of open vulnerabilities, overdue, accepted risks",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			usage := func(err error) error { return &exitError{code: ExitError, err: err} }
			if format != "html" && format != "json" {
				return usage(errors.New(g.t("cli.err.format", format, "html, json")))
			}
			now := time.Now()
			at := now
			if month != "" {
				m, err := time.ParseInLocation("2006-01", month, time.Local)
				if err != nil {
					return usage(fmt.Errorf("--month: %q is not YYYY-MM", month))
				}
				at = m
			}
			st, err := openAdvisories(cmd.Context(), g, sf, store.Options{MustExist: true})
			if err != nil {
				return usage(err)
			}
			defer st.Close()
			recs, err := st.VulnRecords(cmd.Context(), "")
			if err != nil {
				return usage(err)
			}
			srcs, err := st.AdvisorySources(cmd.Context())
			if err != nil {
				return usage(err)
			}
			var infos []advisory.SourceInfo
			for _, s := range srcs {
				infos = append(infos, advisory.SourceInfo{Name: s.Source, DataDate: s.DataDate, Imported: s.Imported, Records: s.Records})
			}
			from, to := kpi.Month(at)
			rep := kpi.Compute(recs, infos, from, to, now)
			var w io.Writer = g.stdout
			if output != "" && output != "-" {
				f, err := os.OpenFile(output, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
				if err != nil {
					return usage(err)
				}
				defer f.Close()
				w = f
			}
			if format == "json" {
				err = writeJSON(w, rep)
			} else {
				lang := g.Lang()
				sev := func(s string) string {
					v, err := model.ParseSeverity(s)
					if err != nil {
						return s
					}
					return termtext.Severity(lang, v)
				}
				err = kpi.HTML(w, rep, lang, g.t, sev)
			}
			if err != nil {
				return usage(err)
			}
			if w != g.stdout {
				fmt.Fprintln(g.stderr, g.t("vuln.report.written", output))
			}
			return nil
		},
	}
	sf.register(cmd)
	cmd.Flags().StringVar(&month, "month", "", "the month to report, YYYY-MM (default: this month so far)")
	cmd.Flags().StringVarP(&format, "format", "f", "html", "html or json")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the report to this file (mode 0600) instead of stdout")
	return cmd
}
