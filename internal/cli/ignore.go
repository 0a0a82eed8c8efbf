package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/suppress"
	"github.com/vigil-ir/vigil/internal/termtext"
)

func newIgnoreCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var reason, pathGlob, until string
	var force bool
	cmd := &cobra.Command{
		Use:   "ignore FINGERPRINT|RULE --reason TEXT [--path GLOB] [--until DATE]",
		Short: "Suppress a finding (by fingerprint) or a rule (optionally on some paths), with a reason kept for audit",
		Long: `Mark findings as known — a false positive, or a risk accepted — with the reason,
recorded with who did it (OS user and SUDO_USER) in the store's append-only
audit trail. Suppressed findings leave the default output of scan, show,
diff and findings but are counted; --show-suppressed shows them, marked.

  vigil ignore 3fa9c2e1d0b4a5f6e7d8 --reason "backup job, checked with ops"
  vigil ignore 3fa9c2e1 --reason "..."            (a unique fingerprint prefix)
  vigil ignore persistence.shell.alias --path '/home/*/.bashrc' --reason "team aliases"
  vigil ignore 'integrity.*' --path '/opt/vendor/**' --reason "vendor agent" --until 2026-12-31

--until takes a date (the suppression ends after that day), an RFC 3339
time, or a duration (30d, 12h); expired suppressions stop applying by
themselves and their expiry is audited.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			usage := func(err error) error { return &exitError{code: ExitError, err: err} }
			if strings.TrimSpace(reason) == "" {
				return usage(errors.New(g.t("cli.err.reason")))
			}
			s := suppress.Suppression{Reason: strings.TrimSpace(reason), Path: pathGlob}
			if until != "" {
				u, err := suppress.ParseUntil(until, time.Now(), time.Local)
				if err != nil {
					return usage(fmt.Errorf("--until: %w", err))
				}
				s.Until = u
			}
			st, err := sf.open(ctx, g, false)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := resolveIgnoreTarget(cmd, st, args[0], &s); err != nil {
				return usage(err)
			}
			if s.Broad() {
				if err := checkBroad(ctx, g, st, s, force); err != nil {
					return usage(err)
				}
			}
			id, err := st.AddSuppression(ctx, s, app.CurrentActor(g.getenv))
			if err != nil {
				return usage(err)
			}
			fmt.Fprintf(g.stdout, "%s #%d: %s (%s: %s)\n", word(g.Lang(), "added"), id, s.Describe(), word(g.Lang(), "reason_l"), s.Reason)
			return nil
		},
	}
	sf.register(cmd)
	cmd.Flags().StringVar(&reason, "reason", "", "why (required; kept in the audit trail)")
	cmd.Flags().StringVar(&pathGlob, "path", "", "only findings whose path matches this glob ('*' stays in a directory, '**' crosses)")
	cmd.Flags().StringVar(&until, "until", "", "expire after this date (YYYY-MM-DD), time (RFC 3339) or duration (30d)")
	cmd.Flags().BoolVar(&force, "force", false, "add a suppression that matches every finding of its rules on every path ('*', a rule glob without --path)")
	cmd.AddCommand(newIgnoreListCmd(g), newIgnoreRemoveCmd(g), newIgnoreExportCmd(g), newIgnoreImportCmd(g), newIgnoreAuditCmd(g))
	return cmd
}

// checkBroad refuses, unless force, a suppression that matches every
// finding of its rules on every path, saying how many findings of the
// latest scan it would hide, by severity; with force it says so and lets
// it through.
func checkBroad(ctx context.Context, g *globals, st store.Store, s suppress.Suppression, force bool) error {
	latest, counts, ok, err := app.SuppressionImpact(ctx, st, s)
	if err != nil {
		return err
	}
	if !ok {
		if force {
			return nil
		}
		return errors.New(g.t("history.ignore-broad-empty", s.Describe()))
	}
	n := 0
	for _, c := range counts {
		n += c
	}
	scan := app.DescribeScan(g.Lang(), latest)
	if !force {
		return errors.New(g.t("history.ignore-broad", s.Describe(), n, scan, sevCounts(g, counts)))
	}
	g.notef("%s", g.t("history.ignore-hides", n, scan, sevCounts(g, counts)))
	return nil
}

// sevCounts is "2 critical, 5 high" (most severe first; "0" when empty).
func sevCounts(g *globals, counts map[model.Severity]int) string {
	lang := g.Lang()
	var parts []string
	for sev := model.Critical; sev >= model.Info; sev-- {
		if counts[sev] > 0 {
			label := termtext.Severity(lang, sev)
			if lang == catalog.English {
				label = strings.ToLower(label)
			}
			parts = append(parts, g.t("history.sev-count", counts[sev], label))
		}
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, g.t("report.list_sep"))
}

// resolveIgnoreTarget reads FINGERPRINT|RULE: a fingerprint, a unique
// fingerprint prefix of a stored finding, or a rule id / rule glob that
// names at least one rule of the catalog (a typo must not silently
// suppress nothing).
func resolveIgnoreTarget(cmd *cobra.Command, st store.Store, arg string, s *suppress.Suppression) error {
	arg = strings.TrimSpace(arg)
	if suppress.IsFingerprint(arg) {
		s.Fingerprint = arg
		return nil
	}
	if len(arg) >= 6 && len(arg) < 20 && strings.Trim(arg, "0123456789abcdef") == "" {
		fp, err := st.ResolveFingerprint(cmd.Context(), arg)
		if err != nil {
			return err
		}
		s.Fingerprint = fp
		return nil
	}
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	g, err := suppress.CompileRule(arg)
	if err != nil {
		return fmt.Errorf("rule %q: %w", arg, err)
	}
	for _, r := range cat.Rules() {
		if g.Match(r.ID) {
			s.Rule = arg
			return nil
		}
	}
	return errors.New(cat.T(langOf(cmd), "cli.err.not-fp-or-rule", arg))
}

func newIgnoreListCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var all bool
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List suppressions (--all: also expired and removed ones)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return &exitError{code: ExitError, err: errors.New(g.t("cli.err.format", format, "table, json"))}
			}
			st, err := sf.open(cmd.Context(), g, true)
			if err != nil {
				return err
			}
			defer st.Close()
			list, err := st.Suppressions(cmd.Context(), all, app.CurrentActor(g.getenv))
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			now := time.Now()
			if format == "json" {
				type item struct {
					suppress.Suppression
					State suppress.State `json:"state"`
				}
				out := []item{}
				for _, s := range list {
					out = append(out, item{s, s.StateAt(now)})
				}
				return writeJSON(g.stdout, out)
			}
			return writeSuppressions(g, list, now)
		},
	}
	sf.register(cmd)
	cmd.Flags().BoolVar(&all, "all", false, "also list expired and removed suppressions")
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table or json")
	return cmd
}

func writeSuppressions(g *globals, list []suppress.Suppression, now time.Time) error {
	lang := g.Lang()
	if len(list) == 0 {
		_, err := fmt.Fprintln(g.stdout, word(lang, "no_supp"))
		return err
	}
	t := &table{right: map[int]bool{0: true}}
	t.add(word(lang, "id"), word(lang, "state"), word(lang, "match"), word(lang, "until"), word(lang, "by"), word(lang, "reason"))
	for _, s := range list {
		var match []string
		if s.Fingerprint != "" {
			match = append(match, s.Fingerprint)
		}
		if s.Rule != "" {
			match = append(match, s.Rule)
		}
		if s.Path != "" {
			match = append(match, s.Path)
		}
		until := word(lang, "never")
		if !s.Until.IsZero() {
			until = s.Until.UTC().Format("2006-01-02 15:04")
		}
		reason := s.Reason
		if s.RemovedReason != "" {
			reason += " / " + word(lang, "removed") + ": " + s.RemovedReason
		}
		t.add(strconv.FormatInt(s.ID, 10), word(lang, string(s.StateAt(now))), termtext.Truncate(strings.Join(match, " "), 70), until,
			termtext.Truncate(s.CreatedBy, 30), reason)
	}
	if err := t.write(g.stdout); err != nil {
		return err
	}
	_, err := fmt.Fprintf(g.stdout, "\n%d %s\n", len(list), word(lang, "suppressions"))
	return err
}

func newIgnoreRemoveCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var reason string
	cmd := &cobra.Command{
		Use:   "remove ID --reason TEXT",
		Short: "Withdraw a suppression (it stays on record, with who and why)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(strings.TrimPrefix(args[0], "#"), 10, 64)
			if err != nil {
				return &exitError{code: ExitError, err: errors.New(g.t("cli.err.not-suppression", args[0]))}
			}
			if strings.TrimSpace(reason) == "" {
				return &exitError{code: ExitError, err: errors.New(g.t("cli.err.reason"))}
			}
			st, err := sf.open(cmd.Context(), g, true)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.RemoveSuppression(cmd.Context(), id, strings.TrimSpace(reason), app.CurrentActor(g.getenv)); err != nil {
				return &exitError{code: ExitError, err: err}
			}
			fmt.Fprintf(g.stdout, "%s #%d\n", word(g.Lang(), "removed_l"), id)
			return nil
		},
	}
	sf.register(cmd)
	cmd.Flags().StringVar(&reason, "reason", "", "why (required; kept in the audit trail)")
	return cmd
}

func newIgnoreExportCmd(g *globals) *cobra.Command {
	var sf storeFlag
	cmd := &cobra.Command{
		Use:   "export FILE.yaml",
		Short: "Write the active suppressions to a YAML file ('-': standard output) for version control and other hosts",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := sf.open(cmd.Context(), g, true)
			if err != nil {
				return err
			}
			defer st.Close()
			list, err := st.Suppressions(cmd.Context(), false, app.CurrentActor(g.getenv))
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			if args[0] == "-" {
				return suppress.Encode(g.stdout, list)
			}
			var buf strings.Builder
			if err := suppress.Encode(&buf, list); err != nil {
				return err
			}
			if err := os.WriteFile(args[0], []byte(buf.String()), 0o600); err != nil {
				return &exitError{code: ExitError, err: err}
			}
			g.notef("%s", g.t("cli.ignore.exported", len(list), args[0]))
			return nil
		},
	}
	sf.register(cmd)
	return cmd
}

func newIgnoreImportCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var force bool
	cmd := &cobra.Command{
		Use:   "import FILE.yaml",
		Short: "Add the suppressions of a YAML file ('-': standard input); ones already present or expired are skipped",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var r io.Reader = cmd.InOrStdin()
			source := "standard input"
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return &exitError{code: ExitError, err: err}
				}
				defer f.Close()
				r = f
				if source, err = filepath.Abs(args[0]); err != nil {
					source = args[0]
				}
			}
			list, err := suppress.Decode(r, time.Local)
			if err != nil {
				return &exitError{code: ExitError, err: fmt.Errorf("%s: %w", args[0], err)}
			}
			st, err := sf.open(cmd.Context(), g, false)
			if err != nil {
				return err
			}
			defer st.Close()
			// A broad entry in a file is as broad as one typed: the same
			// count of what it would hide, the same --force.
			for _, s := range list {
				if s.Broad() {
					if err := checkBroad(cmd.Context(), g, st, s, force); err != nil {
						return &exitError{code: ExitError, err: err}
					}
				}
			}
			added, skipped, err := st.ImportSuppressions(cmd.Context(), list, source, app.CurrentActor(g.getenv))
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			fmt.Fprintf(g.stdout, "%s: %d, %s: %d\n", word(g.Lang(), "imported"), added, word(g.Lang(), "skipped"), skipped)
			return nil
		},
	}
	sf.register(cmd)
	cmd.Flags().BoolVar(&force, "force", false, "import suppressions that match every finding of their rules on every path ('*', a rule glob without a path)")
	return cmd
}

func newIgnoreAuditCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var format string
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Show the append-only audit trail of suppressions: when, who (and SUDO_USER), what, why",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return &exitError{code: ExitError, err: errors.New(g.t("cli.err.format", format, "table, json"))}
			}
			st, err := sf.open(cmd.Context(), g, true)
			if err != nil {
				return err
			}
			defer st.Close()
			// Reading the suppressions first records expiries not yet noticed.
			if _, err := st.Suppressions(cmd.Context(), false, app.CurrentActor(g.getenv)); err != nil {
				return &exitError{code: ExitError, err: err}
			}
			entries, err := st.Audit(cmd.Context())
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			if format == "json" {
				if entries == nil {
					entries = []store.AuditEntry{}
				}
				return writeJSON(g.stdout, entries)
			}
			lang := g.Lang()
			if len(entries) == 0 {
				_, err := fmt.Fprintln(g.stdout, word(lang, "no_audit"))
				return err
			}
			t := &table{}
			t.add(word(lang, "at"), word(lang, "who"), word(lang, "action"), word(lang, "id"), word(lang, "detail"), word(lang, "reason"))
			for _, e := range entries {
				id := ""
				if e.SuppressionID > 0 {
					id = "#" + strconv.FormatInt(e.SuppressionID, 10)
				}
				t.add(e.At.UTC().Format("2006-01-02 15:04:05"), e.Actor.String(), word(lang, "act_"+e.Action), id, termtext.Truncate(e.Detail, 80), e.Reason)
			}
			return t.write(g.stdout)
		},
	}
	sf.register(cmd)
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table or json")
	return cmd
}
