package kpi

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"time"
)

// T renders a message id of the catalog in the report's language.
type T func(id string, args ...any) string

// page is the HTML report: one file, its style inline, its charts inline
// SVG; it loads nothing, so it opens offline and can be mailed or archived.
const page = `<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8">
<title>{{call .T "vuln.report.title"}} {{.Period}}</title>
<style>
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222;max-width:72em}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
td.n{text-align:right}.late{color:#b00020;font-weight:bold}.muted{color:#666;font-size:.9em}
.kpis{display:flex;gap:1.5em;flex-wrap:wrap}.kpi{border:1px solid #ccc;border-radius:6px;padding:.6em 1em}
.kpi b{display:block;font-size:1.6em}
</style></head><body>
<h1>{{call .T "vuln.report.title"}} {{.Period}}</h1>
<p class="muted">{{call .T "vuln.report.generated" .Generated}} · {{call .T "vuln.report.targets" (len .R.Targets)}}</p>
<div class="kpis">
<div class="kpi">{{call .T "vuln.report.on-time"}}<b>{{pct .R.Total.OnTimeRate .R.Total.Fixed}}</b>{{call .T "vuln.report.fixed-n" .R.Total.FixedOnTime .R.Total.Fixed}}</div>
<div class="kpi">{{call .T "vuln.report.mttr"}}<b>{{hours .R.Total.MTTRHours .R.Total.Fixed}}</b></div>
<div class="kpi">{{call .T "vuln.report.open"}}<b>{{.R.Total.Open}}</b></div>
<div class="kpi">{{call .T "vuln.report.overdue"}}<b class="{{if .R.Total.Overdue}}late{{end}}">{{.R.Total.Overdue}}</b></div>
<div class="kpi">{{call .T "vuln.report.accepted"}}<b>{{.R.Total.RiskAccepted}}</b></div>
</div>
<h2>{{call .T "vuln.report.by-severity"}}</h2>
<table><tr><th>{{call .T "vuln.report.severity"}}</th><th>{{call .T "vuln.report.fixed"}}</th><th>{{call .T "vuln.report.on-time"}}</th><th>{{call .T "vuln.report.mttr"}}</th><th>{{call .T "vuln.report.open"}}</th><th>{{call .T "vuln.report.overdue"}}</th><th>{{call .T "vuln.report.accepted"}}</th></tr>
{{range .R.Severities}}<tr><td>{{call $.Sev .Severity}}</td><td class="n">{{.Fixed}}</td><td class="n">{{pct .OnTimeRate .Fixed}}</td><td class="n">{{hours .MTTRHours .Fixed}}</td><td class="n">{{.Open}}</td><td class="n{{if .Overdue}} late{{end}}">{{.Overdue}}</td><td class="n">{{.RiskAccepted}}</td></tr>
{{end}}</table>
<h2>{{call .T "vuln.report.mttr-chart"}}</h2>
{{.MTTRChart}}
<h2>{{call .T "vuln.report.age"}}</h2>
{{.AgeChart}}
<h2>{{call .T "vuln.report.overdue-list"}}</h2>
{{if .R.Overdue}}<table><tr><th>ID</th><th>{{call .T "vuln.report.vuln"}}</th><th>{{call .T "vuln.report.package"}}</th><th>{{call .T "vuln.report.severity"}}</th><th>{{call .T "vuln.report.due"}}</th><th>{{call .T "vuln.report.days-late"}}</th><th>{{call .T "vuln.report.target"}}</th></tr>
{{range .R.Overdue}}<tr><td class="n">{{.ID}}</td><td>{{.Vuln}}{{if .KEV}} (KEV){{end}}</td><td>{{.Package}}</td><td>{{call $.Sev .Severity}}</td><td>{{day .Due}}</td><td class="n late">{{.DaysLate}}</td><td>{{.Target}}</td></tr>
{{end}}</table>{{else}}<p>{{call .T "vuln.report.none"}}</p>{{end}}
<h2>{{call .T "vuln.report.accepted-list"}}</h2>
{{if .R.Accepted}}<table><tr><th>ID</th><th>{{call .T "vuln.report.vuln"}}</th><th>{{call .T "vuln.report.package"}}</th><th>{{call .T "vuln.report.severity"}}</th><th>{{call .T "vuln.report.until"}}</th><th>{{call .T "vuln.report.who"}}</th><th>{{call .T "vuln.report.why"}}</th></tr>
{{range .R.Accepted}}<tr><td class="n">{{.ID}}</td><td>{{.Vuln}}</td><td>{{.Package}}</td><td>{{call $.Sev .Severity}}</td><td>{{day .Until}}</td><td>{{.Who}}</td><td>{{.Reason}}</td></tr>
{{end}}</table>{{else}}<p>{{call .T "vuln.report.none"}}</p>{{end}}
<p>{{call .T "vuln.report.false-positives" .R.FalsePos}}</p>
<h2>{{call .T "vuln.report.sources"}}</h2>
<table><tr><th>{{call .T "vuln.report.source"}}</th><th>{{call .T "vuln.report.records"}}</th><th>{{call .T "vuln.report.data-date"}}</th><th>{{call .T "vuln.report.imported"}}</th></tr>
{{range .R.Sources}}<tr><td>{{.Name}}</td><td class="n">{{.Records}}</td><td>{{day .DataDate}}</td><td>{{day .Imported}}</td></tr>
{{end}}</table>
<p class="muted">{{call .T "vuln.report.method"}}</p>
</body></html>
`

var tmpl = template.Must(template.New("kpi").Funcs(template.FuncMap{
	"pct": func(r float64, n int) string {
		if n == 0 {
			return "-"
		}
		return fmt.Sprintf("%.0f%%", r*100)
	},
	"hours": func(h float64, n int) string {
		if n == 0 {
			return "-"
		}
		if h >= 48 {
			return fmt.Sprintf("%.1f d", h/24)
		}
		return fmt.Sprintf("%.0f h", h)
	},
	"day": func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.Format("2006-01-02")
	},
}).Parse(page))

type view struct {
	R                   Report
	Lang, Period        string
	Generated           string
	T                   func(id string, args ...any) string
	Sev                 func(s string) string
	MTTRChart, AgeChart template.HTML
}

// HTML writes the report as one self-contained HTML page in language lang
// (t renders its words; sev names a severity).
func HTML(w io.Writer, r Report, lang string, t T, sev func(string) string) error {
	v := view{R: r, Lang: lang, Period: r.From.Format("2006-01"), Generated: r.Generated.Format("2006-01-02 15:04 MST"), T: t, Sev: sev}
	var labels []string
	var mttr []float64
	for _, s := range r.Severities {
		labels = append(labels, sev(s.Severity))
		mttr = append(mttr, s.MTTRHours/24)
	}
	v.MTTRChart = bars(labels, mttr, t("vuln.report.days"))
	age := make([]float64, len(Buckets)+1)
	for i, n := range r.Total.OpenByAge {
		age[i] = float64(n)
	}
	var ageLabels []string
	prev := 0
	for _, b := range Buckets {
		ageLabels = append(ageLabels, t("vuln.report.bucket", prev, b))
		prev = b + 1
	}
	ageLabels = append(ageLabels, t("vuln.report.bucket-older", Buckets[len(Buckets)-1]))
	v.AgeChart = bars(ageLabels, age, t("vuln.report.count"))
	return tmpl.Execute(w, v)
}

// bars draws a horizontal bar chart as inline SVG. Labels and unit are
// escaped: they are catalog text, but a chart must not be the place where
// markup slips in.
func bars(labels []string, vals []float64, unit string) template.HTML {
	const rowH, labelW, barW = 26, 150, 420
	maxV := 0.0
	for _, v := range vals {
		maxV = math.Max(maxV, v)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img">`, labelW+barW+90, rowH*len(vals)+10)
	for i, v := range vals {
		w := 0.0
		if maxV > 0 {
			w = v / maxV * barW
		}
		y := i*rowH + 5
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" text-anchor="end">%s</text>`, labelW-8, y+16, template.HTMLEscapeString(labels[i]))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="#3b6ea5"/>`, labelW, y+3, w, rowH-8)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12">%s %s</text>`, float64(labelW)+w+6, y+16, trim(v), template.HTMLEscapeString(unit))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func trim(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}
