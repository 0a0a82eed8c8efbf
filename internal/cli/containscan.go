package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/contain"
	"github.com/vigil-ir/vigil/internal/contain/fromscan"
	"github.com/vigil-ir/vigil/internal/contain/persist"
	"github.com/vigil-ir/vigil/internal/contain/proc"
	"github.com/vigil-ir/vigil/internal/contain/quarantine"
	"github.com/vigil-ir/vigil/internal/model"
)

// fromScanFlags are the flags of vigil contain --from-scan.
type fromScanFlags struct {
	f       containFlags
	file    string
	minSev  string
	onlyCmd bool
}

func (s *fromScanFlags) register(cmd *cobra.Command) {
	s.f.register(cmd)
	cmd.Flags().StringVar(&s.file, "from-scan", "", "plan the actions answering the findings of this saved scan (vigil scan --format json; '-': standard input)")
	cmd.Flags().StringVar(&s.minSev, "min-severity", "high", "with --from-scan: only findings at or above this severity")
	cmd.Flags().BoolVar(&s.onlyCmd, "commands", false, "with --from-scan: print the commands only, one a line, and plan nothing")
}

// runFromScan plans (and with --apply applies) the actions answering a
// saved scan's findings. A finding whose object is gone or changed is
// reported and skipped; the others go on.
func (g *globals) runFromScan(cmd *cobra.Command, s *fromScanFlags) error {
	min, err := model.ParseSeverity(s.minSev)
	if err != nil {
		return &exitError{code: ExitError, err: fmt.Errorf("--min-severity: %w", err)}
	}
	in := cmd.InOrStdin()
	if s.file != "-" {
		f, err := os.Open(s.file)
		if err != nil {
			return &exitError{code: ExitError, err: err}
		}
		defer f.Close()
		in = f
	}
	scan, err := fromscan.Read(in)
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	cmds := fromscan.Plan(scan, min, s.f.root)
	if s.onlyCmd {
		for _, c := range cmds {
			fmt.Fprintln(g.stdout, c.String())
		}
		return nil
	}
	if len(cmds) == 0 {
		fmt.Fprintln(g.stdout, g.t("contain.fromscan.none", min.String()))
		return nil
	}
	if s.f.root == "" {
		s.f.root = cmds[0].Root
	}
	if !s.f.apply {
		return g.contain(cmd, &s.f, func(ctx context.Context, c *app.Containment, t contain.Target) ([]*contain.Action, error) {
			var out []*contain.Action
			for _, fc := range cmds {
				out = append(out, g.planFromScan(c, t, fc)...)
			}
			return out, nil
		})
	}
	// Applied one command at a time, each planned just before it runs:
	// two commands may touch one file (a key line commented, then the
	// account's authorized_keys moved aside), and a plan made before the
	// first change would find its file changed.
	failed := false
	for _, fc := range cmds {
		err := g.contain(cmd, &s.f, func(ctx context.Context, c *app.Containment, t contain.Target) ([]*contain.Action, error) {
			return g.planFromScan(c, t, fc), nil
		})
		failed = failed || err != nil
	}
	if failed {
		return &exitError{code: ExitError}
	}
	return nil
}

// planFromScan plans one command, saying which findings it answers; a
// command that cannot be planned (its file is gone) is reported and
// skipped.
func (g *globals) planFromScan(c *app.Containment, t contain.Target, fc fromscan.Command) []*contain.Action {
	fmt.Fprintln(g.stdout, g.t("contain.fromscan.command", fc.String(), strings.Join(fc.Findings, ", ")))
	as, err := planCommand(c, t, fc)
	if err != nil {
		g.warnf("%s", g.t("contain.fromscan.skipped", fc.String(), err))
	}
	return as
}

// planCommand plans one suggested command.
func planCommand(c *app.Containment, t contain.Target, fc fromscan.Command) ([]*contain.Action, error) {
	var a *contain.Action
	var err error
	switch fc.Verb {
	case "disable":
		if len(fc.Lines) > 0 {
			a, err = persist.PlanLine(t, fc.Path, fc.Lines...)
		} else {
			a, err = persist.PlanFile(t, c.QuarantineDir(), fc.Path)
		}
	case "quarantine":
		a, err = quarantine.Plan(t, c.QuarantineDir(), fc.Path)
	case "process":
		a, err = proc.Plan(t, []int{fc.PID}, proc.Options{Tree: true, Evidence: c.EvidenceDir()})
	case "lock-user":
		return planLockUser(c, t, fc.User, fc.Force, false)
	default:
		err = fmt.Errorf("unknown command %q", fc.Verb)
	}
	if err != nil {
		return nil, err
	}
	return []*contain.Action{a}, nil
}
