package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/logs/timeline"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/target"
)

type timelineFlags struct {
	logs    logsFlags
	format  string
	all     bool
	max     int
	noStore bool
}

func newTimelineCmd(g *globals) *cobra.Command {
	f := &timelineFlags{}
	cmd := &cobra.Command{
		Use:   "timeline [FILE...]",
		Short: "One ordered timeline of log events, findings and file times, with the attack path",
		Long: `Merge into one ordered timeline: notable log events (logins, sudo, su, account
changes, package installs, audit records), the findings of the log rules, the
findings stored for this target (vigil scan, vigil files) and the times
(modification, change, birth) of the files they point at. The summary names
the first suspicious entry and the attack path (e.g. brute force on sshd →
login → new account → persistence), each step linked to its evidence.

Formats: table, csv (the columns Timesketch imports: message, datetime,
timestamp_desc ...), jsonl, html (one self-contained page: a chart of events
over time and a filterable table; works offline). While an incident case is
open (vigil incident open), the run is recorded in the case with its time and
operator, and at most 1,000 of its entries are kept with it for the report
(the attack path, the suspicious entries and their context first; what was
left out is counted). Nothing else is saved.`,
		Example: `  vigil timeline --since 2026-03-01                # the live host, from a date
  vigil timeline --root /mnt/image -f html > timeline.html
  vigil timeline --root /mnt/image -f csv > timeline.csv`,
		RunE: func(cmd *cobra.Command, args []string) error { return runTimeline(cmd, g, f, args) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.logs.scan.root, "root", "", "read a mounted image or extracted root filesystem instead of the live host")
	fl.StringVarP(&f.format, "format", "f", "table", "output format: table, csv, jsonl, html")
	fl.StringVar(&f.logs.since, "since", "", "only entries at or after TIME (RFC 3339, YYYY-MM-DD, or a duration like 72h or 7d)")
	fl.StringVar(&f.logs.until, "until", "", "only entries at or before TIME (RFC 3339, YYYY-MM-DD, or a duration like 72h or 7d)")
	fl.StringVar(&f.logs.logFormat, "log-format", "", "format of the FILEs: auth, syslog, cron, dpkg, wtmp, btmp, audit, web.access, web.error, journal (default: guessed from each name)")
	fl.BoolVar(&f.all, "all", false, "every log event, not only the notable ones (logins, sudo, accounts, packages ...)")
	fl.IntVar(&f.max, "max", timeline.DefaultMax, "at most N log events (findings are always kept)")
	f.logs.scan.store.register(cmd)
	fl.BoolVar(&f.noStore, "no-store", false, "do not use the store: no stored findings added, nothing recorded in an open incident case")
	registerLogsObservers(cmd, &f.logs)
	f.logs.brute, f.logs.bruteWindow, f.logs.sprayUsers, f.logs.successAfter, f.logs.learn = 10, 10*time.Minute, 5, 5, 72*time.Hour
	return cmd
}

func runTimeline(cmd *cobra.Command, g *globals, f *timelineFlags, args []string) error {
	logsGC(g.getenv)
	ctx := cmd.Context()
	usage := func(err error) error { return &exitError{code: ExitError, err: err} }
	switch f.format {
	case "table", "csv", "jsonl", "html":
	default:
		return usage(errors.New(g.t("cli.timeline.format", f.format)))
	}
	opt, err := f.logs.options(cmd, args)
	if err != nil {
		return usage(err)
	}
	var t *target.Target
	if f.logs.scan.root != "" {
		if t, err = target.OpenRoot(f.logs.scan.root); err != nil {
			return usage(err)
		}
	} else {
		t = target.Live()
	}
	cat, err := catalog.Load()
	if err != nil {
		return usage(err)
	}
	topt := app.TimelineOptions{Target: t, Catalog: cat, Lang: g.Lang(), Logs: opt,
		Bounds: timeline.Options{Since: opt.Since, Until: opt.Until, All: f.all, Max: f.max}}
	if !f.noStore {
		path := app.StorePath(f.logs.scan.store.path, g.getenv)
		if st, err := store.Open(ctx, path, store.Options{MustExist: true}); err == nil {
			defer st.Close()
			topt.Store = st
		}
	}
	tl, gaps, err := app.Timeline(ctx, topt)
	if err != nil {
		return usage(err)
	}
	for _, gp := range gaps {
		g.warnf("%s", g.t("cli.timeline.gap", gp.Path, cat.GapReason(g.Lang(), gp)))
	}
	w := g.stdout
	switch f.format {
	case "csv":
		err = timeline.WriteCSV(w, tl)
	case "jsonl":
		err = timeline.WriteJSONL(w, tl)
	case "html":
		err = timeline.WriteHTML(w, tl, g.Lang(), g.t("timeline.title", app.TargetLabel(g.Lang(), app.Describe(t))), timeline.PageWords{
			Path: g.t("timeline.attack-path"), NoPath: g.t("timeline.no-path"), First: g.t("timeline.first"), Chart: g.t("timeline.chart"),
			Filter: g.t("timeline.filter"), SuspiciousOnly: g.t("timeline.suspicious-only"), Time: g.t("timeline.col.time"),
			Source: g.t("timeline.col.source"), Message: g.t("timeline.col.message"), Where: g.t("timeline.col.where"), Raw: g.t("timeline.col.raw"),
			Stage: func(s string) string { return g.t(timeline.StageMsg(s)) },
		})
	default:
		err = timeline.WriteTable(w, tl, g.t)
	}
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	if topt.Store != nil {
		// While an incident case is open, the run and its chosen entries
		// are kept with it (the hook is here, after the timeline is
		// written, not in the log parsers).
		ref, run, err := app.RecordTimeline(ctx, topt.Store, tl, app.Describe(t).ID(), app.CurrentActor(g.getenv))
		if err != nil {
			return fmt.Errorf("incident case: %w", err)
		}
		if ref != "" {
			g.notef("%s", g.t("incident.timeline.recorded", ref, run.Kept, run.Entries))
		}
	}
	return nil
}
