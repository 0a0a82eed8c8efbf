package termtext

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/model"
)

func TestOneLine(t *testing.T) {
	tests := map[string]string{
		"a\nb\tc":            "a b c",
		"\x1b]0;pwned\x07ls": "?]0;pwned?ls",
		"csi\u009b31mred":    "csi?31mred",
		"  /etc/passwd  ":    "/etc/passwd",
		"中文路径/文件":            "中文路径/文件",
		"del\x7f":            "del?",
	}
	for in, want := range tests {
		if got := OneLine(in); got != want {
			t.Errorf("OneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWidthAndTruncate(t *testing.T) {
	if w := Width("严重 high"); w != 9 {
		t.Errorf("Width = %d, want 9", w)
	}
	if got := Truncate("abcdef", 4); got != "abc…" || Width(got) != 4 {
		t.Errorf("Truncate = %q", got)
	}
	if got := Truncate("持久化后门文件", 6); Width(got) > 6 {
		t.Errorf("Truncate(CJK) = %q (%d cells)", got, Width(got))
	}
	if got := Truncate("short", 10); got != "short" {
		t.Errorf("Truncate kept-short = %q", got)
	}
	if got := Pad("高危", 6); got != "高危  " {
		t.Errorf("Pad = %q", got)
	}
}

func TestSeverity(t *testing.T) {
	if got := Severity(catalog.Chinese, model.Critical); got != "严重" {
		t.Errorf("zh critical = %q", got)
	}
	if got := Severity("fr", model.High); got != "HIGH" {
		t.Errorf("unknown language = %q", got)
	}
}
