package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/detect/registry"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/lowprio"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/report"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/suppress"
	"github.com/vigil-ir/vigil/internal/target"
)

type scanFlags struct {
	root           string
	format         string
	failOn         string
	minSeverity    string
	verbose        bool
	changedSince   string
	color          string
	progress       string
	suppressions   []string
	store          storeFlag
	noStore        bool
	baseline       bool
	newOnly        bool
	showSuppressed bool
	maxPerRule     int
	full           bool
	only, skip     []string
	debug          string
	force          bool
	cpuProfile     string
	harden         bool
}

// registerOutput registers the flags of how findings are shown, which
// every command that runs checks shares (scan, harden).
func (f *scanFlags) registerOutput(fl *pflag.FlagSet) {
	fl.StringVarP(&f.format, "format", "f", "table", "output format: table, json, jsonl")
	fl.StringVar(&f.failOn, "fail-on", "high", "exit 1 when a shown finding is at or above this severity (info..critical, none)")
	fl.StringVar(&f.minSeverity, "min-severity", "info", "show only findings at or above this severity")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "table: explain each finding (why, how to verify, what to do)")
	fl.StringVar(&f.color, "color", "auto", "colour the table: auto, always, never")
}

// detectorsKey lets tests run the scan command with their own detectors
// (a context value, so that no package state is needed).
type detectorsKey struct{}

func detectorsFrom(ctx context.Context) []engine.Detector {
	if d, ok := ctx.Value(detectorsKey{}).([]engine.Detector); ok {
		return d
	}
	return registry.All()
}

func newScanCmd(g *globals) *cobra.Command {
	f := &scanFlags{}
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Triage the host (or a mounted image with --root) for signs of intrusion",
		Long: `Triage a live Linux host, or a mounted image / extracted root filesystem
with --root, for signs of intrusion: accounts, persistence, integrity,
processes and network (live only), logs at a glance and web roots.

Read-only: nothing on the target is written. The scan is saved in the store
(` + app.DefaultStorePath + `, or --store / $` + app.StoreEnv + `) on the host running
vigil, never inside a --root target; --no-store writes nothing at all. If the
store cannot be used, the scan still runs and prints, with a warning.

Exit status: 0 when nothing shown is at or above --fail-on, 1 when something
is, 2 on error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runScan(cmd, g, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.root, "root", "", "scan a mounted image or extracted root filesystem instead of the live host")
	f.registerOutput(fl)
	fl.StringVar(&f.changedSince, "changed-since", "", "also list files changed since TIME (RFC 3339, YYYY-MM-DD, or a duration like 72h or 7d)")
	fl.StringArrayVar(&f.suppressions, "suppressions", nil, "also apply the suppressions in this YAML file (from vigil ignore export); repeatable, works with --no-store")
	fl.StringVar(&f.progress, "progress", "auto", "progress of the checks on stderr: auto (when stderr is a terminal), always, never")
	f.store.register(cmd)
	fl.BoolVar(&f.noStore, "no-store", false, "write nothing on this host: do not save the scan (the store's suppressions are not applied; --suppressions FILE is)")
	fl.BoolVar(&f.baseline, "baseline", false, "mark this scan as the target's known-good state (for --new and diff)")
	fl.BoolVar(&f.newOnly, "new", false, "show only findings new since the baseline (or, without one, the previous scan of this target)")
	fl.BoolVar(&f.showSuppressed, "show-suppressed", false, "also show suppressed findings, marked (they still do not count for --fail-on)")
	fl.BoolVar(&f.force, "force", false, "with --new: judge against a scan of the same machine saved as another target (another root path, or the live host) when this target has none")
	fl.IntVar(&f.maxPerRule, "max-per-rule", engine.DefaultMaxPerRule, "report at most N findings of one rule, and fold the rest into one finding that counts them (0: never fold)")
	fl.BoolVar(&f.harden, "harden", false, "also check the hardening baseline (what vigil harden checks)")
	fl.BoolVar(&f.full, "full", false, "rehash every package file (by default a file whose inode, size, mtime and ctime are unchanged since the last scan is not reread; see docs/store.md)")
	fl.StringSliceVar(&f.only, "only", nil, "run only these checks (comma-separated names, as vigil rules lists them)")
	fl.StringVar(&f.cpuProfile, "cpuprofile", "", "debug: write a CPU profile of the scan to FILE (go tool pprof)")
	_ = fl.MarkHidden("cpuprofile")
	fl.StringSliceVar(&f.skip, "skip", nil, "do not run these checks (comma-separated names); they are listed as skipped by request")
	fl.StringVar(&f.debug, "debug", "", "write a debug log (stacks of failed checks) to stderr, or with --debug=FILE to FILE")
	fl.Lookup("debug").NoOptDefVal = "-"
	addScanFilesFlag(cmd)
	return cmd
}

// openDebug opens the --debug log: "" none, "-" stderr, else a file
// (appended to).
func openDebug(dest string, stderr io.Writer) (io.Writer, error) {
	switch dest {
	case "":
		return nil, nil
	case "-":
		return stderr, nil
	}
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("--debug: %w", err)
	}
	return f, nil
}

func runScan(cmd *cobra.Command, g *globals, f *scanFlags) error {
	ctx := cmd.Context()
	usage := func(err error) error { return &exitError{code: ExitError, err: err} }
	failOn, err := model.ParseSeverity(f.failOn)
	if err != nil {
		return usage(errors.New(g.t("cli.err.severity", "--fail-on", f.failOn)))
	}
	minSev, err := model.ParseSeverity(f.minSeverity)
	if err != nil {
		return usage(errors.New(g.t("cli.err.severity", "--min-severity", f.minSeverity)))
	}
	if f.maxPerRule < 0 {
		return usage(errors.New(g.t("cli.err.max-per-rule")))
	}
	if f.maxPerRule == 0 {
		f.maxPerRule = -1 // the engine's "never fold"
	}
	if f.noStore && (f.baseline || f.newOnly || f.store.path != "") {
		return usage(errors.New(g.t("cli.err.no-store")))
	}
	var since time.Time
	if f.changedSince != "" {
		if since, err = ParseSince(f.changedSince, time.Now()); err != nil {
			return usage(fmt.Errorf("--changed-since: %w", err))
		}
	}
	detectors := detectorsFrom(ctx)
	if f.harden {
		detectors = append(detectors, registry.Harden()...)
	}
	skip, err := app.SelectChecks(detectors, f.only, f.skip)
	if err != nil {
		return usage(err)
	}
	var t *target.Target
	if f.root != "" {
		if t, err = target.OpenRoot(f.root); err != nil {
			return usage(err)
		}
	} else {
		t = target.Live()
	}
	var storePath string
	if !f.noStore {
		storePath = app.StorePath(f.store.path, g.getenv)
		if err := app.CheckStoreOutsideTarget(storePath, t); err != nil {
			return usage(err)
		}
	}
	cat, err := catalog.Load()
	if err != nil {
		return usage(fmt.Errorf("rule catalog: %w", err))
	}
	lang := g.Lang()
	h, err := report.New(f.format, g.stdout, report.Options{
		Lang: lang, Catalog: cat, Verbose: f.verbose, Color: wantColor(f.color, g.stdout), Width: termWidth(g.stdout),
	})
	if err != nil {
		return usage(err)
	}
	showProgress, err := wantProgress(f.progress, g.stderr)
	if err != nil {
		return usage(err)
	}
	if t.IsLive() {
		lowprio.Apply()
	}

	fileSupp, err := app.ReadSuppressionFiles(f.suppressions)
	if err != nil {
		return usage(err)
	}
	view := app.ViewOptions{MinSeverity: minSev, ShowSuppressed: f.showSuppressed}
	var rec *app.Recorder
	var hashes store.HashStore
	var freshness []model.Gap
	if st := openScanStore(ctx, g, storePath); st != nil {
		defer st.Close()
		if err := prepareView(ctx, g, st, cmd.Name(), t, f, &view, fileSupp); err != nil {
			return usage(err)
		}
		rec = app.NewRecorder(ctx, st, store.SaveOptions{Baseline: f.baseline})
		if adv, ok := st.(store.Advisories); ok {
			freshness = app.AdvisoryFreshness(ctx, adv, t, time.Now(), 0)
		}
		hashes, _ = st.(store.HashStore)
	} else {
		if f.newOnly {
			g.warnf("%s", g.t("cli.new.no-store"))
		}
		if view.Suppressions, err = app.LoadSuppressions(ctx, nil, store.Actor{}, nil, fileSupp...); err != nil {
			g.warnf("%s", g.t("cli.suppressions.failed", err))
		}
	}
	opts := app.ScanOptions{
		Target:       t,
		Detectors:    detectors,
		Catalog:      cat,
		Lang:         lang,
		ChangedSince: since,
		MaxPerRule:   f.maxPerRule, // -1 (from 0): never fold
		View:         view.Verdict,
		Hashes:       hashes,
		Full:         f.full,
		Skip:         skip,
		Kind:         cmd.Name(), // scan, files, logs, harden: runs are history of their own kind
		Operator:     app.CurrentActor(g.getenv).String(),
		Warn:         func(id string, a ...any) { g.warnf("%s", g.t(id, a...)) },
		Gaps:         freshness,
	}
	if rec != nil {
		opts.Record = rec
	}
	if opts.Debug, err = openDebug(f.debug, g.stderr); err != nil {
		return usage(err)
	}
	if c, ok := opts.Debug.(io.Closer); ok {
		defer c.Close()
	}
	if showProgress {
		p := newProgress(g.stderr, g.Lang())
		opts.Progress = p.Check
		defer p.Done() // also on error; after a normal end it ran already
		opts.ChecksDone = p.Done
	}
	if f.cpuProfile != "" {
		stop, err := startCPUProfile(f.cpuProfile)
		if err != nil {
			return usage(err)
		}
		defer stop()
	}
	sum, err := app.Scan(ctx, opts, h)
	var recErr *app.RecordError
	switch {
	case errors.As(err, &recErr):
		g.warnf("%s", g.t("cli.scan.not-saved", recErr.Err))
	case err != nil:
		return usage(err)
	case rec != nil && (f.format == "" || f.format == "table"):
		saved := rec.Saved()
		if saved.Baseline {
			g.notef("%s", g.t("cli.scan.saved-baseline", saved.ID, storePath))
		} else {
			g.notef("%s", g.t("cli.scan.saved", saved.ID, storePath))
		}
	}
	if code := app.ExitCode(sum, failOn); code != 0 {
		return &exitError{code: code}
	}
	return nil
}

// openScanStore opens the store for a scan; a store that cannot be used is
// a warning, not a failure: the scan must still run and print.
func openScanStore(ctx context.Context, g *globals, path string) store.Store {
	if path == "" {
		return nil
	}
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		g.warnf("%s", g.t("cli.scan.no-store", err))
		return nil
	}
	return st
}

// prepareView loads suppressions and, for --new, the reference scan's
// fingerprints. Failures are warnings: showing more is safe, hiding
// wrongly is not. The one error is a reference of another target without
// --force: comparing two targets as one would hide or invent findings.
func prepareView(ctx context.Context, g *globals, st store.Store, kind string, t *target.Target, f *scanFlags, view *app.ViewOptions, extra []suppress.Suppression) error {
	set, err := app.LoadSuppressions(ctx, st, app.CurrentActor(g.getenv), nil, extra...)
	if err != nil {
		g.warnf("%s", g.t("cli.suppressions.failed", err))
	}
	view.Suppressions = set
	if !f.newOnly {
		return nil
	}
	tinfo := app.Describe(t)
	known, ref, ok, err := app.NewReference(ctx, st, kind, tinfo, f.force)
	switch {
	case errors.Is(err, app.ErrDifferentTargets):
		return fmt.Errorf("--new: %w", err)
	case err != nil:
		g.warnf("%s", g.t("cli.new.failed", err))
	case !ok:
		g.notef("%s", g.t("cli.new.none", app.TargetLabel(g.Lang(), tinfo)))
	default:
		id := "cli.new.since-previous"
		if ref.Baseline {
			id = "cli.new.since-baseline"
		}
		g.notef("%s", g.t(id, app.DescribeScan(g.Lang(), ref), app.TargetLabel(g.Lang(), tinfo)))
		if ref.TargetKey != tinfo.ID() {
			g.warnf("%s", g.t("cli.new.other-target", app.DescribeScan(g.Lang(), ref), app.TargetLabel(g.Lang(), tinfo)))
		}
		view.Known = known
	}
	return nil
}

// startCPUProfile writes a CPU profile to path until stop is called
// (--cpuprofile, a hidden debugging flag for finding where a scan's time
// goes).
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
