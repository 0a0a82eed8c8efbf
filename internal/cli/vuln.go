package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/termtext"
	"github.com/vigil-ir/vigil/internal/vuln/advisory"
	"github.com/vigil-ir/vigil/internal/vuln/policy"
)

type vulnFlags struct {
	store          storeFlag
	root, format   string
	maxAge, failOn string
	sla            string
	all            bool
}

func newVulnCmd(g *globals) *cobra.Command {
	f := &vulnFlags{}
	cmd := &cobra.Command{
		Use:   "vuln",
		Short: "Match the installed distribution packages against the imported vulnerability data",
		Long: "Match the installed packages of the live host, or of a mounted root with --root,\n" +
			"against the advisories of its own distribution release in the store (vigil db\n" +
			"import), by source package and with the distribution's version ordering.\n\n" +
			"Each vulnerability has one status: a fix is available, no fix yet, will not be\n" +
			"fixed, or out of support. Severity is the distribution's rating, else CVSS;\n" +
			"priority adds CISA KEV, EPSS and exposure (the package owns a listening process).\n" +
			"Live, the running kernel is judged apart from other installed kernels, and a\n" +
			"newer kernel not yet booted or processes running replaced libraries are listed.\n\n" +
			"The scan refuses (exit 2) when the operating system is unknown, or the store has\n" +
			"no data for its release, or the data is older than --max-age: it never reports a\n" +
			"host clean without fresh data.\n\n" +
			"Exit status: 1 when a vulnerability is at or above --fail-on.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runVuln(cmd, g, f) },
	}
	f.store.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.root, "root", "", "scan a mounted root filesystem instead of the live host")
	fl.StringVarP(&f.format, "format", "f", "table", "table, json or jsonl")
	fl.StringVar(&f.maxAge, "max-age", "7d", "refuse advisory data older than this (72h, 7d; 0 for any age)")
	fl.StringVar(&f.failOn, "fail-on", "high", "exit 1 when a vulnerability is at or above this severity (info..critical, none)")
	fl.StringVar(&f.sla, "sla", "", "time to fix per severity, overriding the defaults critical=72h,high=90d,medium=90d,low=180d")
	fl.BoolVar(&f.all, "all", false, "also list risk-accepted and false-positive vulnerabilities")
	cmd.AddCommand(newVulnStateCmd(g, "accept", store.VulnRiskAccepted), newVulnStateCmd(g, "false-positive", store.VulnFalsePositive),
		newVulnStateCmd(g, "reopen", store.VulnOpen), newVulnStateCmd(g, "progress", store.VulnInProgress), newVulnAuditCmd(g), newVulnPlanCmd(g), newVulnReportCmd(g))
	return cmd
}

func runVuln(cmd *cobra.Command, g *globals, f *vulnFlags) error {
	ctx := cmd.Context()
	usage := func(err error) error { return &exitError{code: ExitError, err: err} }
	if f.format != "table" && f.format != "json" && f.format != "jsonl" {
		return usage(errors.New(g.t("cli.err.format", f.format, "table, json, jsonl")))
	}
	failOn, err := model.ParseSeverity(f.failOn)
	if err != nil {
		return usage(errors.New(g.t("cli.err.severity", "--fail-on", f.failOn)))
	}
	maxAge, err := parseAge(f.maxAge)
	if err != nil {
		return usage(fmt.Errorf("--max-age: %w", err))
	}
	t, st, cat, err := openVulnTarget(ctx, g, f.store, f.root)
	if err != nil {
		return usage(err)
	}
	defer st.Close()
	sla, err := policy.Parse(f.sla)
	if err != nil {
		return usage(fmt.Errorf("--sla: %w", err))
	}
	rep, err := app.VulnScan(ctx, st, app.VulnOptions{Target: t, Catalog: cat, MaxAge: maxAge, State: st, SLA: sla, Actor: app.CurrentActor(g.getenv)})
	if err != nil {
		return usage(err)
	}
	hidden := 0
	if !f.all {
		hidden = hideClosed(rep)
	}
	switch f.format {
	case "json":
		err = writeJSON(g.stdout, rep)
	case "jsonl":
		err = writeVulnJSONL(g, rep)
	default:
		err = writeVulnTable(g, rep, hidden)
	}
	if err != nil {
		return usage(err)
	}
	for _, v := range rep.Vulnerabilities {
		if v.State != store.VulnRiskAccepted && v.State != store.VulnFalsePositive && v.Severity >= failOn { // "none" parses above critical
			return &exitError{code: ExitFindings}
		}
	}
	return nil
}

// openVulnTarget opens what a vulnerability scan needs: the target (the
// live host, or root), the store (which must exist: it holds the data)
// and the catalog.
func openVulnTarget(ctx context.Context, g *globals, sf storeFlag, root string) (*target.Target, *store.SQLite, *catalog.Catalog, error) {
	t := target.Live()
	if root != "" {
		var err error
		if t, err = target.OpenRoot(root); err != nil {
			return nil, nil, nil, err
		}
	}
	storePath := app.StorePath(sf.path, g.getenv)
	if err := app.CheckStoreOutsideTarget(storePath, t); err != nil {
		return nil, nil, nil, err
	}
	cat, err := catalog.Load()
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := store.Open(ctx, storePath, store.Options{MustExist: true})
	if errors.Is(err, store.ErrNoStore) {
		return nil, nil, nil, &app.MsgError{Msg: model.Msg("vuln.err.no-store", storePath)}
	}
	return t, st, cat, err
}

// parseAge reads --max-age: a Go duration or whole days ("7d"); 0 allows
// any age.
func parseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return -1, nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if d, err := strconv.Atoi(n); err == nil && d >= 0 {
			if d == 0 {
				return -1, nil
			}
			return time.Duration(d) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("cannot read %q as a duration (72h, 7d)", s)
	}
	if d == 0 {
		return -1, nil
	}
	return d, nil
}

func writeVulnJSONL(g *globals, rep *app.VulnReport) error {
	enc := json.NewEncoder(g.stdout)
	enc.SetEscapeHTML(false)
	for _, v := range rep.Vulnerabilities {
		if err := enc.Encode(v); err != nil {
			return err
		}
	}
	for _, f := range rep.Findings {
		if err := enc.Encode(f); err != nil {
			return err
		}
	}
	return nil
}

// vulnHeader says what was examined and with which data: distribution,
// release, package count, and every source with its age and size.
func vulnHeader(g *globals, rep *app.VulnReport) {
	lang := g.Lang()
	fmt.Fprintln(g.stdout, g.t("vuln.header", rep.Distro, rep.Release, rep.Packages, rep.Target.Root))
	now := time.Now()
	for _, s := range rep.Sources {
		fmt.Fprintln(g.stdout, "  "+g.t("vuln.header.source", s.Name, s.Records, dateOrDash(s.DataDate), ageText(lang, app.Age(s.DataDate, now))))
	}
	if rep.RunningKernel != "" {
		fmt.Fprintln(g.stdout, "  "+g.t("vuln.header.kernel", rep.RunningKernel))
	}
	fmt.Fprintln(g.stdout)
}

// hideClosed drops risk-accepted and false-positive rows from the report
// and returns how many.
func hideClosed(rep *app.VulnReport) int {
	kept := rep.Vulnerabilities[:0]
	for _, v := range rep.Vulnerabilities {
		if v.State != store.VulnRiskAccepted && v.State != store.VulnFalsePositive {
			kept = append(kept, v)
		}
	}
	n := len(rep.Vulnerabilities) - len(kept)
	rep.Vulnerabilities = kept
	return n
}

func writeVulnTable(g *globals, rep *app.VulnReport, hidden int) error {
	lang := g.Lang()
	vulnHeader(g, rep)
	now := time.Now()
	if len(rep.Vulnerabilities) > 0 {
		t := &table{right: map[int]bool{0: true, 1: true}}
		t.add(word(lang, "vuln.priority"), word(lang, "id"), word(lang, "vuln.severity"), word(lang, "vuln.vulnerability"), word(lang, "vuln.package"),
			word(lang, "vuln.installed"), word(lang, "vuln.fixed"), word(lang, "vuln.kev-epss"), word(lang, "vuln.due"), word(lang, "vuln.state"), word(lang, "vuln.status"))
		for _, v := range rep.Vulnerabilities {
			fixed := v.Fixed
			if fixed == "" {
				fixed = "-"
			}
			var marks []string
			if v.KEV != nil {
				marks = append(marks, "KEV")
			}
			if v.EPSS != nil {
				marks = append(marks, fmt.Sprintf("EPSS %.2f", v.EPSS.Score))
			}
			if len(v.Exposed) > 0 {
				marks = append(marks, strings.Join(v.Exposed, ","))
			}
			due := "-"
			if !v.Due.IsZero() {
				due = v.Due.Local().Format("2006-01-02")
				if v.Overdue {
					due = word(lang, "vuln.overdue", due, int(now.Sub(v.Due).Hours()/24))
				}
			}
			state := "-"
			if v.State != "" {
				state = word(lang, "vuln.state."+string(v.State))
			}
			t.add(strconv.Itoa(v.Priority), strconv.FormatInt(v.ID, 10), termtext.Severity(lang, v.Severity), v.Vuln, v.Package, v.Installed, fixed,
				orDashStr(strings.Join(marks, " ")), due, state, statusWord(lang, v.Status))
		}
		if err := t.write(g.stdout); err != nil {
			return err
		}
		fmt.Fprintln(g.stdout)
	}
	for _, f := range rep.Findings {
		title := f.RuleID
		if r, ok := texts().Rule(f.RuleID); ok {
			title = r.Text(lang).Title
		}
		fmt.Fprintln(g.stdout, "! "+termtext.OneLine(title+": "+f.Subject+" — "+f.Evidence.Text))
	}
	for _, gp := range rep.Gaps {
		fmt.Fprintln(g.stdout, "? "+termtext.OneLine(texts().GapReason(lang, gp)))
	}
	_, err := fmt.Fprintln(g.stdout, g.t("vuln.summary", len(rep.Vulnerabilities), rep.Count(advisory.Fixed), rep.Count(advisory.NoFix),
		rep.Count(advisory.WontFix), rep.Count(advisory.EndOfSupport)))
	if overdue := countOverdue(rep); err == nil && overdue > 0 {
		_, err = fmt.Fprintln(g.stdout, g.t("vuln.summary.overdue", overdue))
	}
	if err == nil && hidden > 0 {
		_, err = fmt.Fprintln(g.stdout, g.t("vuln.summary.hidden", hidden))
	}
	return err
}

func countOverdue(rep *app.VulnReport) int {
	n := 0
	for _, v := range rep.Vulnerabilities {
		if v.Overdue {
			n++
		}
	}
	return n
}

func statusWord(lang string, s advisory.Status) string { return word(lang, "vuln.status."+string(s)) }

func orDashStr(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
