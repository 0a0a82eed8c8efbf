package cli

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/contain"
	"github.com/vigil-ir/vigil/internal/contain/account"
	"github.com/vigil-ir/vigil/internal/contain/hostfs"
	"github.com/vigil-ir/vigil/internal/contain/proc"
	"github.com/vigil-ir/vigil/internal/contain/quarantine"
	"github.com/vigil-ir/vigil/internal/contain/storage"
)

func newContainLockUserCmd(g *globals) *cobra.Command {
	var f containFlags
	var force, keepSessions bool
	cmd := &cobra.Command{
		Use:     "lock-user NAME",
		Short:   "Lock an account: password locked and expired, password change forced, authorized_keys moved aside, its processes ended",
		Example: "vigil contain lock-user svc",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.contain(cmd, &f, func(_ context.Context, c *app.Containment, t contain.Target) ([]*contain.Action, error) {
				return planLockUser(c, t, args[0], force, keepSessions)
			})
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&force, "force", false, "also lock uid 0 or end processes of the operator's own session")
	cmd.Flags().BoolVar(&keepSessions, "keep-sessions", false, "do not end the account's running processes")
	return cmd
}

// planLockUser plans the account lock, the quarantine of its
// authorized_keys files and, on the live host, the end of its processes,
// as one action (one journal entry, one undo id).
func planLockUser(c *app.Containment, t contain.Target, name string, force, keepSessions bool) ([]*contain.Action, error) {
	u, err := account.Lookup(t, name)
	if err != nil {
		return nil, err
	}
	lock, err := account.Plan(t, name, force)
	if err != nil {
		return nil, err
	}
	parts := []*contain.Action{lock}
	var keys []string
	for _, k := range []string{".ssh/authorized_keys", ".ssh/authorized_keys2"} {
		p := path.Join(u.Home, k)
		if _, m, err := hostfs.CaptureIn(t, p); err == nil && m.Link == "" {
			keys = append(keys, p)
		}
	}
	if len(keys) > 0 {
		q, err := quarantine.Plan(t, c.QuarantineDir(), keys...)
		if err != nil {
			return nil, err
		}
		parts = append(parts, q)
	}
	if t.IsLive() && !keepSessions {
		if pids := proc.PIDsOfUser(u.UID); len(pids) > 0 {
			p, err := proc.Plan(t, pids, proc.Options{Kill: true, Force: force, Evidence: c.EvidenceDir()})
			if err != nil {
				return nil, err
			}
			parts = append(parts, p)
		}
	}
	a, err := contain.NewComposite(account.LockUserKind, name, t, parts...)
	return []*contain.Action{a}, err
}

func newContainProcessCmd(g *globals) *cobra.Command {
	var f containFlags
	var o proc.Options
	cmd := &cobra.Command{
		Use:     "process PID...",
		Short:   "Stop processes (SIGSTOP), capture their executable, cmdline, environment, maps, files and sockets, and kill them on request",
		Example: "vigil contain process 4242 --tree --kill --apply",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var pids []int
			for _, s := range args {
				pid, err := strconv.Atoi(s)
				if err != nil || pid <= 0 {
					return &exitError{code: ExitError, err: errors.New(g.t("contain.err.pid", s))}
				}
				pids = append(pids, pid)
			}
			return g.contain(cmd, &f, func(_ context.Context, c *app.Containment, t contain.Target) ([]*contain.Action, error) {
				o.Evidence = c.EvidenceDir()
				a, err := proc.Plan(t, pids, o)
				return []*contain.Action{a}, err
			})
		},
	}
	f.registerLive(cmd)
	cmd.Flags().BoolVar(&o.Tree, "tree", false, "also every descendant of each process")
	cmd.Flags().BoolVar(&o.Kill, "kill", false, "kill after the capture (without it the processes stay stopped until vigil undo)")
	cmd.Flags().BoolVar(&o.Memory, "memory", false, "also capture the readable memory regions (up to 256 MiB per process)")
	cmd.Flags().BoolVar(&o.Force, "force", false, "allow an ancestor of vigil or a process of the operator's session (never PID 1 or vigil itself)")
	return cmd
}

func newContainMountsCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "mounts",
		Short: "List the shared storage of the running host: NFS, CIFS/SMB and other network file systems, iSCSI disks",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := g.tableOrJSON(format); err != nil {
				return err
			}
			list, err := storage.List()
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			if format == "json" {
				if list == nil {
					list = []storage.Mount{}
				}
				return writeJSON(g.stdout, list)
			}
			if len(list) == 0 {
				fmt.Fprintln(g.stdout, g.t("contain.mounts.none"))
				return nil
			}
			t := &table{}
			t.add(g.t("contain.col.mount"), g.t("contain.col.kind"), g.t("contain.col.source"), g.t("contain.col.options"))
			for _, m := range list {
				t.add(m.Point, m.Kind, m.Source, m.Options)
			}
			return t.write(g.stdout)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table or json")
	return cmd
}

func newContainUnmountCmd(g *globals) *cobra.Command {
	var f containFlags
	var lazy bool
	cmd := &cobra.Command{
		Use:     "unmount MOUNTPOINT",
		Short:   "Unmount a network or iSCSI mount (undo mounts it again with the recorded source, type and options)",
		Example: "vigil contain unmount /mnt/share --lazy",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.contain(cmd, &f, func(context.Context, *app.Containment, contain.Target) ([]*contain.Action, error) {
				a, err := storage.Plan(contain.Live(), args[0], lazy)
				return []*contain.Action{a}, err
			})
		},
	}
	f.registerLive(cmd)
	cmd.Flags().BoolVar(&lazy, "lazy", false, "detach it at once even if files are open on it (MNT_DETACH)")
	return cmd
}
