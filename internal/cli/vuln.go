package cli

import (
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
)

type vulnFlags struct {
	store          storeFlag
	root, format   string
	maxAge, failOn string
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
	t := target.Live()
	if f.root != "" {
		if t, err = target.OpenRoot(f.root); err != nil {
			return usage(err)
		}
	}
	storePath := app.StorePath(f.store.path, g.getenv)
	if err := app.CheckStoreOutsideTarget(storePath, t); err != nil {
		return usage(err)
	}
	cat, err := catalog.Load()
	if err != nil {
		return usage(err)
	}
	st, err := store.Open(ctx, storePath, store.Options{MustExist: true})
	if errors.Is(err, store.ErrNoStore) {
		return usage(&app.MsgError{Msg: model.Msg("vuln.err.no-store", storePath)})
	}
	if err != nil {
		return usage(err)
	}
	defer st.Close()
	rep, err := app.VulnScan(ctx, st, app.VulnOptions{Target: t, Catalog: cat, MaxAge: maxAge})
	if err != nil {
		return usage(err)
	}
	switch f.format {
	case "json":
		err = writeJSON(g.stdout, rep)
	case "jsonl":
		err = writeVulnJSONL(g, rep)
	default:
		err = writeVulnTable(g, rep)
	}
	if err != nil {
		return usage(err)
	}
	for _, v := range rep.Vulnerabilities {
		if v.Severity >= failOn { // "none" parses above critical
			return &exitError{code: ExitFindings}
		}
	}
	return nil
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

func writeVulnTable(g *globals, rep *app.VulnReport) error {
	lang := g.Lang()
	vulnHeader(g, rep)
	if len(rep.Vulnerabilities) > 0 {
		t := &table{right: map[int]bool{0: true}}
		t.add(word(lang, "vuln.priority"), word(lang, "vuln.severity"), word(lang, "vuln.vulnerability"), word(lang, "vuln.package"),
			word(lang, "vuln.installed"), word(lang, "vuln.fixed"), word(lang, "vuln.kev-epss"), word(lang, "vuln.status"))
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
			t.add(strconv.Itoa(v.Priority), termtext.Severity(lang, v.Severity), v.Vuln, v.Package, v.Installed, fixed,
				orDashStr(strings.Join(marks, " ")), statusWord(lang, v.Status))
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
	return err
}

func statusWord(lang string, s advisory.Status) string { return word(lang, "vuln.status."+string(s)) }

func orDashStr(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
