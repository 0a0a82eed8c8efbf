// Package browser is the tests' headless Chromium: it loads a page Vigil
// wrote (a report, a chart) and answers what a reader would see — the
// text, whether each chart drew something, what the console said, which
// fonts rendered the text, the page printed to PDF.
//
// The browser is Debian's chromium, started by internal/chromium with its
// quiet flags and an empty profile in the test's temporary directory. When
// it is not installed a test skips with a message naming the package,
// except under CI=true, where a missing browser fails the test (.ci/run
// installs it through scripts/need-browser.sh).
//
//	b := browser.New(t)
//	p := b.Open(html)
//	if errs := p.ConsoleErrors(); len(errs) > 0 { ... }
//	for _, c := range p.Charts() { if !c.Drawn { ... } }
package browser

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/dom"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/vigil-ir/vigil/internal/chromium"
)

// Timeout bounds each page operation, so a hung browser fails the test
// instead of stalling the run.
const Timeout = 60 * time.Second

// Browser is one headless Chromium for one test (ended by t.Cleanup).
type Browser struct {
	t   testing.TB
	ctx context.Context
}

// Path returns Chromium's path, or skips t when there is none — failing
// it instead under CI=true, where the browser must be installed.
func Path(t testing.TB) string {
	t.Helper()
	p, err := chromium.Find()
	if err == nil {
		return p
	}
	msg := fmt.Sprintf("headless Chromium check: no chromium (%s; install it: %s, or run scripts/need-browser.sh)",
		strings.Join(chromium.Paths, ", "), chromium.Install)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// New starts headless Chromium for t with an empty profile in t's
// temporary directory; see Path for what happens when there is none.
func New(t testing.TB) *Browser {
	t.Helper()
	path := Path(t)
	ctx, cancel, err := chromium.Start(context.Background(), path, t.TempDir())
	if err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	t.Cleanup(cancel)
	return &Browser{t: t, ctx: ctx}
}

// Page is one document loaded in its own tab, with the errors its console
// reported since it was opened.
type Page struct {
	t   testing.TB
	ctx context.Context

	mu     sync.Mutex
	errors []string
}

// Open writes html into t's temporary directory, loads it from there in a
// new tab and waits for the load. Anything the page would fetch from
// elsewhere fails to load and shows in ConsoleErrors.
func (b *Browser) Open(html []byte) *Page {
	t := b.t
	t.Helper()
	f := filepath.Join(t.TempDir(), "page.html")
	if err := os.WriteFile(f, html, 0o600); err != nil {
		t.Fatal(err)
	}
	tab, cancel := chromedp.NewContext(b.ctx)
	t.Cleanup(cancel)
	p := &Page{t: t, ctx: tab}
	if err := chromedp.Listen(tab, p.listen); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	err := p.run(chromedp.Steps(
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, cdplog.Enable, struct{}{})
			return err
		}),
		chromedp.Navigate("file://"+f),
		chromedp.WaitReady("body"),
	))
	if err != nil {
		t.Fatalf("loading the page: %v", err)
	}
	return p
}

func (p *Page) listen(ev any) {
	var msg string
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range e.Args {
				if len(a.Value) > 0 {
					parts = append(parts, string(a.Value))
				} else {
					parts = append(parts, a.Description)
				}
			}
			msg = "console." + string(e.Type) + ": " + strings.Join(parts, " ")
		}
	case *runtime.EventExceptionThrown:
		if d := e.ExceptionDetails; d != nil {
			msg = "exception: " + d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
		}
	case *cdplog.EventEntryAdded:
		if e.Entry != nil && e.Entry.Level == cdplog.EntryLevelError {
			msg = string(e.Entry.Source) + ": " + e.Entry.Text + " " + e.Entry.URL
		}
	}
	if msg != "" {
		p.mu.Lock()
		p.errors = append(p.errors, strings.TrimSpace(msg))
		p.mu.Unlock()
	}
}

func (p *Page) run(a chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(p.ctx, Timeout)
	defer cancel()
	_, err := chromedp.Run(ctx, a)
	return err
}

// ConsoleErrors returns what the page's console reported as errors:
// console.error calls, uncaught exceptions, failed loads, violations.
func (p *Page) ConsoleErrors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.errors...)
}

// Eval evaluates a JavaScript expression in the page and returns its
// value, decoded into T.
func Eval[T any](p *Page, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, Timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.t.Fatalf("evaluating %q: %v", expr, err)
	}
	return v
}

// Text is the page's text as a reader sees it (innerText of the body).
func (p *Page) Text() string {
	p.t.Helper()
	return Eval[string](p, `document.body.innerText`)
}

// Chart is one <svg> or <canvas> of the page as rendered.
type Chart struct {
	Kind   string  `json:"kind"` // svg or canvas
	Label  string  `json:"label"`
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
	Shapes int     `json:"shapes"` // svg: drawn shapes with a size; canvas: pixels that are not blank
	Drawn  bool    `json:"drawn"`  // has a size and shows something
}

// chartsJS measures every svg (its shapes with a non-empty bounding box)
// and canvas (its non-transparent pixels) as rendered.
const chartsJS = `(() => {
  const out = [];
  for (const s of document.querySelectorAll('svg')) {
    const r = s.getBoundingClientRect();
    let shapes = 0;
    for (const el of s.querySelectorAll('circle,rect,path,line,polyline,polygon,ellipse,text')) {
      const b = el.getBBox();
      if (b.width > 0 || b.height > 0) shapes++;
    }
    out.push({kind: 'svg', label: s.getAttribute('aria-label') || '', width: r.width, height: r.height, shapes});
  }
  for (const c of document.querySelectorAll('canvas')) {
    const r = c.getBoundingClientRect();
    let shapes = 0;
    try {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) shapes++;
    } catch (e) { shapes = -1; }
    out.push({kind: 'canvas', label: c.getAttribute('aria-label') || '', width: r.width, height: r.height, shapes});
  }
  return out;
})()`

// Charts returns every chart of the page, whether each drew something.
func (p *Page) Charts() []Chart {
	p.t.Helper()
	cs := Eval[[]Chart](p, chartsJS)
	for i := range cs {
		cs[i].Drawn = cs[i].Width > 0 && cs[i].Height > 0 && cs[i].Shapes > 0
	}
	return cs
}

// Fonts returns the platform fonts (family names) that rendered the text
// of the elements matching selector: what the reader's glyphs came from,
// so a test can tell Noto CJK from empty boxes.
func (p *Page) Fonts(selector string) []string {
	p.t.Helper()
	seen := map[string]bool{}
	var out []string
	err := p.run(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, dom.Enable, dom.EnableParams{}); err != nil {
			return err
		}
		if _, err := chromedp.Call(ctx, css.Enable, struct{}{}); err != nil {
			return err
		}
		depth := int64(-1)
		doc, err := chromedp.Call(ctx, dom.GetDocument, dom.GetDocumentParams{Depth: &depth})
		if err != nil {
			return err
		}
		nodes, err := chromedp.Call(ctx, dom.QuerySelectorAll, dom.QuerySelectorAllParams{NodeID: doc.Root.NodeID, Selector: selector})
		if err != nil {
			return err
		}
		for _, n := range nodes.NodeIDs {
			fs, err := chromedp.Call(ctx, css.GetPlatformFontsForNode, css.GetPlatformFontsForNodeParams{NodeID: n})
			if err != nil {
				return err
			}
			for _, f := range fs.Fonts {
				if f.GlyphCount > 0 && !seen[f.FamilyName] {
					seen[f.FamilyName] = true
					out = append(out, f.FamilyName)
				}
			}
		}
		return nil
	}))
	if err != nil {
		p.t.Fatalf("fonts of %s: %v", selector, err)
	}
	return out
}

// PDF prints the page to PDF (A4, backgrounds) and returns the file.
func (p *Page) PDF() []byte {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, Timeout)
	defer cancel()
	b, err := chromedp.Run(ctx, chromium.PrintPDF())
	if err != nil {
		p.t.Fatalf("printing to PDF: %v", err)
	}
	return b
}
