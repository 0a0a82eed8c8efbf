package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/suppress"
)

// vulnStateShort are the English help lines of the state commands.
var vulnStateShort = map[string]string{
	"accept":         "Accept the risk of a vulnerability: reason, who, until when (default 90 days)",
	"false-positive": "Mark a vulnerability a false positive, with the reason",
	"reopen":         "Reopen a vulnerability that was accepted, marked false positive or in progress",
	"progress":       "Mark a vulnerability as being fixed (in progress)",
}

func newVulnStateCmd(g *globals, name string, to store.VulnStateName) *cobra.Command {
	var sf storeFlag
	var reason, until string
	cmd := &cobra.Command{
		Use:   name + " ID",
		Short: vulnStateShort[name],
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			usage := func(err error) error { return &exitError{code: ExitError, err: err} }
			if reason == "" {
				return usage(errors.New(g.t("vuln.err.reason")))
			}
			var u time.Time
			if to == store.VulnRiskAccepted {
				if until == "" {
					until = "90d"
				}
				var err error
				if u, err = suppress.ParseUntil(until, time.Now(), time.Local); err != nil {
					return usage(fmt.Errorf("--until: %w", err))
				}
			}
			st, err := openAdvisories(cmd.Context(), g, sf, store.Options{MustExist: true})
			if err != nil {
				return usage(err)
			}
			defer st.Close()
			recs, err := st.SetVulnState(cmd.Context(), args[0], to, reason, u, app.CurrentActor(g.getenv))
			if err != nil {
				return usage(err)
			}
			for _, r := range recs {
				fmt.Fprintln(g.stdout, g.t("vuln.state.set", r.ID, r.VulnID, r.Package, word(g.Lang(), "vuln.state."+string(r.State))))
			}
			return nil
		},
	}
	sf.register(cmd)
	cmd.Flags().StringVar(&reason, "reason", "", "why (required; kept in the audit trail)")
	if to == store.VulnRiskAccepted {
		cmd.Flags().StringVar(&until, "until", "", "the acceptance ends then: YYYY-MM-DD, RFC 3339 or a duration (30d); default 90d")
	}
	return cmd
}

func newVulnAuditCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var format string
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Show every change of state of the vulnerabilities: when, who, from, to, why",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openAdvisories(cmd.Context(), g, sf, store.Options{MustExist: true})
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			defer st.Close()
			entries, err := st.VulnAudit(cmd.Context(), 0)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			if format == "json" {
				if entries == nil {
					entries = []store.VulnAuditEntry{}
				}
				return writeJSON(g.stdout, entries)
			}
			lang := g.Lang()
			t := &table{right: map[int]bool{2: true}}
			t.add(word(lang, "vuln.when"), word(lang, "vuln.who"), word(lang, "id"), word(lang, "vuln.change"), word(lang, "vuln.why"))
			for _, e := range entries {
				from := "-"
				if e.From != "" {
					from = word(lang, "vuln.state."+string(e.From))
				}
				t.add(e.At.Local().Format("2006-01-02 15:04"), e.Actor.String(), fmt.Sprint(e.StateID),
					from+" → "+word(lang, "vuln.state."+string(e.To)), auditReason(lang, e.Reason))
			}
			return t.write(g.stdout)
		},
	}
	sf.register(cmd)
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table or json")
	return cmd
}

// auditReason renders the reasons a scan records by itself (scan:...).
func auditReason(lang, r string) string {
	if rest, ok := strings.CutPrefix(r, "scan:"); ok {
		return word(lang, "vuln.audit."+rest)
	}
	return r
}
