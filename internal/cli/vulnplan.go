package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/vuln/match"
	"github.com/vigil-ir/vigil/internal/vuln/plan"
)

func newVulnPlanCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var root, format, maxAge string
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Print the package manager commands that fix what can be fixed, grouped by reboot or restart needed",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			usage := func(err error) error { return &exitError{code: ExitError, err: err} }
			if format != "table" && format != "json" {
				return usage(errors.New(g.t("cli.err.format", format, "table, json")))
			}
			age, err := parseAge(maxAge)
			if err != nil {
				return usage(fmt.Errorf("--max-age: %w", err))
			}
			t, st, cat, err := openVulnTarget(ctx, g, sf, root)
			if err != nil {
				return usage(err)
			}
			defer st.Close()
			rep, err := app.VulnScan(ctx, st, app.VulnOptions{Target: t, Catalog: cat, MaxAge: age})
			if err != nil {
				return usage(err)
			}
			ms := make([]match.Match, 0, len(rep.Vulnerabilities))
			for _, v := range rep.Vulnerabilities {
				ms = append(ms, v.Match)
			}
			p := plan.Make(rep.Distro, rep.Release, ms)
			if format == "json" {
				if p.Steps == nil {
					p.Steps = []plan.Step{}
				}
				return writeJSON(g.stdout, p)
			}
			return writePlan(g, rep, p)
		},
	}
	sf.register(cmd)
	cmd.Flags().StringVar(&root, "root", "", "scan a mounted root filesystem instead of the live host")
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table or json")
	cmd.Flags().StringVar(&maxAge, "max-age", "7d", "refuse advisory data older than this (72h, 7d; 0 for any age)")
	return cmd
}

func writePlan(g *globals, rep *app.VulnReport, p plan.Plan) error {
	vulnHeader(g, rep)
	if len(p.Steps) == 0 {
		fmt.Fprintln(g.stdout, g.t("vuln.plan.nothing"))
	} else {
		fmt.Fprintln(g.stdout, "# "+g.t("vuln.plan.snapshot"))
		fmt.Fprintln(g.stdout)
	}
	for i, s := range p.Steps {
		head := g.t("vuln.plan."+s.Kind, i+1)
		if s.Kind == plan.Restart && len(s.Services) > 0 {
			head += " " + g.t("vuln.plan.services", strings.Join(s.Services, ", "))
		}
		fmt.Fprintln(g.stdout, "# "+head)
		fmt.Fprintln(g.stdout, "#   "+g.t("vuln.plan.fixes", strings.Join(s.Vulns, " ")))
		fmt.Fprintln(g.stdout, s.Command)
		fmt.Fprintln(g.stdout)
	}
	if p.Unfixed > 0 {
		fmt.Fprintln(g.stdout, "# "+g.t("vuln.plan.unfixed", p.Unfixed))
	}
	_, err := fmt.Fprintln(g.stdout, "# "+g.t("vuln.plan.verify"))
	return err
}
