package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/contain"
	"github.com/vigil-ir/vigil/internal/contain/persist"
	"github.com/vigil-ir/vigil/internal/contain/quarantine"
	"github.com/vigil-ir/vigil/internal/store"
)

// containFlags are the flags every `vigil contain` action shares.
type containFlags struct {
	sf    storeFlag
	root  string
	apply bool
}

func (f *containFlags) register(cmd *cobra.Command) {
	f.registerLive(cmd)
	cmd.Flags().StringVar(&f.root, "root", "", "act on the system mounted at this directory instead of the live host")
}

// registerLive registers the flags of an action on the running host only
// (no --root).
func (f *containFlags) registerLive(cmd *cobra.Command) {
	f.sf.register(cmd)
	cmd.Flags().BoolVar(&f.apply, "apply", false, "make the change (without it the plan is printed and nothing changes)")
}

// planFunc plans the actions of one command on target t.
type planFunc func(ctx context.Context, c *app.Containment, t contain.Target) ([]*contain.Action, error)

func newContainCmd(g *globals) *cobra.Command {
	var fs fromScanFlags
	cmd := &cobra.Command{
		Use:   "contain",
		Short: "Contain an intrusion: isolate the host, block addresses, stop processes, lock accounts, disable persistence, quarantine files (plan first)",
		Long: "Every containment action prints its plan first and changes nothing without --apply.\n" +
			"Before it changes anything the action and its undo data are written to the journal in the store;\n" +
			"vigil actions lists them and vigil undo reverts them.",
		Example: "vigil contain --from-scan scan.json --min-severity high",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if fs.file == "" {
				return cmd.Help()
			}
			return g.runFromScan(cmd, &fs)
		},
	}
	fs.register(cmd)
	cmd.AddCommand(newContainQuarantineCmd(g), newContainDisableCmd(g), newContainLockUserCmd(g), newContainProcessCmd(g),
		newContainIsolateCmd(g), newContainMountsCmd(g), newContainUnmountCmd(g))
	cmd.AddCommand(newContainNetCmds(g)...)
	return cmd
}

func newContainQuarantineCmd(g *globals) *cobra.Command {
	var f containFlags
	cmd := &cobra.Command{
		Use:     "quarantine PATH...",
		Short:   "Move files into the root-only quarantine, keeping owner, mode, times, attributes and SHA-256",
		Example: "vigil contain quarantine /tmp/.x/implant --apply",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.contain(cmd, &f, func(_ context.Context, c *app.Containment, t contain.Target) ([]*contain.Action, error) {
				a, err := quarantine.Plan(t, c.QuarantineDir(), args...)
				return []*contain.Action{a}, err
			})
		},
	}
	f.register(cmd)
	return cmd
}

func newContainDisableCmd(g *globals) *cobra.Command {
	var f containFlags
	var lineList string
	cmd := &cobra.Command{
		Use:   "disable PATH [--line N[,N...]]",
		Short: "Disable persistence: comment out one line (cron, shell start-up, ld.so.preload), or quarantine a unit, timer, init script or file with its links",
		Example: "vigil contain disable /etc/cron.d/php-sessionclean2 --line 2\n" +
			"vigil contain disable /etc/systemd/system/kworker.service --apply",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var lines []int
			for _, w := range strings.Split(lineList, ",") {
				if w = strings.TrimSpace(w); w == "" {
					continue
				}
				n, err := strconv.Atoi(w)
				if err != nil || n < 1 {
					return &exitError{code: ExitError, err: errors.New(g.t("contain.err.line", w))}
				}
				lines = append(lines, n)
			}
			return g.contain(cmd, &f, func(_ context.Context, c *app.Containment, t contain.Target) ([]*contain.Action, error) {
				var a *contain.Action
				var err error
				if len(lines) > 0 {
					a, err = persist.PlanLine(t, args[0], lines...)
				} else {
					a, err = persist.PlanFile(t, c.QuarantineDir(), args[0])
				}
				return []*contain.Action{a}, err
			})
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&lineList, "line", "", "disable only these lines (1-based, N or N,M) of the file: commented out, or taken out where the format has no comments")
	return cmd
}

// openContainment opens the journal (recovering what a dead vigil left
// incomplete, and saying so).
func (g *globals) openContainment(ctx context.Context, sf storeFlag) (*app.Containment, error) {
	c, err := app.OpenContainment(ctx, sf.path, g.getenv)
	if err != nil {
		return nil, &exitError{code: ExitError, err: err}
	}
	for _, o := range c.Recovered {
		if o.Err != nil {
			g.warnf("%s", g.t("contain.recovered.failed", o.ID, o.Kind, o.Err))
		} else {
			g.notef("%s", g.t("contain.recovered", o.ID, o.Kind, g.t("contain.state."+o.State)))
		}
	}
	return c, nil
}

// contain runs one containment command: plan, print the plan, and with
// --apply journal, apply and verify each action.
func (g *globals) contain(cmd *cobra.Command, f *containFlags, plan planFunc) error {
	ctx := cmd.Context()
	// The target first: a store inside it is refused before it is created.
	t, err := app.ContainTarget(f.root, app.StorePath(f.sf.path, g.getenv))
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	c, err := g.openContainment(ctx, f.sf)
	if err != nil {
		return err
	}
	defer c.Close()
	actions, err := plan(ctx, c, t)
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	for _, a := range actions {
		g.printPlan(a)
	}
	if !f.apply {
		fmt.Fprintln(g.stdout, g.t("contain.dry-run"))
		return nil
	}
	failed := false
	for _, a := range actions {
		out := c.Runner.Apply(ctx, a)
		failed = g.printOutcome(out) || failed
	}
	if failed {
		return &exitError{code: ExitError}
	}
	return nil
}

// printPlan writes an action's plan: each change, then its notes.
func (g *globals) printPlan(a *contain.Action) {
	lang := g.Lang()
	c := texts()
	fmt.Fprintln(g.stdout, g.t("contain.plan.head", a.Kind, a.Target.String()))
	for _, m := range a.Plan {
		fmt.Fprintln(g.stdout, "  - "+c.Message(lang, m))
	}
	for _, m := range a.Notes {
		fmt.Fprintln(g.stdout, "  ! "+c.Message(lang, m))
	}
}

// printOutcome says what became of an applied action; true when it failed.
func (g *globals) printOutcome(o contain.Outcome) bool {
	switch {
	case o.Err == nil && o.State == store.ActionApplied:
		fmt.Fprintln(g.stdout, g.t("contain.applied", o.ID, o.Kind, o.ID))
		return false
	case o.State == store.ActionRolledBack:
		fmt.Fprintln(g.stderr, "vigil: "+g.t("contain.rolled-back", o.ID, o.Kind, o.Err))
	case o.State == store.ActionFailed:
		fmt.Fprintln(g.stderr, "vigil: "+g.t("contain.failed", o.ID, o.Kind, o.Err))
	default:
		fmt.Fprintln(g.stderr, "vigil: "+g.t("contain.not-started", o.Kind, o.Err))
	}
	return true
}
