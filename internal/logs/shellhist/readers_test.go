package shellhist

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func texts(es []Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Text
	}
	return out
}

func TestReaders(t *testing.T) {
	tests := []struct {
		name  string
		f     Format
		in    string
		want  []string
		lines []int
	}{
		{"bash plain", Bash, "ls\n\ncd /tmp\r\n", []string{"ls", "cd /tmp"}, []int{1, 3}},
		{"bash timestamps", Bash, "#1763900000\nls\n#notatime\n#1763900001\n", []string{"ls", "#notatime"}, []int{2, 3}},
		{"zsh extended", Zsh, ": 1763000000:0;ls -la\n: 1763000010:3;for f in *; do\\\n  gzip $f\\\ndone\nplain\n", []string{"ls -la", "for f in *; do\n  gzip $f\ndone", "plain"}, []int{1, 2, 5}},
		{"zsh escaped backslash ends line", Zsh, ": 1763000000:0;echo a\\\\\nls\n", []string{`echo a\\`, "ls"}, []int{1, 2}},
		{"zsh bad header kept", Zsh, ": x:0;ls\n", []string{": x:0;ls"}, []int{1}},
		{"zsh metafied", Zsh, ": 1763000000:0;echo \x83\xa3\n", []string{"echo \x83"}, []int{1}},
		{"mysql libedit", Editline, "_HiStOrY_V2_\nshow\\040tables;\nselect\\040'a\\134b';\n", []string{"show tables;", `select 'a\b';`}, []int{2, 3}},
		{"mysql readline", Editline, "show tables;\n", []string{"show tables;"}, []int{1}},
		{"fish", Fish, "- cmd: ls\n  when: 1763100000\n- cmd: echo a\\nb \\\\n\n  when: nope\n  paths:\n    - /x\n- cmd: \n", []string{"ls", "echo a\nb \\n"}, []int{1, 3}},
		{"ksh nul separated", Plain, "\x81\x01ls\x00cd /\x00\n", []string{"\x81\x01ls", "cd /"}, []int{1, 1}},
	}
	for _, tc := range tests {
		got := Read(tc.f, []byte(tc.in), 0)
		if !reflect.DeepEqual(texts(got), tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, texts(got), tc.want)
			continue
		}
		for i, e := range got {
			if e.Line != tc.lines[i] {
				t.Errorf("%s: Entry %d line %d, want %d", tc.name, i, e.Line, tc.lines[i])
			}
		}
	}
	b := readBash([]byte("#1763900000\nls\n"))
	if !b[0].When.Equal(time.Unix(1763900000, 0)) {
		t.Errorf("bash time %v", b[0].When)
	}
	z := readZsh([]byte(": 1763000010:3;ls\n"))
	if !z[0].When.Equal(time.Unix(1763000010, 0)) {
		t.Errorf("zsh time %v", z[0].When)
	}
	f := readFish([]byte("- cmd: ls\n  when: 1763100000\n"))
	if !f[0].When.Equal(time.Unix(1763100000, 0)) {
		t.Errorf("fish time %v", f[0].When)
	}
	if got := Read(Bash, []byte("ls\n"), 10); got[0].Line != 11 {
		t.Errorf("offset not applied: %d", got[0].Line)
	}
}

func FuzzReaders(f *testing.F) {
	f.Add("#1763900000\nls\n")
	f.Add(": 1763000000:0;ls\\\n\\\n")
	f.Add("_HiStOrY_V2_\n\\040\\777\\3\\\n")
	f.Add("- cmd: a\\\n  when: 99999999999\n")
	f.Add("\x83\x83\x83")
	f.Fuzz(func(t *testing.T, s string) {
		for _, fm := range []Format{Plain, Bash, Zsh, Editline, Fish} {
			for _, e := range Read(fm, []byte(s), 0) {
				if e.Line < 1 || e.Line > strings.Count(s, "\n")+1 || e.Text == "" {
					t.Fatalf("Format %d: bad Entry %+v", fm, e)
				}
			}
		}
		_ = utf8.ValidString(s)
	})
}
