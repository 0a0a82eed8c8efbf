package textclip

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"short", "abc", 10, "abc"},
		{"exact", "abcdef", 6, "abcdef"},
		{"ascii cut", "abcdefghij", 8, "abcde…"},
		{"empty", "", 3, ""},
		{"cjk never split", "中文中文", 8, "中…"}, // 12 bytes; room for 5 -> one rune
		{"cjk boundary", "中文中文", 9, "中文…"},   // room for 6 -> two runes
		{"four-byte rune", "a😀b😀", 6, "a…"},  // 😀 is 4 bytes, room for 3
		{"invalid byte kept whole", "a\xffb\xfecdef", 7, "a\xffb\xfe…"},
		{"truncated sequence", "ab\xe4\xb8cdefgh", 7, "ab\xe4\xb8…"},
		{"tiny max", "abcdef", 2, "…"},
		{"zero max", "abcdef", 0, "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Clip(tt.in, tt.max)
			if got != tt.want {
				t.Fatalf("Clip(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
			if tt.max >= len(Mark) && len(got) > tt.max {
				t.Fatalf("Clip(%q, %d) is %d bytes", tt.in, tt.max, len(got))
			}
			if utf8.ValidString(tt.in) && !utf8.ValidString(got) {
				t.Fatalf("Clip(%q, %d) = %q cut inside a rune", tt.in, tt.max, got)
			}
		})
	}
}

func TestTrimAndValid(t *testing.T) {
	tests := []struct {
		name string
		f    func(string, int) string
		in   string
		max  int
		want string
	}{
		{"trim", Trim, "  abc \n", 10, "abc"},
		{"trim then clip", Trim, "   abcdefgh   ", 7, "abcd…"},
		{"valid replaces", Valid, " a\xffb ", 10, "a\uFFFDb"},
		{"valid clips", Valid, "\xffa\xffb\xffc", 7, "\uFFFDa…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f(tt.in, tt.max); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzClip(f *testing.F) {
	f.Add("中文 text \xff", 5)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 1<<16 {
			return
		}
		got := Clip(s, max)
		if len(s) <= max {
			if got != s {
				t.Fatalf("changed a short text")
			}
			return
		}
		if !strings.HasSuffix(got, Mark) || (max >= len(Mark) && len(got) > max) {
			t.Fatalf("Clip(%q, %d) = %q", s, max, got)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("cut inside a rune: %q", got)
		}
	})
}
