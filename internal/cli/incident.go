package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/incident"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
)

func newIncidentCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "incident",
		Short: "Keep an incident case: open it, add notes, follow the playbook, close it, report",
		Long: `An incident case lives in the store. While it is open, scans, containment
actions, evidence archives and disk images are attached to it automatically,
with time and operator. The playbook is its checklist: contain, assess and
back up, fix and verify, trace and clean, harden, report.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newIncidentOpenCmd(g), newIncidentNoteCmd(g), newIncidentStatusCmd(g), newIncidentCloseCmd(g), newIncidentReportCmd(g))
	return cmd
}

func newIncidentOpenCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var aware string
	cmd := &cobra.Command{
		Use:   "open TITLE",
		Short: "Open an incident case (one at a time)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var at time.Time
			if aware != "" {
				var err error
				if at, err = ParseSince(aware, time.Now()); err != nil {
					return errExit(fmt.Errorf("--aware: %w", err))
				}
			}
			st, err := sf.open(cmd.Context(), g, false)
			if err != nil {
				return err
			}
			defer st.Close()
			c, err := app.OpenIncident(cmd.Context(), st, args[0], at, app.CurrentActor(g.getenv))
			if err != nil {
				return errExit(err)
			}
			fmt.Fprintln(g.stdout, g.t("incident.opened", c.Reference, c.Title, c.Aware.Format(time.RFC3339)))
			return nil
		},
	}
	sf.register(cmd)
	cmd.Flags().StringVar(&aware, "aware", "", "when you became aware of the incident (RFC 3339, YYYY-MM-DD, or a duration ago: 6h); default now")
	return cmd
}

func newIncidentNoteCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var step string
	cmd := &cobra.Command{
		Use:   "note TEXT",
		Short: "Add a note to the open case, optionally for a playbook step",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := sf.open(cmd.Context(), g, true)
			if err != nil {
				return err
			}
			defer st.Close()
			c, err := app.NoteIncident(cmd.Context(), st, args[0], step, app.CurrentActor(g.getenv))
			if err != nil {
				return errExit(err)
			}
			fmt.Fprintln(g.stdout, g.t("incident.noted", c.Reference))
			return nil
		},
	}
	sf.register(cmd)
	cmd.Flags().StringVar(&step, "step", "", "the playbook step it records: contain, assess, fix, trace, harden, report")
	return cmd
}

func newIncidentStatusCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var format string
	cmd := &cobra.Command{
		Use:   "status [CASE]",
		Short: "Show a case (default: the open one, else the newest) and its playbook: what was done, what is open",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" {
				return errExit(errors.New(g.t("cli.err.format", format, "table, json")))
			}
			st, err := sf.openReadOnly(cmd.Context(), g)
			if err != nil {
				return err
			}
			defer st.Close()
			ref := ""
			if len(args) == 1 {
				ref = args[0]
			}
			s, err := app.StatusOfIncident(cmd.Context(), st, ref)
			if err != nil {
				return errExit(err)
			}
			if format == "json" {
				return writeJSON(g.stdout, s)
			}
			writeIncidentStatus(g, s)
			return nil
		},
	}
	sf.register(cmd)
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table or json")
	return cmd
}

func writeIncidentStatus(g *globals, s *app.IncidentStatus) {
	c := s.Case
	out := func(id string, a ...any) { fmt.Fprintln(g.stdout, g.t(id, a...)) }
	out("incident.status.head", c.Reference, c.Title, g.t("incident.state."+c.State))
	out("incident.status.times", c.Opened.Local().Format("2006-01-02 15:04"), c.OpenedBy, c.Aware.Local().Format("2006-01-02 15:04"))
	if c.State == store.CaseClosed {
		out("incident.status.closed", c.Closed.Local().Format("2006-01-02 15:04"), c.ClosedBy)
	}
	for _, st := range s.Checklist {
		mark := "[ ]"
		if st.Done {
			mark = "[x]"
		}
		fmt.Fprintf(g.stdout, "\n%s %s\n", mark, g.t("incident.step."+st.Step))
		if !st.Done {
			fmt.Fprintf(g.stdout, "      %s\n", g.t("incident.status.open"))
		}
		for _, e := range st.What {
			fmt.Fprintf(g.stdout, "      %s  %s\n", e.At.Local().Format("01-02 15:04"), eventLine(g, e))
		}
	}
}

// eventLine is one journal line in the reader's language.
func eventLine(g *globals, e store.CaseEvent) string {
	return incident.EventText(texts(), g.Lang(), e)
}

func newIncidentCloseCmd(g *globals) *cobra.Command {
	var sf storeFlag
	cmd := &cobra.Command{
		Use:   "close",
		Short: "Close the open case: nothing more is attached to it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := sf.open(cmd.Context(), g, true)
			if err != nil {
				return err
			}
			defer st.Close()
			c, err := app.CloseIncident(cmd.Context(), st, app.CurrentActor(g.getenv))
			if err != nil {
				return errExit(err)
			}
			fmt.Fprintln(g.stdout, g.t("incident.closed", c.Reference, c.Title))
			return nil
		},
	}
	sf.register(cmd)
	return cmd
}

func newIncidentReportCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var format, tmpl, output string
	var timelines []string
	cmd := &cobra.Command{
		Use:   "report [CASE]",
		Short: "Write the incident report: Markdown, JSON, self-contained HTML or PDF, or the 72-hour regulator notification",
		Long: `Render the report of a case (default: the open one, else the newest) from what
the store holds: summary, timeline, scope (hosts, accounts, data at risk),
entry vector and root cause (operator notes and findings), actions taken,
evidence preserved, indicators of compromise, remediation and hardening,
lessons, and the playbook. A section with nothing recorded says "unknown".
The timelines vigil timeline kept with the case while it was open are in it,
with their attack path. --timeline FILE adds one made elsewhere (vigil
timeline --format jsonl): log events (logins, web requests, sudo ...), log
findings, process starts, file times.
--template regulator writes the notification due 72 hours after awareness.
The language is --lang (en or zh-CN). HTML is one file with its chart
inline: it opens offline. PDF is that page printed by headless Chromium
(apt-get install chromium fonts-noto-cjk), its fonts embedded.`,
		Example: `  # the open case, as an editable Markdown file
  vigil incident report -o web1-report.md
  # the regulator's notification, in Chinese, as HTML
  vigil incident report --template regulator --format html --lang zh-CN -o notice.html
  # with the timeline of another host
  vigil timeline --format jsonl > web1-timeline.jsonl
  vigil incident report --timeline web1-timeline.jsonl -o web1-report.md
  # the whole report as PDF (needs chromium)
  vigil incident report --format pdf -o web1-report.pdf`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := sf.openReadOnly(cmd.Context(), g)
			if err != nil {
				return err
			}
			ref := ""
			if len(args) == 1 {
				ref = args[0]
			}
			// The report is rendered whole before it is written: a report
			// that fails (no browser, no CJK font) leaves no file behind.
			var out bytes.Buffer
			c, err := app.IncidentReport(cmd.Context(), st, &out, app.IncidentReportOptions{
				Ref: ref, Lang: g.Lang(), Format: format, Template: tmpl, Now: time.Now(), Timelines: timelines,
				Notef: func(m model.Message) { g.notef("%s", texts().Message(g.Lang(), m)) }})
			st.Close()
			if err != nil {
				return errExit(err)
			}
			toFile := output != "" && output != "-"
			if toFile {
				err = os.WriteFile(output, out.Bytes(), 0o644)
			} else {
				_, err = g.stdout.Write(out.Bytes())
			}
			if err != nil {
				return errExit(err)
			}
			if toFile {
				g.notef("%s", g.t("incident.report.written", c.Reference, output))
				if c.State == store.CaseOpen {
					_, _ = app.AttachToIncident(cmd.Context(), app.StorePath(sf.path, g.getenv), store.CaseEvent{
						Actor: app.CurrentActor(g.getenv).String(), Kind: incident.KindReport, Detail: output + " (" + tmpl + ", " + format + ")"})
				}
			}
			return nil
		},
	}
	sf.register(cmd)
	cmd.Flags().StringVarP(&format, "format", "f", incident.FormatMarkdown, "md, json, html or pdf")
	cmd.Flags().StringArrayVar(&timelines, "timeline", nil, "add the entries of a file vigil timeline --format jsonl wrote (log events, log findings); repeatable")
	cmd.Flags().StringVar(&tmpl, "template", incident.TemplateReport, "report (the whole report) or regulator (the 72-hour notification)")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file instead of stdout")
	return cmd
}
