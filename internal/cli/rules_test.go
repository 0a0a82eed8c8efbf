package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRulesCommand(t *testing.T) {
	var list []map[string]any
	r := vigil(t, "rules", "--category", "persistence", "--technique", "T1053", "--severity", "high", "--format", "json")
	if err := json.Unmarshal([]byte(r.out), &list); err != nil || r.code != 0 {
		t.Fatalf("rules json: exit %d, %v\n%s", r.code, err, r.out)
	}
	if len(list) == 0 {
		t.Fatal("no persistence rule with technique T1053* at high or above")
	}
	for _, m := range list {
		id, _ := m["id"].(string)
		if !strings.HasPrefix(id, "persistence.") || !strings.HasPrefix(m["attack_technique"].(string), "T1053") {
			t.Errorf("filter let through %v", m)
		}
		if sev := m["severity"]; sev != "high" && sev != "critical" {
			t.Errorf("%s: severity %v below the filter", id, sev)
		}
		if m["title"] == "" || m["why"] == "" || m["remediation"] == "" {
			t.Errorf("%s: texts missing in JSON: %v", id, m)
		}
	}

	// The table and the explanation follow --lang; ids do not.
	zh := vigil(t, "rules", "show", "persistence.cron.command", "--lang", "zh-CN")
	for _, want := range []string{"persistence.cron.command", "危害说明", "人工核实方法", "处置建议", "T1053.003", "高危"} {
		if !strings.Contains(zh.out, want) {
			t.Errorf("rules show (zh-CN) lacks %q:\n%s", want, zh.out)
		}
	}
	en := vigil(t, "rules", "show", "persistence.cron.command", "--lang", "en")
	if !strings.Contains(en.out, "Why it matters") || strings.Contains(en.out, "危害说明") {
		t.Errorf("rules show (en):\n%s", en.out)
	}
	if r := vigil(t, "rules", "show", "no.such.rule"); r.code != ExitError || !strings.Contains(r.err, "no rule") {
		t.Errorf("unknown rule: exit %d, stderr %q", r.code, r.err)
	}
	tbl := vigil(t, "rules", "--category", "logs", "--lang", "zh-CN")
	if !strings.Contains(tbl.out, "条规则") || !strings.Contains(tbl.out, "logs.utmp.wiped") {
		t.Errorf("rules table (zh-CN):\n%s", tbl.out)
	}
}
