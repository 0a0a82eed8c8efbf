package incident

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"strings"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/vigil-ir/vigil/internal/catalog"
)

// renderHTML writes one self-contained page: the Markdown report converted
// by goldmark (raw HTML in notes is not passed through), inline CSS, and
// the timeline chart as inline SVG. Nothing is loaded from elsewhere, so
// the page works offline and in an evidence archive. (go-echarts would
// need its JavaScript library embedded, about 1 MB, for one chart.)
func renderHTML(w io.Writer, r *Report, c *catalog.Catalog, md string) error {
	var body bytes.Buffer
	// GFM's tables, strike-through and task lists, without its linkify:
	// an attacker's URL in a log line stays text, not a link to click.
	conv := goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.TaskList))
	if err := conv.Convert([]byte(md), &body); err != nil {
		return err
	}
	page := body.String()
	// The chart goes under the timeline heading (the second h2).
	if i := nthIndex(page, "<h2", 2); i >= 0 {
		if j := strings.Index(page[i:], "</h2>"); j >= 0 {
			at := i + j + len("</h2>")
			page = page[:at] + "\n" + timelineSVG(r, c) + page[at:]
		}
	}
	_, err := fmt.Fprintf(w, `<!DOCTYPE html>
<html lang="%s">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%s</title>
<style>%s</style>
</head>
<body>
%s</body>
</html>
`, html.EscapeString(r.Lang), html.EscapeString(r.Case.Reference+" "+r.Case.Title), css, page)
	return err
}

const css = `body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1f24;line-height:1.5}
h1{border-bottom:2px solid #444;padding-bottom:.3rem}h2{border-bottom:1px solid #ccc;margin-top:2rem}
code{background:#f3f3f3;padding:0 .2rem;border-radius:3px;word-break:break-all}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}
svg{max-width:100%;height:auto;border:1px solid #ddd;background:#fcfcfc}
@media print{body{margin:0;max-width:none}}`

func nthIndex(s, sub string, n int) int {
	at := -1
	for range n {
		i := strings.Index(s[at+1:], sub)
		if i < 0 {
			return -1
		}
		at += i + 1
	}
	return at
}

// kinds of the timeline chart, one row each, and their colours.
var chartRows = []struct{ kind, colour string }{
	{"finding", "#c62828"}, {KindScan, "#1565c0"}, {KindAction, "#ef6c00"}, {KindEvidence, "#2e7d32"},
	{KindImage, "#2e7d32"}, {KindNote, "#6a1b9a"}, {KindOpened, "#455a64"}, {KindClosed, "#455a64"},
	{KindLog, "#00838f"}, {KindProcess, "#5d4037"}, {KindFile, "#8d6e63"}, {KindTimeline, "#00695c"}, {KindReport, "#455a64"},
}

// timelineSVG draws the timeline: one row per kind of line, a dot per line
// at its time, the axis labelled with the first and last time.
func timelineSVG(r *Report, c *catalog.Catalog) string {
	const width, left, rowH, top = 900, 150, 26, 20
	rows := []int{}
	rowOf := map[string]int{}
	for i, cr := range chartRows {
		for _, e := range r.Timeline {
			if e.Kind == cr.kind {
				rowOf[cr.kind] = len(rows)
				rows = append(rows, i)
				break
			}
		}
	}
	if len(rows) == 0 {
		return ""
	}
	first, last := r.Timeline[0].At, r.Timeline[len(r.Timeline)-1].At
	span := last.Sub(first)
	if span <= 0 {
		span = time.Minute
	}
	height := top + len(rows)*rowH + 30
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`,
		width, height, width, height, html.EscapeString(c.T(r.Lang, "incident.report.timeline")))
	for ri, i := range rows {
		y := top + ri*rowH + rowH/2
		fmt.Fprintf(&b, `<text x="8" y="%d" font-size="13" dominant-baseline="middle">%s</text>`, y, html.EscapeString(c.T(r.Lang, "incident.report.kind."+chartRows[i].kind)))
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#e0e0e0"/>`, left, y, width-20, y)
	}
	for _, e := range r.Timeline {
		ri, ok := rowOf[e.Kind]
		if !ok {
			continue
		}
		x := left + int(float64(width-left-30)*float64(e.At.Sub(first))/float64(span))
		y := top + ri*rowH + rowH/2
		colour := chartRows[rows[ri]].colour
		fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="6" fill="%s" fill-opacity="0.8"><title>%s %s</title></circle>`,
			x, y, colour, html.EscapeString(when(e.At)), html.EscapeString(e.Text))
	}
	axis := top + len(rows)*rowH + 16
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12">%s</text>`, left, axis, html.EscapeString(when(first)))
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="end">%s</text>`, width-20, axis, html.EscapeString(when(last)))
	b.WriteString(`</svg>`)
	return b.String()
}
