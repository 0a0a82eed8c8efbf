package timeline

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/termtext"
)

func at(min int) time.Time { return time.Date(2026, 3, 1, 9, min, 0, 0, time.UTC) }

func finding(rule string, sev model.Severity, min int) model.Finding {
	return model.Finding{RuleID: rule, Severity: sev, Title: rule, Subject: "s",
		Evidence: model.Evidence{Path: "/var/log/auth.log", Line: min + 1, Extra: map[string]string{"first_time": at(min).Format(time.RFC3339)}}}
}

func TestAttackPath(t *testing.T) {
	b := NewBuilder(Options{})
	b.Finding(finding("persistence.cron.download", model.High, 30), "scan", time.Time{})
	b.Finding(finding("logs.ssh.brute-force.source", model.Medium, 0), "finding", time.Time{})
	b.Finding(finding("logs.ssh.login-after-failures", model.High, 6), "finding", time.Time{})
	b.Finding(finding("logs.account.user-added", model.Medium, 7), "finding", time.Time{})
	b.Finding(finding("logs.ssh.new-source", model.Low, 8), "finding", time.Time{}) // low: not a step
	b.Event(&model.Event{Time: at(5), Source: "auth", Kind: "ssh.login", Actor: "root", SrcIP: "203.0.113.9", File: "/var/log/auth.log", Line: 31})
	b.Event(&model.Event{Time: at(5), Source: "auth", Kind: "session.open", Actor: "root"}) // not notable
	tl := b.Build()
	if got := tl.Vector(); got != "brute force on sshd → login → new account → persistence" {
		t.Errorf("vector %q", got)
	}
	if len(tl.Entries) != 6 || tl.First != 1 || tl.Entries[0].Rule != "logs.ssh.brute-force.source" {
		t.Errorf("entries %d, first %d: %+v", len(tl.Entries), tl.First, tl.Entries[0])
	}
	for _, s := range tl.Path {
		if e := tl.Entries[s.Entry-1]; e.Rule != s.Rule || s.Where == "" {
			t.Errorf("step %+v does not point at its entry %+v", s, e)
		}
	}
}

func TestCapAndBounds(t *testing.T) {
	b := NewBuilder(Options{Max: 10, All: true, Since: at(1)})
	for i := range 30 {
		b.Event(&model.Event{Time: at(i % 60), Source: "auth", Kind: "ssh.auth.failed"})
	}
	b.Finding(finding("logs.ssh.brute-force.source", model.Medium, 20), "finding", time.Time{})
	tl := b.Build()
	if len(tl.Entries) != 11 || tl.Dropped != 19 {
		t.Errorf("entries %d dropped %d", len(tl.Entries), tl.Dropped)
	}
}

func TestRenderers(t *testing.T) {
	b := NewBuilder(Options{})
	b.Finding(finding("logs.web.webshell", model.High, 3), "finding", time.Time{})
	b.Event(&model.Event{Time: at(1), Source: "auth", Kind: "sudo.command", Actor: "deploy", Raw: "a \x1b[31mraw\x1b[0m <script>alert(1)</script>", Fields: map[string]string{"command": "/bin/bash"}})
	tl := b.Build()
	words := func(id string, a ...any) string { return id }
	var tab, csvb, jl, page bytes.Buffer
	if err := WriteTable(&tab, tl, words); err != nil || strings.Contains(tab.String(), "\x1b") {
		t.Errorf("table: %v %q", err, tab.String())
	}
	if err := WriteCSV(&csvb, tl); err != nil || !strings.HasPrefix(csvb.String(), "message,datetime,timestamp_desc,") {
		t.Errorf("csv: %v %q", err, csvb.String())
	}
	if err := WriteJSONL(&jl, tl); err != nil || strings.Count(jl.String(), "\n") != 3 || !strings.Contains(jl.String(), `"timestamp_desc":"Event Time"`) {
		t.Errorf("jsonl: %v %s", err, jl.String())
	}
	if err := WriteHTML(&page, tl, "en", "t", PageWords{}); err != nil || strings.Contains(page.String(), "<script>alert") || !strings.Contains(page.String(), "<svg") {
		t.Errorf("html: %v (raw lines must be escaped)", err)
	}
}

// TestStagesInCatalog: every stage of the attack path has its name in the
// catalog in both languages.
func TestStagesInCatalog(t *testing.T) {
	cat := catalog.MustLoad()
	for _, s := range stages {
		if id := StageMsg(s.stage); !cat.HasMessage(id) || cat.T("zh-CN", id) == cat.T("en", id) {
			t.Errorf("stage %q: no catalog text %s in both languages", s.stage, id)
		}
	}
}

// TestTableAlignsChinese: the attack path's stage names are padded to the
// same terminal width (a Chinese character takes two columns), and a file
// time keeps the message it was given (the reader's language) and
// Timesketch's description.
func TestTableAlignsChinese(t *testing.T) {
	cat := catalog.MustLoad()
	b := NewBuilder(Options{})
	b.Finding(finding("logs.ssh.brute-force.source", model.Medium, 0), "finding", time.Time{})
	b.Finding(finding("logs.account.user-added", model.Medium, 7), "finding", time.Time{})
	b.Finding(finding("persistence.cron.download", model.High, 30), "scan", time.Time{})
	b.FileTime("/etc/cron.d/x", "Modification Time", "/etc/cron.d/x 的修改时间（persistence.cron.download）", at(29), "persistence.cron.download")
	tl := b.Build()
	var tab bytes.Buffer
	if err := WriteTable(&tab, tl, func(id string, a ...any) string { return cat.T(catalog.Chinese, id, a...) }); err != nil {
		t.Fatal(err)
	}
	col := -1
	for _, line := range strings.Split(tab.String(), "\n") {
		i := strings.Index(line, "2026-03-01T")
		if !strings.HasPrefix(line, "  ") || i < 0 || !strings.Contains(line, " #") {
			continue
		}
		w := termtext.Width(line[:i])
		if col >= 0 && w != col {
			t.Errorf("the times of the path start at column %d and %d:\n%s", col, w, tab.String())
		}
		col = w
	}
	if col < 0 {
		t.Fatalf("no attack path steps in\n%s", tab.String())
	}
	if !strings.Contains(tab.String(), "/etc/cron.d/x 的修改时间") {
		t.Errorf("file time message lost:\n%s", tab.String())
	}
	var csvb bytes.Buffer
	if err := WriteCSV(&csvb, tl); err != nil || !strings.Contains(csvb.String(), ",Modification Time,") {
		t.Errorf("csv keeps Timesketch's timestamp_desc: %v\n%s", err, csvb.String())
	}
}
