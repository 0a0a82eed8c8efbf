package browser

import (
	"slices"
	"strings"
	"testing"
)

const page = `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>t</title>
<style>body{font-family:"Noto Sans CJK SC",sans-serif}</style></head><body>
<h1 id="zh">事件报告</h1>
<svg width="100" height="50" aria-label="drawn"><circle cx="20" cy="20" r="6"/></svg>
<svg width="100" height="50" aria-label="empty"></svg>
<canvas id="c" width="50" height="50" aria-label="canvas"></canvas>
<script>
const g = document.getElementById('c').getContext('2d'); g.fillRect(0, 0, 10, 10);
%s
</script></body></html>`

func TestPage(t *testing.T) {
	b := New(t)
	p := b.Open([]byte(strings.Replace(page, "%s", "", 1)))
	if errs := p.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("console errors on a clean page: %q", errs)
	}
	if !strings.Contains(p.Text(), "事件报告") {
		t.Errorf("text %q lacks the heading", p.Text())
	}
	drawn := map[string]bool{}
	for _, c := range p.Charts() {
		drawn[c.Kind+" "+c.Label] = c.Drawn
	}
	want := map[string]bool{"svg drawn": true, "svg empty": false, "canvas canvas": true}
	for k, v := range want {
		if got, ok := drawn[k]; !ok || got != v {
			t.Errorf("chart %s: drawn=%v (found %v), want %v", k, got, ok, v)
		}
	}
	fonts := p.Fonts("#zh")
	if !slices.ContainsFunc(fonts, func(f string) bool { return strings.Contains(f, "CJK") }) {
		t.Errorf("the Chinese heading is rendered with %q, no CJK font (install fonts-noto-cjk)", fonts)
	}
	fs := PDFFonts(p.PDF())
	if !slices.ContainsFunc(fs, func(f PDFFont) bool { return f.Embedded && strings.Contains(f.Name, "CJK") }) {
		t.Errorf("PDF fonts %+v: no embedded CJK font", fs)
	}
}

func TestConsoleErrors(t *testing.T) {
	b := New(t)
	p := b.Open([]byte(strings.Replace(page, "%s", `console.error("boom"); undefinedFunction();`, 1)))
	errs := strings.Join(p.ConsoleErrors(), "\n")
	for _, want := range []string{"boom", "undefinedFunction"} {
		if !strings.Contains(errs, want) {
			t.Errorf("console errors %q lack %q", errs, want)
		}
	}
}

func TestPDFFontsParse(t *testing.T) {
	pdf := []byte("4 0 obj\n<</Type /Font /Subtype /Type3 /FontDescriptor 22 0 R /CharProcs 5 0 R>>\nendobj\n" +
		"22 0 obj\n<</Type /FontDescriptor /FontName /AAAAAA+NotoSansCJKsc-Bold /Flags 4>>\nendobj\n" +
		"40 0 obj\n<</Type /FontDescriptor /FontName /BAAAAA+DejaVuSans /FontFile2 39 0 R>>\nendobj\n" +
		"41 0 obj\n<</Type /FontDescriptor /FontName /Helvetica /Flags 32>>\nendobj\n")
	got := PDFFonts(pdf)
	want := []PDFFont{{Name: "AAAAAA+NotoSansCJKsc-Bold", Embedded: true}, {Name: "BAAAAA+DejaVuSans", Embedded: true}, {Name: "Helvetica"}}
	if !slices.Equal(got, want) {
		t.Errorf("parsePDFFonts = %+v, want %+v", got, want)
	}
}

func FuzzPDFFonts(f *testing.F) {
	f.Add([]byte("<</BaseFont /X /FontFile2 1 0 R>>"))
	f.Fuzz(func(t *testing.T, b []byte) { PDFFonts(b) })
}
