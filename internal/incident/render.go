package incident

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/store"
)

// Formats of the report.
const (
	FormatMarkdown = "md"
	FormatJSON     = "json"
	FormatHTML     = "html"
)

// Templates: the full report, and the regulator's 72-hour notification.
const (
	TemplateReport    = "report"
	TemplateRegulator = "regulator"
)

//go:embed templates/*
var templates embed.FS

// Render writes r as format with template tmpl, in r.Lang.
func Render(w io.Writer, r *Report, c *catalog.Catalog, format, tmpl string) error {
	if format == FormatJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if tmpl == TemplateRegulator {
			return enc.Encode(Regulator(r))
		}
		return enc.Encode(r)
	}
	funcs := map[string]any{
		"t":    func(id string, a ...any) string { return c.T(r.Lang, id, a...) },
		"when": when,
		"unknown": func() string {
			return c.T(r.Lang, "incident.report.unknown")
		},
		"field":  func(label string) string { return c.T(r.Lang, "incident.report.field", label) },
		"inline": func(s string) string { return strings.Join(strings.Fields(s), " ") }, // the catalog's own Markdown
		"md":     mdText,                                                                // text from the system or from people
		"code":   mdCode,
		"kind":   func(k string) string { return kindName(c, r.Lang, k) },
		"event":  func(e store.CaseEvent) string { return EventText(c, r.Lang, e) },
		"sev":    func(s string) string { return c.T(r.Lang, "incident.report.sev."+s) },
	}
	name := tmpl + ".md.tmpl"
	var md bytes.Buffer
	t, err := template.New(name).Funcs(funcs).ParseFS(templates, "templates/"+name)
	if err != nil {
		return err
	}
	if err := t.Execute(&md, struct {
		*Report
		Reg RegulatorNotice
	}{r, Regulator(r)}); err != nil {
		return err
	}
	switch format {
	case FormatMarkdown:
		_, err := w.Write(md.Bytes())
		return err
	case FormatHTML:
		return renderHTML(w, r, c, md.String())
	}
	return fmt.Errorf("unknown report format %q (md, json, html)", format)
}

// kindName is the name of a kind of timeline line in lang (the chart's
// row label), the kind itself for one this Vigil does not know.
func kindName(c *catalog.Catalog, lang, kind string) string {
	if id := "incident.report.kind." + kind; c.HasMessage(id) {
		return c.T(lang, id)
	}
	return mdText(kind)
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// RegulatorNotice is the 72-hour notification: the fields a regulator asks
// for, "unknown" where the case does not say.
type RegulatorNotice struct {
	Case       string    `json:"case"`
	Title      string    `json:"title"`
	Aware      time.Time `json:"aware"`
	Due        time.Time `json:"due"`
	Overdue    bool      `json:"overdue"`
	Severity   string    `json:"severity"`
	Systems    []string  `json:"affected_systems"`
	Accounts   []string  `json:"affected_accounts"`
	DataAtRisk []string  `json:"data_at_risk"`
	Cause      []string  `json:"suspected_cause"`
	Measures   []string  `json:"measures_taken"`
	IOCs       []IOC     `json:"iocs"`
	Contact    string    `json:"contact"`
}

// Regulator fills the notification from the report.
func Regulator(r *Report) RegulatorNotice {
	n := RegulatorNotice{Case: r.Case.Reference, Title: r.Case.Title, Aware: r.Case.Aware, Due: r.Deadline, Overdue: r.Overdue,
		Severity: r.Summary.Highest, Systems: r.Hosts, Accounts: r.Accounts, DataAtRisk: r.DataAtRisk, Cause: r.EntryVector,
		IOCs: r.IOCs, Contact: r.Case.OpenedBy}
	if len(r.AttackPath) > 0 { // what the log timelines show of the way in
		var names []string
		for _, s := range r.AttackPath {
			names = append(names, s.Name)
		}
		n.Cause = append(slices.Clip(n.Cause), strings.Join(names, " → "))
	}
	for _, a := range r.Actions {
		n.Measures = append(n.Measures, a.Text)
	}
	return n
}
