package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/chromium"
	"github.com/vigil-ir/vigil/internal/testutil"
)

func TestIncidentCase(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot)
	dir := t.TempDir()
	store := filepath.Join(dir, "vigil.db")
	run := withStore(t, store)
	run(2, "incident", "note", "no store yet")
	run(1, "scan", "--root", root) // before the case: not attached
	run(0, "incident", "open", "web1 defaced", "--aware", "2026-12-01T08:00:00Z")
	run(2, "incident", "open", "a second case")
	run(2, "incident", "note", "x", "--step", "dance")
	run(1, "scan", "--root", root)
	run(0, "collect", "--root", root, "-o", filepath.Join(dir, "e.tar.zst"))
	run(0, "incident", "note", "password logins disabled", "--step", "harden")

	st := decode[app.IncidentStatus](t, run(0, "incident", "status", "--format", "json"))
	if st.Case.Reference != "IR-1" || st.Case.State != "open" || st.Case.Aware.Format("2006-01-02T15") != "2026-12-01T08" {
		t.Fatalf("case: %+v", st.Case)
	}
	done := map[string]int{}
	for _, s := range st.Checklist {
		done[s.Step] = len(s.What)
	}
	if done["assess"] != 2 || done["harden"] != 1 || done["contain"] != 0 {
		t.Errorf("checklist: %v (want the scan and the archive under assess, the note under harden)", done)
	}
	for _, e := range st.Events {
		if e.Kind == "evidence" && !strings.Contains(e.Detail, "sha256") {
			t.Errorf("the archive's journal line lacks its digest: %+v", e)
		}
	}
	zh := run(0, "incident", "status", "--lang", "zh-CN")
	if !strings.Contains(zh.out, "[ ] 遏制") || !strings.Contains(zh.out, "[x] 加固") {
		t.Errorf("status in Chinese:\n%s", zh.out)
	}
	report := filepath.Join(dir, "report.md")
	run(0, "incident", "report", "-o", report)
	if st := decode[app.IncidentStatus](t, run(0, "incident", "status", "--format", "json")); !st.Checklist[5].Done {
		t.Error("a report written while the case is open counts for the report step")
	}
	run(0, "incident", "close")
	run(2, "incident", "close")
	for _, f := range []string{"md", "json", "html"} {
		r := run(0, "incident", "report", "--format", f, "--lang", "zh-CN")
		if !strings.Contains(r.out, "IR-1") || !strings.Contains(r.out, "password logins disabled") {
			t.Errorf("report %s lacks the case or its notes:\n%s", f, r.out)
		}
	}
	html := run(0, "incident", "report", "--format", "html").out
	if !strings.Contains(html, "<svg") || strings.Contains(html, "<script") || strings.Contains(html, "http://") && strings.Contains(html, "src=") {
		t.Error("the HTML report must be self-contained with its chart inline")
	}
	reg := run(0, "incident", "report", "--template", "regulator", "--lang", "zh-CN").out
	if !strings.Contains(reg, "72 小时") {
		t.Errorf("regulator notification:\n%s", reg)
	}
	tl := filepath.Join(dir, "timeline.jsonl")
	if err := os.WriteFile(tl, []byte(`{"datetime":"2026-12-01T07:20:00Z","message":"auth.login actor=www-data from=203.0.113.7","source":"auth","kind":"auth.login"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run(0, "incident", "report", "--timeline", tl); !strings.Contains(r.out, "auth.login actor=www-data") || !strings.Contains(r.out, "scan 2 of") {
		t.Errorf("the report lacks the timeline's login or the scan:\n%s", r.out)
	}
	run(2, "incident", "report", "--timeline", filepath.Join(dir, "none.jsonl"))
	for _, e := range decode[app.IncidentStatus](t, run(0, "incident", "status", "--format", "json")).Events {
		if e.Kind == "scan" && (e.Actor == "" || e.RunKind != "scan") {
			t.Errorf("a scan line without its operator or kind: %+v", e)
		}
	}
	run(2, "incident", "report", "--format", "rtf")
	if _, err := chromium.Find(); err == nil {
		pdf := filepath.Join(dir, "report.pdf")
		run(0, "incident", "report", "--format", "pdf", "--lang", "zh-CN", "-o", pdf)
		if b, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Errorf("--format pdf wrote no PDF (%v): %.20q", err, b)
		}
	}
	t.Setenv("VIGIL_CHROMIUM", "")
	paths := chromium.Paths
	chromium.Paths = []string{filepath.Join(dir, "no-chromium")}
	r := run(2, "incident", "report", "--format", "pdf", "--lang", "zh-CN")
	chromium.Paths = paths
	if !strings.Contains(r.err, "apt-get install chromium fonts-noto-cjk") || !strings.Contains(r.err, "无头 Chromium") {
		t.Errorf("PDF without a browser must say what to install, in the reader's language: %q", r.err)
	}
	run(2, "incident", "report", "IR-9")
	run(1, "scan", "--root", root) // after closing: not attached
	st = decode[app.IncidentStatus](t, run(0, "incident", "status", "IR-1", "--format", "json"))
	if st.Case.State != "closed" || len(st.Checklist[1].What) != 2 {
		t.Errorf("closed case: %+v", st)
	}
}
