package incident

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/testutil"
	"github.com/vigil-ir/vigil/internal/testutil/browser"
)

// hostile is text an intruder controls (log lines, file names, evidence)
// or a person typed (notes, the title), written to break Markdown.
const hostile = "a | b *bold* _it_ `tick` ``two`` [link](http://evil.example/) <script>alert(1)</script> " +
	"<img src=x onerror=alert(2)> &amp; ~~gone~~ \\ !\n# heading\n| c | d |\n- item"

// hostileInput is the fixture case with hostile text everywhere a report
// shows text from outside.
func hostileInput(t *testing.T) Input {
	in := fixtureInput(t, "en")
	in.Case.Title = hostile
	in.Case.OpenedBy = "root (sudo: <b>eve</b>)"
	for i := range in.Events {
		if in.Events[i].Kind == KindNote {
			in.Events[i].Detail = hostile
		}
		if in.Events[i].Kind == KindEvidence {
			in.Events[i].Ref = "/media/ir/x|y`z.tar.zst"
		}
	}
	in.Extra = append(in.Extra, Entry{At: t0, Kind: KindLog, Text: "GET /?q=<script>x</script>|1 HTTP/1.1 \"`id`\"\r\nforged: line"})
	f := model.Finding{RuleID: "files.webshell.php", Severity: model.Critical, Subject: "/var/www/`x`|<y>.php\n# z", Fingerprint: "hostile",
		Evidence: model.Evidence{Path: "/var/www/a`b.php", Text: "eval($_POST['x']) http://203.0.113.9/a|b`c"}}
	in.Scans[0].Findings = append(in.Scans[0].Findings, f)
	in.Events = append(in.Events, store.CaseEvent{At: t0.Add(450 * 60e9), Actor: "alice", Kind: KindNote, Step: StepHarden, Detail: "1. " + hostile})
	return in
}

var unescapedPipe = regexp.MustCompile(`(^|[^\\])\|`)

func TestReportHostileText(t *testing.T) {
	in := hostileInput(t)
	r := Build(in)
	var md, page bytes.Buffer
	if err := Render(&md, r, in.Catalog, FormatMarkdown, TemplateReport); err != nil {
		t.Fatal(err)
	}
	if err := Render(&page, r, in.Catalog, FormatHTML, TemplateReport); err != nil {
		t.Fatal(err)
	}
	testutil.Golden(t, "testdata/hostile.en.md", md.Bytes())
	testutil.Golden(t, "testdata/hostile.en.html", page.Bytes())

	// Every row of the timeline table keeps its three cells; no line of
	// outside text became a heading of its own.
	headings := 0
	for _, line := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(line, "| 20") {
			if n := len(unescapedPipe.FindAllString(line, -1)); n != 4 {
				t.Errorf("a timeline row has %d cell borders, want 4: %s", n, line)
			}
		}
		if strings.HasPrefix(line, "#") {
			headings++
		}
	}
	if want := countHeadings(t); headings != want {
		t.Errorf("%d headings, want %d: outside text made one", headings, want)
	}
	// No markup of the outside text reached the page: no element, no
	// link, no emphasis from it.
	h := page.String()
	for _, bad := range []string{"<script", "<img", "<a ", "<em>", "<strong>", "<del>", "<b>", "<h1>#", "evil.example/\">"} {
		if strings.Contains(h, bad) {
			t.Errorf("the HTML report holds %q from outside text", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "*bold*", "_it_", "[link](http://evil.example/)", "a | b", "&amp;amp;"} {
		if !strings.Contains(h, want) {
			t.Errorf("the HTML report lost the literal text %q", want)
		}
	}
	if len(r.Hardening) != 2 || !strings.Contains(md.String(), "- 1\\. a \\| b") {
		t.Errorf("a note starting with \"1.\" must stay a bullet of text: %v", r.Hardening)
	}
}

// countHeadings counts the headings of the fixture's own report.
func countHeadings(t *testing.T) int {
	in := fixtureInput(t, "en")
	var md bytes.Buffer
	if err := Render(&md, Build(in), in.Catalog, FormatMarkdown, TemplateReport); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(line, "#") {
			n++
		}
	}
	return n
}

// In a browser the hostile page runs nothing and shows the text as typed.
func TestReportHostileTextInBrowser(t *testing.T) {
	p := openReport(t, browser.New(t), hostileInput(t))
	if n := browser.Eval[int](p, `document.querySelectorAll("script, img, a, em, strong, del, b").length`); n != 0 {
		t.Errorf("%d elements made from outside text", n)
	}
	if text := p.Text(); !strings.Contains(text, "<script>alert(1)</script>") || !strings.Contains(text, "a | b *bold* _it_") {
		t.Errorf("the page does not show the text as typed:\n%.600s", text)
	}
}

func TestMarkdownEscapes(t *testing.T) {
	for _, tc := range []struct{ in, text, code string }{
		{"plain /var/www/x.php", "plain /var/www/x.php", "`plain /var/www/x.php`"},
		{"a|b", `a\|b`, "`a|b`"},
		{"# h", `\# h`, "`# h`"},
		{"- x", `\- x`, "`- x`"},
		{"12. x", `12\. x`, "`12. x`"},
		{"2026-12-01", "2026-12-01", "`2026-12-01`"},
		{"x `y` z", "x \\`y\\` z", "``x `y` z``"},
		{"`a``", "\\`a\\`\\`", "``` `a`` ```"},
		{"line\nnext\r\n\x1b[31m", `line next \[31m`, "`line next [31m`"},
		{"", "", "`  `"},
	} {
		if got := mdText(tc.in); got != tc.text {
			t.Errorf("mdText(%q) = %q, want %q", tc.in, got, tc.text)
		}
		if got := mdCode(tc.in); got != tc.code {
			t.Errorf("mdCode(%q) = %q, want %q", tc.in, got, tc.code)
		}
	}
}

func FuzzMarkdownText(f *testing.F) {
	f.Add(hostile)
	f.Fuzz(func(t *testing.T, s string) {
		if got := mdText(s); strings.ContainsAny(got, "\n\r") || unescapedPipe.MatchString(got) {
			t.Errorf("mdText(%q) = %q: a newline or a bare |", s, got)
		}
		if got := mdCode(s); strings.ContainsAny(got, "\n\r") {
			t.Errorf("mdCode(%q) = %q", s, got)
		}
	})
}
