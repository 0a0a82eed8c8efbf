package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/report"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/termtext"
)

type findingsFlags struct {
	store     storeFlag
	view      viewFlags
	scan      string
	rule      string
	severity  string
	path      string
	state     string
	targetKey string
	format    string
	limit     int
}

func newFindingsCmd(g *globals) *cobra.Command {
	f := &findingsFlags{}
	cmd := &cobra.Command{
		Use:   "findings",
		Short: "Query stored findings by scan, rule, severity, path and state (open, gone, suppressed)",
		Long: `Query the findings kept in the store. Without --scan, each distinct finding of
each target appears once, as last seen, with when it was first and last seen
and its state: open (seen in the newest scan that ran its check) or gone.
--state suppressed lists the findings current suppressions hide; otherwise
they are left out unless --show-suppressed.

  vigil findings --state open --severity high
  vigil findings --scan 12 --rule 'persistence.*' --path '/etc/cron*/**'
  vigil findings --state suppressed --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runFindings(cmd, g, f) },
	}
	fl := cmd.Flags()
	f.store.register(cmd)
	fl.StringVar(&f.view.failOn, "fail-on", "none", "exit 1 when a listed finding is at or above this severity")
	fl.BoolVar(&f.view.showSuppressed, "show-suppressed", false, "also list suppressed findings, marked")
	fl.StringVar(&f.scan, "scan", "", "only this scan (number, uid or 'latest')")
	fl.StringVar(&f.rule, "rule", "", "only this rule id or rule glob ('persistence.*')")
	fl.StringVar(&f.severity, "severity", "info", "only findings at or above this severity")
	fl.StringVar(&f.path, "path", "", "only findings whose path matches this glob ('**' crosses directories)")
	fl.StringVar(&f.state, "state", "", "only open, gone or suppressed findings")
	fl.StringVar(&f.targetKey, "target", "", "only this target key (machine-id:..., host:..., root:...)")
	fl.StringVarP(&f.format, "format", "f", "table", "table, json or jsonl")
	fl.IntVarP(&f.limit, "limit", "n", 0, "at most this many findings (0: all)")
	return cmd
}

func runFindings(cmd *cobra.Command, g *globals, f *findingsFlags) error {
	ctx := cmd.Context()
	usage := func(err error) error { return &exitError{code: ExitError, err: err} }
	f.view.minSeverity = f.severity
	view, failOn, err := f.view.parse()
	if err != nil {
		return err
	}
	switch f.format {
	case "table", "json", "jsonl":
	default:
		return usage(errors.New(g.t("cli.err.format", f.format, "table, json, jsonl")))
	}
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	st, err := f.store.openReadOnly(ctx, g)
	if err != nil {
		return err
	}
	defer st.Close()
	q := store.FindingQuery{TargetKey: f.targetKey, Rule: f.rule, MinSeverity: view.MinSeverity, Path: f.path, Limit: f.limit}
	if f.scan != "" {
		info, err := st.Scan(ctx, f.scan)
		if err != nil {
			return usage(err)
		}
		q.ScanID = info.ID
	}
	if view.Suppressions, err = app.LoadSuppressions(ctx, st, app.CurrentActor(g.getenv), nil); err != nil {
		g.warnf("suppressions: %v", err)
	}
	rows, hidden, err := app.QueryFindings(ctx, st, q, f.state, view)
	if err != nil {
		return usage(err)
	}
	lang := g.Lang()
	for i := range rows {
		cat.Localize(&rows[i].Finding, lang)
	}
	switch f.format {
	case "json":
		if rows == nil {
			rows = []app.FindingRow{}
		}
		err = writeJSON(g.stdout, rows)
	case "jsonl":
		enc := json.NewEncoder(g.stdout)
		enc.SetEscapeHTML(false)
		for _, r := range rows {
			if err = enc.Encode(r); err != nil {
				break
			}
		}
	default:
		err = writeFindings(g, rows, hidden)
	}
	if err != nil {
		return err
	}
	for _, r := range rows {
		if !r.Suppressed && r.Finding.Severity >= failOn {
			return &exitError{code: ExitFindings}
		}
	}
	return nil
}

func writeFindings(g *globals, rows []app.FindingRow, hidden int) error {
	lang := g.Lang()
	w := g.stdout
	if len(rows) == 0 {
		fmt.Fprintln(w, word(lang, "no_findings"))
	}
	t := &table{}
	t.add(word(lang, "severity"), word(lang, "state"), word(lang, "rule"), word(lang, "where"), word(lang, "title"))
	for _, r := range rows {
		state := word(lang, r.State)
		if r.Suppressed {
			state += "/" + word(lang, "suppressed")
		}
		t.add(termtext.Severity(lang, r.Finding.Severity), state, r.Finding.RuleID, report.Location(r.Finding), r.Finding.Title)
		t.note(detailLine(lang, r))
	}
	if len(rows) > 0 {
		if err := t.write(w); err != nil {
			return err
		}
		fmt.Fprintf(w, "\n%d %s\n", len(rows), word(lang, "findings"))
	}
	if hidden > 0 {
		fmt.Fprintf(w, "%d %s\n", hidden, word(lang, "hidden_supp"))
	}
	return nil
}

// detailLine is the second line of a finding: fingerprint (for vigil
// ignore), history, scan and suppression.
func detailLine(lang string, r app.FindingRow) string {
	day := func(t interface{ Format(string) string }) string { return t.Format("2006-01-02 15:04") }
	parts := []string{
		word(lang, "fingerprint") + " " + r.Finding.Fingerprint,
		word(lang, "first_seen") + " " + day(r.FirstSeen.UTC()),
		word(lang, "last_seen") + " " + day(r.LastSeen.UTC()),
	}
	if r.State == store.StateGone && !r.GoneSince.IsZero() {
		parts = append(parts, word(lang, "gone_since")+" "+day(r.GoneSince.UTC()))
	}
	parts = append(parts, word(lang, "scan")+" "+strconv.FormatInt(r.ScanID, 10))
	if r.SuppressedBy != "" {
		parts = append(parts, word(lang, "suppressed")+" "+r.SuppressedBy)
	}
	return strings.Join(parts, " · ")
}
