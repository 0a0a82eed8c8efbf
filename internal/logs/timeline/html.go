package timeline

import (
	"fmt"
	"html/template"
	"io"
	"time"
)

// The page is one file: CSS, an SVG chart drawn here and a few lines of
// JavaScript inline, no CDN, so it opens offline on a responder's laptop.
// (go-echarts would load echarts.min.js from a CDN or need its 1 MB script
// embedded, for one bar chart.)
var page = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.3em} .path li{margin:.2em 0} .sus{background:#fff0f0} .sev-high,.sev-critical{color:#b00;font-weight:600}
table{border-collapse:collapse;width:100%;font-size:12.5px} td,th{border-bottom:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
td.raw{font-family:monospace;word-break:break-all;color:#555} #filter{width:30em;padding:4px} svg{display:block;margin:1em 0}
.bar{fill:#9ab} .bar.s{fill:#d33} .axis{font-size:10px;fill:#555}
</style></head><body>
<h1>{{.Title}}</h1>
<h2>{{.Words.Path}}</h2>
{{if .T.Path}}<p><b>{{.Vector}}</b></p><ol class="path">{{range .T.Path}}<li><a href="#e{{.Entry}}">{{call $.Words.Stage .Stage}}</a> — {{.Time.Format "2006-01-02 15:04:05Z07:00"}} — {{.Rule}} — {{.Where}}</li>{{end}}</ol>
{{else}}<p>{{.Words.NoPath}}</p>{{end}}
{{if .FirstEntry}}<p>{{.Words.First}} <a href="#e{{.FirstEntry.ID}}">#{{.FirstEntry.ID}}</a> {{.FirstEntry.Time.Format "2006-01-02 15:04:05Z07:00"}} {{.FirstEntry.Message}}</p>{{end}}
<svg width="{{.Chart.W}}" height="{{.Chart.H}}" role="img" aria-label="{{.Words.Chart}}">
{{range .Chart.Bars}}<rect class="bar" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Label}}</title></rect>{{if .SH}}<rect class="bar s" x="{{.X}}" y="{{.SY}}" width="{{.W}}" height="{{.SH}}"><title>{{.Label}}</title></rect>{{end}}{{end}}
<text class="axis" x="0" y="{{.Chart.AxisY}}">{{.Chart.From}}</text><text class="axis" x="{{.Chart.W}}" y="{{.Chart.AxisY}}" text-anchor="end">{{.Chart.To}}</text>
</svg>
<p><input id="filter" placeholder="{{.Words.Filter}}"> <label><input type="checkbox" id="sus"> {{.Words.SuspiciousOnly}}</label> <span id="shown"></span></p>
<table id="tl"><thead><tr><th>#</th><th>{{.Words.Time}}</th><th>{{.Words.Source}}</th><th>{{.Words.Message}}</th><th>{{.Words.Where}}</th><th>{{.Words.Raw}}</th></tr></thead><tbody>
{{range .T.Entries}}<tr id="e{{.ID}}" data-s="{{.Suspicious}}"{{if .Suspicious}} class="sus"{{end}}><td>{{.ID}}</td><td>{{.Time.Format "2006-01-02 15:04:05Z07:00"}}<br><small>{{.Desc}}</small></td><td>{{.Source}}</td><td class="sev-{{.Severity}}">{{.Message}}</td><td>{{.Path}}{{if .Line}}:{{.Line}}{{end}}</td><td class="raw">{{.Raw}}</td></tr>
{{end}}</tbody></table>
<script>
(function(){var f=document.getElementById('filter'),s=document.getElementById('sus'),n=document.getElementById('shown');
var rows=Array.prototype.slice.call(document.querySelectorAll('#tl tbody tr'));
function apply(){var q=f.value.toLowerCase(),k=0;rows.forEach(function(r){var ok=(!s.checked||r.dataset.s==='true')&&(!q||r.textContent.toLowerCase().indexOf(q)>=0);r.style.display=ok?'':'none';if(ok)k++;});n.textContent=k+' / '+rows.length;}
f.addEventListener('input',apply);s.addEventListener('change',apply);apply();})();
</script></body></html>
`))

// PageWords are the page's words in the reader's language.
type PageWords struct {
	Path, NoPath, First, Chart, Filter, SuspiciousOnly, Time, Source, Message, Where, Raw string
	// Stage names a stage of the attack path (nil: Step.Stage as it is).
	Stage func(stage string) string
}

type bar struct {
	X, Y, W, H, SY, SH float64
	Label              string
}

type chart struct {
	W, H, AxisY float64
	Bars        []bar
	From, To    string
}

// buckets of the chart of events over time.
const buckets = 60

func makeChart(t *Timeline) chart {
	c := chart{W: 960, H: 140, AxisY: 138}
	if len(t.Entries) == 0 {
		return c
	}
	first, last := t.Entries[0].Time, t.Entries[len(t.Entries)-1].Time
	span := last.Sub(first)
	if span <= 0 {
		span = time.Second
	}
	var all, sus [buckets]int
	for _, e := range t.Entries {
		i := min(int(float64(e.Time.Sub(first))/float64(span)*buckets), buckets-1)
		all[i]++
		if e.Suspicious {
			sus[i]++
		}
	}
	top := 1
	for _, n := range all {
		top = max(top, n)
	}
	bw := c.W / buckets
	plot := c.H - 16
	for i := range buckets {
		h := plot * float64(all[i]) / float64(top)
		sh := plot * float64(sus[i]) / float64(top)
		from := first.Add(time.Duration(float64(span) * float64(i) / buckets))
		c.Bars = append(c.Bars, bar{X: float64(i) * bw, Y: plot - h, W: bw - 1, H: h, SY: plot - sh, SH: sh,
			Label: fmt.Sprintf("%s: %d (%d)", from.Format(time.RFC3339), all[i], sus[i])})
	}
	c.From, c.To = first.Format(time.RFC3339), last.Format(time.RFC3339)
	return c
}

// WriteHTML writes the self-contained page.
func WriteHTML(w io.Writer, t *Timeline, lang, title string, words PageWords) error {
	var first *Entry
	if t.First > 0 {
		first = &t.Entries[t.First-1]
	}
	if words.Stage == nil {
		words.Stage = func(s string) string { return s }
	}
	return page.Execute(w, map[string]any{"Lang": lang, "Title": title, "T": t, "Words": words, "Chart": makeChart(t), "FirstEntry": first,
		"Vector": t.VectorWith(words.Stage)})
}
