package timeline

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil/browser"
)

// browserTimeline is an intrusion as `vigil timeline` shows it: a brute
// force, the login after it, a new account, a process started after, and
// a raw line carrying markup that must stay text.
func browserTimeline() *Timeline {
	b := NewBuilder(Options{})
	b.Finding(finding("logs.ssh.brute-force.source", model.Medium, 0), "finding", time.Time{})
	b.Finding(finding("logs.ssh.login-after-failures", model.High, 6), "finding", time.Time{})
	b.Finding(finding("logs.account.user-added", model.Medium, 7), "finding", time.Time{})
	b.Event(&model.Event{Time: at(5), Source: "auth", Kind: "ssh.login", Actor: "root", SrcIP: "203.0.113.9", File: "/var/log/auth.log", Line: 31,
		Raw: `Mar  1 09:05:00 web1 sshd[2100]: Accepted password for root from 203.0.113.9 <script>window.pwned=1</script>`})
	b.Event(&model.Event{Time: at(9), Source: "auth", Kind: "sudo.command", Actor: "sysupd", Fields: map[string]string{"command": "/bin/bash"}})
	b.ProcessStart(4242, "/tmp/.x/kworkerd", "sysupd", "/tmp/.x/kworkerd -o pool:3333", at(12))
	return b.Build()
}

// TestTimelinePageInBrowser opens the HTML page in headless Chromium, in
// both languages: nothing fails in the console or is fetched, the chart
// draws its bars, the attack path links to rows that exist, the filter
// and the "suspicious only" box hide rows, raw lines stay text, and the
// Chinese page is drawn with a CJK font.
func TestTimelinePageInBrowser(t *testing.T) {
	b := browser.New(t)
	cat := catalog.MustLoad()
	tl := browserTimeline()
	for _, lang := range []string{"en", "zh-CN"} {
		t.Run(lang, func(t *testing.T) {
			w := func(id string) string { return cat.T(lang, id) }
			var page bytes.Buffer
			err := WriteHTML(&page, tl, lang, cat.T(lang, "timeline.title", "web1"), PageWords{
				Path: w("timeline.attack-path"), NoPath: w("timeline.no-path"), First: w("timeline.first"), Chart: w("timeline.chart"),
				Filter: w("timeline.filter"), SuspiciousOnly: w("timeline.suspicious-only"), Time: w("timeline.col.time"),
				Source: w("timeline.col.source"), Message: w("timeline.col.message"), Where: w("timeline.col.where"), Raw: w("timeline.col.raw"),
				Stage: func(s string) string { return w(StageMsg(s)) },
			})
			if err != nil {
				t.Fatal(err)
			}
			p := b.Open(page.Bytes())
			if errs := p.ConsoleErrors(); len(errs) > 0 {
				t.Errorf("console errors: %q", errs)
			}
			text := p.Text()
			vector := tl.VectorWith(func(s string) string { return w(StageMsg(s)) })
			for _, want := range []string{w("timeline.attack-path"), vector, "Process Start", "/tmp/.x/kworkerd -o pool:3333", "<script>window.pwned=1</script>"} {
				if !strings.Contains(text, want) {
					t.Errorf("the page does not show %q:\n%.600s", want, text)
				}
			}
			if browser.Eval[string](p, `typeof window.pwned`) != "undefined" {
				t.Error("markup in a raw line ran as a script")
			}
			charts := p.Charts()
			if len(charts) != 1 || !charts[0].Drawn || charts[0].Shapes < 3 {
				t.Errorf("chart: %+v", charts)
			}
			// Every step of the path links to a row of the table.
			if n := browser.Eval[int](p, `Array.from(document.querySelectorAll('.path a')).filter(a => document.getElementById(a.getAttribute('href').slice(1))).length`); n != len(tl.Path) || n == 0 {
				t.Errorf("%d of %d path links reach their row", n, len(tl.Path))
			}
			total := len(tl.Entries)
			shown := func() int {
				return browser.Eval[int](p, `Array.from(document.querySelectorAll('#tl tbody tr')).filter(r => r.offsetParent !== null).length`)
			}
			if got := shown(); got != total {
				t.Errorf("%d of %d rows shown before filtering", got, total)
			}
			browser.Eval[bool](p, `(() => { const f = document.getElementById('filter'); f.value = 'KWORKERD'; f.dispatchEvent(new Event('input')); return true })()`)
			if got := shown(); got != 1 {
				t.Errorf("filter: %d rows shown, want 1", got)
			}
			browser.Eval[bool](p, `(() => { const f = document.getElementById('filter'); f.value = ''; f.dispatchEvent(new Event('input'));
				const s = document.getElementById('sus'); s.click(); return true })()`)
			sus := 0
			for _, e := range tl.Entries {
				if e.Suspicious {
					sus++
				}
			}
			if got := shown(); got != sus || sus == 0 {
				t.Errorf("suspicious only: %d rows shown, want %d", got, sus)
			}
			if lang == "zh-CN" {
				if fonts := p.Fonts("h1"); !slices.ContainsFunc(fonts, isCJKFont) {
					t.Errorf("the Chinese title is drawn with %q: no CJK font (apt-get install fonts-noto-cjk)", fonts)
				}
			}
		})
	}
}

func isCJKFont(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "cjk") || strings.Contains(n, "wenquanyi") || strings.Contains(n, "droid sans fallback")
}
