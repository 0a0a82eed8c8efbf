package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/detect/registry"
	"github.com/vigil-ir/vigil/internal/lowprio"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/report"
	"github.com/vigil-ir/vigil/internal/target"
)

type scanFlags struct {
	root         string
	format       string
	failOn       string
	minSeverity  string
	verbose      bool
	changedSince string
	color        string
}

func newScanCmd(g *globals) *cobra.Command {
	f := &scanFlags{}
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Triage the host (or a mounted image with --root) for signs of intrusion",
		Long: `Triage a live Linux host, or a mounted image / extracted root filesystem
with --root, for signs of intrusion: accounts, persistence, integrity,
processes and network (live only), logs at a glance and web roots.

Read-only: nothing on the target is written. Exit status: 0 when nothing is
at or above --fail-on, 1 when something is, 2 on error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runScan(cmd, g, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.root, "root", "", "scan a mounted image or extracted root filesystem instead of the live host")
	fl.StringVarP(&f.format, "format", "f", "table", "output format: table, json, jsonl")
	fl.StringVar(&f.failOn, "fail-on", "high", "exit 1 when a shown finding is at or above this severity (info..critical, none)")
	fl.StringVar(&f.minSeverity, "min-severity", "info", "show only findings at or above this severity")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "table: explain each finding (why, how to verify, what to do)")
	fl.StringVar(&f.changedSince, "changed-since", "", "also list files changed since TIME (RFC 3339, YYYY-MM-DD, or a duration like 72h or 7d)")
	fl.StringVar(&f.color, "color", "auto", "colour the table: auto, always, never")
	return cmd
}

func runScan(cmd *cobra.Command, g *globals, f *scanFlags) error {
	usage := func(err error) error { return &exitError{code: ExitError, err: err} }
	failOn, err := model.ParseSeverity(f.failOn)
	if err != nil {
		return usage(fmt.Errorf("--fail-on: %w", err))
	}
	minSev, err := model.ParseSeverity(f.minSeverity)
	if err != nil {
		return usage(fmt.Errorf("--min-severity: %w", err))
	}
	var since time.Time
	if f.changedSince != "" {
		if since, err = ParseSince(f.changedSince, time.Now()); err != nil {
			return usage(fmt.Errorf("--changed-since: %w", err))
		}
	}
	var t *target.Target
	if f.root != "" {
		if t, err = target.OpenRoot(f.root); err != nil {
			return usage(err)
		}
	} else {
		t = target.Live()
		lowprio.Apply()
	}
	cat, err := catalog.Load()
	if err != nil {
		return usage(fmt.Errorf("rule catalog: %w", err))
	}
	lang := g.Lang()
	h, err := report.New(f.format, g.stdout, report.Options{
		Lang: lang, Catalog: cat, Verbose: f.verbose, Color: wantColor(f.color, g.stdout),
	})
	if err != nil {
		return usage(err)
	}
	sum, err := app.Scan(cmd.Context(), app.ScanOptions{
		Target:       t,
		Detectors:    registry.All(),
		Catalog:      cat,
		Lang:         lang,
		ChangedSince: since,
		Filter:       func(fd model.Finding) bool { return fd.Severity >= minSev },
	}, h)
	if err != nil {
		return usage(err)
	}
	if code := app.ExitCode(sum, failOn); code != 0 {
		return &exitError{code: code}
	}
	return nil
}
