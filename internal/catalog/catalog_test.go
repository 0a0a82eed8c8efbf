package catalog

import (
	"testing"
	"testing/fstest"

	"github.com/vigil-ir/vigil/internal/model"
)

func TestEmbeddedCatalogComplete(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Rules()) == 0 {
		t.Fatal("empty catalog")
	}
	for _, bad := range c.Validate() {
		t.Error(bad)
	}
}

func TestParseRejectsDuplicatesAndUnknownFields(t *testing.T) {
	rule := "- id: a.b\n  severity: high\n  confidence: high\n  category: a\n  texts: {}\n"
	fsys := fstest.MapFS{
		"checks/one.yaml": {Data: []byte(rule)},
		"checks/two.yaml": {Data: []byte(rule)},
	}
	if _, err := Parse(fsys, nil); err == nil {
		t.Fatal("duplicate rule accepted")
	}
	fsys = fstest.MapFS{"checks/one.yaml": {Data: []byte(rule + "  sevrity: low\n")}}
	if _, err := Parse(fsys, nil); err == nil {
		t.Fatal("unknown field accepted")
	}
	fsys = fstest.MapFS{"checks/one.yaml": {Data: []byte("- id: a.b\n  severity: fatal\n")}}
	if _, err := Parse(fsys, nil); err == nil {
		t.Fatal("bad severity accepted")
	}
}

func TestValidateFindsGaps(t *testing.T) {
	rule := "- id: a.b\n  severity: high\n  confidence: high\n  category: x\n  technique: 1053\n  texts:\n    en: {title: t, why: w, verify: v, remediation: r}\n"
	c, err := Parse(fstest.MapFS{"checks/one.yaml": {Data: []byte(rule)}}, []byte("ind:\n  en: x\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := c.Validate()
	if len(got) != 4 { // category prefix, zh-CN text, technique, indicator zh-CN
		t.Fatalf("Validate = %q, want 4 defects", got)
	}
}

func TestLanguage(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, English},
		{map[string]string{"LANG": "zh_CN.UTF-8"}, Chinese},
		{map[string]string{"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}, English},
		{map[string]string{"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_TW.UTF-8"}, Chinese},
		{map[string]string{"LC_ALL": "zh_CN.GB18030"}, Chinese},
	}
	for _, tc := range tests {
		if got := LangFromEnv(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("LangFromEnv(%v) = %s, want %s", tc.env, got, tc.want)
		}
	}
	if NormalizeLang("zh-CN") != Chinese || NormalizeLang("en") != English || NormalizeLang("fr") != English {
		t.Fatal("NormalizeLang")
	}
}

func TestLocalize(t *testing.T) {
	c := MustLoad()
	r := c.Rules()[0]
	f := model.Finding{RuleID: r.ID}
	c.Localize(&f, Chinese)
	if f.Title != r.Texts[Chinese].Title || f.Remediation == "" {
		t.Fatalf("Localize zh: %+v", f)
	}
	c.Localize(&f, English)
	if f.Title != r.Texts[English].Title {
		t.Fatalf("Localize en: %+v", f)
	}
	unknown := model.Finding{RuleID: "no.such.rule"}
	c.Localize(&unknown, English)
	if unknown.Title != "no.such.rule" {
		t.Fatalf("unknown rule title = %q", unknown.Title)
	}
}
