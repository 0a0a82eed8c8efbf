package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/store"
)

func newDbCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "Vulnerability data: import advisories, KEV and EPSS into the store, show what is there",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newDbImportCmd(g), newDbStatusCmd(g), newDbUpdateCmd(g), newDbExportCmd(g), newDbKeygenCmd(g))
	return cmd
}

// openAdvisories opens the SQLite store for the vulnerability commands
// (the advisory tables are the SQLite store's own interface).
func openAdvisories(ctx context.Context, g *globals, sf storeFlag, opt store.Options) (*store.SQLite, error) {
	return store.Open(ctx, app.StorePath(sf.path, g.getenv), opt)
}

func newDbImportCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var bf bundleFlags
	cmd := &cobra.Command{
		Use:   "import PATH...",
		Short: "Import advisory files: OSV (zip or directory), Debian security tracker JSON, CISA KEV JSON, EPSS CSV",
		Long: "Import vulnerability data into the store, offline. Each PATH is an OSV zip or\n" +
			"directory as osv.dev publishes per ecosystem (Debian, Ubuntu, Alpine, AlmaLinux,\n" +
			"Rocky Linux, Red Hat), the Debian security tracker's JSON, CISA's Known Exploited\n" +
			"Vulnerabilities catalog (JSON), an EPSS scores file (CSV, optionally gzip), or\n" +
			"an offline bundle of vigil db export, whose signature is verified against the\n" +
			"trusted keys (--keys) and whose data may not be older than the store's.\n\n" +
			"Every file is read whole before anything is written: a damaged or truncated\n" +
			"file, or a bundle that is unsigned or signed by an untrusted key, is refused\n" +
			"and the store keeps its previous data. Importing the same data again changes\n" +
			"nothing.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opt, err := bf.options(g)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			st, err := openAdvisories(cmd.Context(), g, sf, store.Options{})
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			defer st.Close()
			res, err := app.ImportAdvisoryFiles(cmd.Context(), st, args, opt)
			for _, n := range res.Notes {
				fmt.Fprintln(g.stdout, texts().Message(g.Lang(), n))
			}
			printImportStats(g, res.Stats)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			return nil
		},
	}
	sf.register(cmd)
	bf.register(cmd)
	return cmd
}

func newDbStatusCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var format string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the imported vulnerability data: sources, record counts, age, releases covered",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return &exitError{code: ExitError, err: errors.New(g.t("cli.err.format", format, "table, json"))}
			}
			st, err := openAdvisories(cmd.Context(), g, sf, store.Options{MustExist: true})
			if errors.Is(err, store.ErrNoStore) {
				st, err = nil, nil
			}
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			status := app.DBStatus{Sources: []store.SourceStatus{}, Slices: []store.SliceStatus{}}
			if st != nil {
				defer st.Close()
				if status, err = app.AdvisoryStatus(cmd.Context(), st); err != nil {
					return &exitError{code: ExitError, err: err}
				}
			}
			if format == "json" {
				return writeJSON(g.stdout, status)
			}
			return writeDBStatus(g, status, time.Now())
		},
	}
	sf.register(cmd)
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table or json")
	return cmd
}

func writeDBStatus(g *globals, s app.DBStatus, now time.Time) error {
	lang := g.Lang()
	if len(s.Sources) == 0 {
		_, err := fmt.Fprintln(g.stdout, g.t("vuln.db.empty"))
		return err
	}
	t := &table{right: map[int]bool{1: true}}
	t.add(word(lang, "vuln.source"), word(lang, "vuln.records"), word(lang, "vuln.data-date"), word(lang, "vuln.age"), word(lang, "vuln.origin"))
	for _, x := range s.Sources {
		t.add(x.Source, fmt.Sprint(x.Records), dateOrDash(x.DataDate), ageText(lang, app.Age(x.DataDate, now)), x.Origin)
	}
	if err := t.write(g.stdout); err != nil {
		return err
	}
	fmt.Fprintln(g.stdout)
	r := &table{right: map[int]bool{1: true}}
	r.add(word(lang, "vuln.release"), word(lang, "vuln.records"), word(lang, "vuln.source"))
	for _, x := range s.Slices {
		r.add(x.Distro+" "+x.Release, fmt.Sprint(x.Rows), strings.Join(x.Sources, ", "))
	}
	return r.write(g.stdout)
}

func dateOrDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// ageText renders an age in days (hours under two days).
func ageText(lang string, d time.Duration) string {
	if d < 48*time.Hour {
		return word(lang, "vuln.hours", int(d.Hours()))
	}
	return word(lang, "vuln.days", int(d.Hours()/24))
}

func newDbUpdateCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var sources []string
	var mirror string
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Fetch the advisory files from their public locations (or a mirror) and import them",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			usage := func(err error) error { return &exitError{code: ExitError, err: err} }
			st, err := openAdvisories(cmd.Context(), g, sf, store.Options{})
			if err != nil {
				return usage(err)
			}
			defer st.Close()
			stats, err := app.FetchAdvisories(cmd.Context(), st, sources, mirror, app.DefaultFetchClient())
			printImportStats(g, stats)
			if err != nil {
				return usage(err)
			}
			return nil
		},
	}
	sf.register(cmd)
	cmd.Flags().StringSliceVar(&sources, "source", []string{"osv:Debian", "debian-tracker", "kev", "epss"}, "the sources to fetch (osv:Debian, osv:Ubuntu, osv:Alpine, osv:AlmaLinux, osv:Rocky Linux, osv:Red Hat, debian-tracker, kev, epss)")
	cmd.Flags().StringVar(&mirror, "mirror", "", "fetch from this base URL instead of the public hosts (same paths)")
	return cmd
}

func printImportStats(g *globals, stats []store.ImportStats) {
	for _, s := range stats {
		if s.Unchanged {
			fmt.Fprintln(g.stdout, g.t("vuln.db.unchanged", s.Source, s.Records))
			continue
		}
		fmt.Fprintln(g.stdout, g.t("vuln.db.imported", s.Source, s.Records, s.Added, s.Changed, s.Removed))
	}
}
