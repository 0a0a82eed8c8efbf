package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/contain"
	"github.com/vigil-ir/vigil/internal/contain/netfw"
	"github.com/vigil-ir/vigil/internal/store"
)

func newContainIsolateCmd(g *globals) *cobra.Command {
	var f containFlags
	var o netfw.IsolateOptions
	var noDNS, useIPT bool
	cmd := &cobra.Command{
		Use:     "isolate",
		Short:   "Cut the host off the network except the operator's session, loopback, DHCP, the resolvers and --allow addresses; reverts by itself unless confirmed",
		Example: "vigil contain isolate --allow 198.51.100.7 --deadman 10m",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Operator == "" {
				o.Operator, o.Source = netfw.OperatorAddress(g.getenv)
			} else {
				o.Source = "--operator"
			}
			if !noDNS {
				if b, err := os.ReadFile("/etc/resolv.conf"); err == nil {
					o.DNS = netfw.Resolvers(string(b))
				}
			}
			if err := g.chooseFirewall(&o.IPTables, useIPT, o.NetNS, f.apply); err != nil {
				return err
			}
			return g.contain(cmd, &f, func(context.Context, *app.Containment, contain.Target) ([]*contain.Action, error) {
				a, err := netfw.PlanIsolate(contain.Live(), o)
				return []*contain.Action{a}, err
			})
		},
	}
	f.registerLive(cmd)
	cmd.Flags().StringArrayVar(&o.Allow, "allow", nil, "also allow this address or CIDR, in and out (repeatable): a management server, a jump host")
	cmd.Flags().StringVar(&o.Operator, "operator", "", "the operator's address (default: from SSH_CONNECTION or the sshd session vigil runs under)")
	cmd.Flags().BoolVar(&o.Console, "console", false, "you are on a local or out-of-band console: no network session to keep")
	cmd.Flags().DurationVar(&o.DeadMan, "deadman", 10*time.Minute, "the kernel lifts the isolation after this unless vigil contain confirm")
	cmd.Flags().StringArrayVar(&o.Checks, "check", nil, "HOST:PORT that must still connect once isolated, or the isolation is reverted (repeatable)")
	cmd.Flags().StringVar(&o.Probe, "probe", "", "an address that must be blocked once isolated (default 192.0.2.1)")
	cmd.Flags().BoolVar(&noDNS, "no-dns", false, "do not keep the resolvers of /etc/resolv.conf reachable")
	cmd.Flags().StringVar(&o.NetNS, "netns", "", "isolate this network namespace (/run/netns/NAME, /proc/PID/ns/net) instead of the host's")
	cmd.Flags().BoolVar(&o.Persist, "persist", false, "also load the isolation at every boot (a systemd unit, or /etc/nftables.d), armed again with the dead-man time until confirmed")
	cmd.Flags().BoolVar(&useIPT, "iptables", false, "use the iptables fallback (iptables-legacy when installed) even where nftables works")
	return cmd
}

// chooseFirewall picks nftables, or the iptables fallback when asked
// (force) or when nftables is not available here and iptables is
// installed (said in a note). Without either, --apply is refused.
func (g *globals) chooseFirewall(variant *string, force bool, netns string, apply bool) error {
	if force {
		if *variant = netfw.IPTablesVariant(); *variant == "" {
			return &exitError{code: ExitError, err: errors.New(g.t("contain.err.no-iptables"))}
		}
		return nil
	}
	err := netfw.Available(netns)
	if err == nil {
		return nil
	}
	if *variant = netfw.IPTablesVariant(); *variant != "" {
		g.notef("%s", g.t("contain.note.iptables-fallback", err))
		return nil
	}
	if apply {
		return &exitError{code: ExitError, err: err}
	}
	return nil
}

// latestIsolation is the newest applied isolation of the journal.
func latestIsolation(ctx context.Context, c *app.Containment) (store.ActionRecord, netfw.IsolateParams, error) {
	recs, err := c.Store.Actions(ctx, store.ActionQuery{Kind: netfw.IsolateKind, States: []string{store.ActionApplied}})
	var p netfw.IsolateParams
	if err != nil {
		return store.ActionRecord{}, p, err
	}
	if len(recs) == 0 {
		return store.ActionRecord{}, p, errors.New("no isolation in the journal (vigil actions --kind net.)")
	}
	rec := recs[len(recs)-1]
	a, err := contain.FromRecord(rec)
	if err == nil {
		err = a.Decode(&p, nil)
	}
	return rec, p, err
}

func newContainNetCmds(g *globals) []*cobra.Command {
	var csf, rsf, ssf storeFlag
	confirm := &cobra.Command{
		Use:   "confirm",
		Short: "Keep the isolation: stop the dead-man switch (until vigil contain release)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.openContainment(cmd.Context(), csf)
			if err != nil {
				return err
			}
			defer c.Close()
			rec, p, err := latestIsolation(cmd.Context(), c)
			if err == nil {
				err = netfw.Confirm(p)
			}
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			_ = c.Store.SetActionState(cmd.Context(), rec.ID, store.ActionApplied, "confirmed", app.CurrentActor(g.getenv))
			fmt.Fprintln(g.stdout, g.t("contain.confirmed", rec.ID))
			return nil
		},
	}
	release := &cobra.Command{
		Use:   "release",
		Short: "Lift the isolation: delete Vigil's table, leaving the rest of the ruleset as it was",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.openContainment(cmd.Context(), rsf)
			if err != nil {
				return err
			}
			defer c.Close()
			rec, _, err := latestIsolation(cmd.Context(), c)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			if g.printUndo([]contain.Outcome{c.Runner.Undo(cmd.Context(), rec.ID)}) {
				return &exitError{code: ExitError}
			}
			return nil
		},
	}
	var watch time.Duration
	var repair bool
	status := &cobra.Command{
		Use:     "status",
		Short:   "Say whether the isolation is in force: armed (and for how long), confirmed, lapsed, or changed by someone else",
		Example: "vigil contain status --watch 30s --repair",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.guardIsolation(cmd.Context(), ssf, watch, repair)
		},
	}
	status.Flags().DurationVar(&watch, "watch", 0, "check again at this interval until interrupted or the isolation ends (0: once)")
	status.Flags().BoolVar(&repair, "repair", false, "write the isolation again when its table was flushed, edited or deleted")
	csf.register(confirm)
	rsf.register(release)
	ssf.register(status)
	return []*cobra.Command{confirm, release, status, newContainBlockCmd(g)}
}

func newContainBlockCmd(g *globals) *cobra.Command {
	var f containFlags
	var expire time.Duration
	var netns string
	cmd := &cobra.Command{
		Use:     "block ADDR|CIDR...",
		Short:   "Drop traffic to and from addresses or networks, in and out and forwarded, until undone or for --expire",
		Example: "vigil contain block 203.0.113.7 --expire 24h",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.apply {
				if err := netfw.Available(netns); err != nil {
					return &exitError{code: ExitError, err: err}
				}
			}
			return g.contain(cmd, &f, func(context.Context, *app.Containment, contain.Target) ([]*contain.Action, error) {
				a, err := netfw.PlanBlock(contain.Live(), args, expire, netns)
				return []*contain.Action{a}, err
			})
		},
	}
	f.registerLive(cmd)
	cmd.Flags().DurationVar(&expire, "expire", 0, "lift the block after this long (the kernel removes it; 0: until vigil undo)")
	cmd.Flags().StringVar(&netns, "netns", "", "block in this network namespace (/run/netns/NAME, /proc/PID/ns/net) instead of the host's")
	return cmd
}

// guardIsolation is vigil contain status: the newest applied isolation
// checked once, or every watch until interrupted or the isolation ends,
// written again with repair when its table was tampered with (the repair
// recorded in the action's log). The containment lock is held only
// during each check, never between them: release and undo can run.
func (g *globals) guardIsolation(ctx context.Context, sf storeFlag, watch time.Duration, repair bool) error {
	last, alarm := "", false
	for {
		state, err := g.guardOnce(ctx, sf, repair, &last)
		if err != nil {
			return err
		}
		// Flushed, edited or deleted (repaired or not): exit 1 at the end.
		alarm = alarm || state == "changed" || state == "deleted" || state == "repaired"
		if watch <= 0 || state == "none" || state == "lapsed" {
			break
		}
		select {
		case <-ctx.Done():
			watch = 0
		case <-time.After(watch):
		}
		if watch <= 0 {
			break
		}
	}
	if alarm {
		return &exitError{code: ExitFindings}
	}
	return nil
}

// guardOnce checks once and prints the state when it differs from *last;
// it returns the state, or "repaired".
func (g *globals) guardOnce(ctx context.Context, sf storeFlag, repair bool, last *string) (string, error) {
	c, err := g.openContainment(ctx, sf)
	if err != nil {
		return "", err
	}
	defer c.Close()
	rec, p, err := latestIsolation(ctx, c)
	if err != nil {
		if *last != "none" {
			fmt.Fprintln(g.stdout, g.t("contain.status.none"))
		}
		*last = "none"
		return "none", nil
	}
	confirmed := strings.HasPrefix(rec.Result, "confirmed")
	gd, err := netfw.Guard(p, rec.Created, confirmed, repair)
	if gd.Repaired {
		g.warnf("%s", g.t("contain.status.repaired", rec.ID))
		result := "repaired " + time.Now().UTC().Format(time.RFC3339)
		if confirmed {
			result = "confirmed; " + result
		}
		_ = c.Store.SetActionState(ctx, rec.ID, store.ActionApplied, result, app.CurrentActor(g.getenv))
	}
	if err != nil {
		return "", &exitError{code: ExitError, err: err}
	}
	args := []any{rec.ID}
	if gd.State == "armed" {
		args = append(args, gd.Left.Round(time.Second).String())
	}
	if gd.State != *last {
		fmt.Fprintln(g.stdout, g.t("contain.status."+gd.State, args...))
	}
	*last = gd.State
	if gd.Repaired {
		return "repaired", nil
	}
	return gd.State, nil
}
