package catalog

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/vigil-ir/vigil/internal/model"
)

// TestEveryMessageRendersInBothLanguages renders every message id with as
// many arguments as it takes, in both languages: none may be missing, fall
// back to English, or leave a fmt error (%!s(MISSING), %!(EXTRA ...)).
func TestEveryMessageRendersInBothLanguages(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.MessageIDs()) == 0 {
		t.Fatal("no messages")
	}
	for _, id := range c.MessageIDs() {
		n := c.MessageArity(id)
		args := make([]any, n)
		for i := range args {
			args[i] = "ARG" + string(rune('A'+i))
		}
		en := c.T(English, id, args...)
		zh := c.T(Chinese, id, args...)
		for lang, s := range map[string]string{English: en, Chinese: zh} {
			if strings.Contains(s, "%!") || s == model.Msg(id, args...).String() {
				t.Errorf("%s in %s renders as %q", id, lang, s)
			}
			for _, a := range args {
				if !strings.Contains(s, a.(string)) {
					t.Errorf("%s in %s drops argument %s: %q", id, lang, a, s)
				}
			}
		}
		if en == zh && hasLetters(en) {
			t.Errorf("%s: zh-CN text is the English one: %q", id, en)
		}
	}
}

// hasLetters reports whether s holds an English word (not only symbols,
// arguments and names such as "PID" or "UTC").
func hasLetters(s string) bool {
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z') }) {
		if len(w) > 2 {
			return true
		}
	}
	return false
}

func TestMessageValidation(t *testing.T) {
	fsys := fstest.MapFS{"messages/x.yaml": {Data: []byte(`
ok: {en: "%s of %s", zh-CN: "%[2]s 的 %[1]s"}
missing: {en: "only English"}
verb: {en: "%d files", zh-CN: "%d 个文件"}
count: {en: "%s and %s", zh-CN: "%s"}
style: {en: "a (b), c", zh-CN: "甲(乙),丙 反弹shell"}
`)}}
	c, err := Parse(fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(c.Validate(), "\n")
	for _, want := range []string{"missing (x.yaml): no zh-CN", "verb (x.yaml) en: only %s", "count (x.yaml): zh-CN takes 1", "style (x.yaml) zh-CN: ASCII '('", `spelling "反弹shell"`} {
		if !strings.Contains(got, want) {
			t.Errorf("Validate misses %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "message ok") {
		t.Errorf("valid message refused:\n%s", got)
	}
	if s := c.T(Chinese, "ok", "A", "B"); s != "B 的 A" {
		t.Errorf("reordered arguments: %q", s)
	}
	if s := c.Message(English, model.Msg("nope", 3)); s != "nope(3)" {
		t.Errorf("unknown id renders as %q", s)
	}
	if _, err := Parse(fstest.MapFS{
		"messages/a.yaml": {Data: []byte("x: {en: a, zh-CN: 甲}\n")},
		"messages/b.yaml": {Data: []byte("x: {en: a, zh-CN: 甲}\n")},
	}, nil); err == nil {
		t.Error("duplicate message id accepted")
	}
}

func TestChineseStyle(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"下载并执行代码（curl/wget 管道传给 shell）。", 0},
		{"只报告执行请求参数的脚本（eval($_POST...)、system($_GET...)）。", 0},
		{"nginx: location ~* ^/uploads/ { deny all; }", 0},
		{"时间 10:05，路径 /tmp/a,b", 0},
		{"下载并执行代码(curl/wget 管道传给 shell)", 1},
		{"原因: 权限不足", 1},
		{"甲,乙;丙", 2},
		{"网页木马 webshell", 1},
		{"规则ID 与 反向shell", 2},
	}
	for _, tc := range tests {
		if got := ChineseStyle(tc.in); len(got) != tc.want {
			t.Errorf("ChineseStyle(%q) = %q, want %d defects", tc.in, got, tc.want)
		}
	}
}
