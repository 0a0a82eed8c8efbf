package incident

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/testutil/browser"
)

// The HTML report as a reader's browser shows it: it renders with its
// headings, the timeline chart draws, the console stays quiet, and the
// Chinese report's text comes from a CJK font (not empty boxes).
func TestReportInBrowser(t *testing.T) {
	b := browser.New(t)
	for _, tc := range []struct{ lang, heading string }{{"en", "Timeline"}, {"zh-CN", "时间线"}} {
		t.Run(tc.lang, func(t *testing.T) {
			p := openReport(t, b, fixtureInput(t, tc.lang))
			if text := p.Text(); !strings.Contains(text, tc.heading) || !strings.Contains(text, "IR-1") {
				t.Errorf("rendered text lacks %q or the case:\n%.400s", tc.heading, text)
			}
			charts := p.Charts()
			if len(charts) == 0 {
				t.Fatal("no chart rendered")
			}
			for _, c := range charts {
				if !c.Drawn {
					t.Errorf("chart %q draws nothing: %+v", c.Label, c)
				}
			}
			if tc.lang == "zh-CN" {
				fonts := p.Fonts("h2")
				if !slices.ContainsFunc(fonts, isCJKFont) {
					t.Errorf("the Chinese headings are drawn with %q: no CJK font (apt-get install fonts-noto-cjk)", fonts)
				}
			}
		})
	}
}

// The PDF report embeds the fonts it uses, a CJK one for Chinese.
func TestReportPDF(t *testing.T) {
	browser.Path(t) // skips (or fails under CI=true) without Chromium
	for _, lang := range []string{"en", "zh-CN"} {
		in := fixtureInput(t, lang)
		var pdf bytes.Buffer
		if err := RenderPDF(context.Background(), &pdf, Build(in), in.Catalog, TemplateReport); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) {
			t.Fatalf("%s: not a PDF: %.20q", lang, pdf.Bytes())
		}
		fonts := browser.PDFFonts(pdf.Bytes())
		if len(fonts) == 0 {
			t.Fatalf("%s: the PDF names no font", lang)
		}
		for _, f := range fonts {
			if !f.Embedded {
				t.Errorf("%s: font %s is not embedded", lang, f.Name)
			}
		}
		if lang == "zh-CN" && !slices.ContainsFunc(fonts, func(f browser.PDFFont) bool { return isCJKFont(f.Name) }) {
			t.Errorf("zh-CN PDF has no CJK font: %+v", fonts)
		}
	}
}

func isCJKFont(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "cjk") || strings.Contains(n, "wenquanyi") || strings.Contains(n, "droid sans fallback")
}

// openReport opens the HTML report of in and checks that the console
// stays quiet.
func openReport(t *testing.T, b *browser.Browser, in Input) *browser.Page {
	t.Helper()
	var html bytes.Buffer
	if err := Render(&html, Build(in), in.Catalog, FormatHTML, TemplateReport); err != nil {
		t.Fatal(err)
	}
	p := b.Open(html.Bytes())
	if errs := p.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
	return p
}
