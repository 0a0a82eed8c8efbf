package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/detect/registry"
	"github.com/vigil-ir/vigil/internal/engine"
)

func newHardenCmd(g *globals) *cobra.Command {
	s := &scanFlags{}
	cmd := &cobra.Command{
		Use:   "harden",
		Short: "Check the hardening baseline: passwords, sshd, firewall, core dumps, kernel settings, automatic updates",
		Long: `Check the host (or a mounted image with --root) against a CIS-style
hardening baseline: the minimum password length (12) and age, sshd (root
login, passwords, weak ciphers, MACs and key exchange, authentication tries,
X11 forwarding), a firewall enabled at boot, core dumps, kernel settings
(on the live host the values in effect) and automatic security updates.

Unlike vigil scan it judges the distribution's defaults too. Findings are
saved like a scan's (unless --no-store): vigil diff between two saved runs
shows the configuration drift. Exit status: 0 when nothing shown is at or
above --fail-on, 1 when something is, 2 on error.`,
		Example: `  vigil harden                     # this host
  vigil harden --root /mnt/image   # a mounted image
  vigil harden -f json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SetContext(context.WithValue(cmd.Context(), detectorsKey{}, registry.Harden()))
			return runScan(cmd, g, s)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&s.root, "root", "", "check a mounted image or extracted root filesystem instead of the live host")
	s.registerOutput(fl)
	s.store.register(cmd)
	fl.BoolVar(&s.noStore, "no-store", false, "write nothing on this host: do not save the findings")
	fl.BoolVar(&s.showSuppressed, "show-suppressed", false, "also show suppressed findings, marked")
	s.maxPerRule = engine.DefaultMaxPerRule
	return cmd
}
