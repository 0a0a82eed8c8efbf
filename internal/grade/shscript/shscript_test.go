package shscript

import (
	"reflect"
	"strings"
	"testing"
)

func TestLines(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []Line
	}{
		{"comments and blanks", "# c\n\n  echo hi # trailing\n", []Line{{N: 3, Text: "echo hi", Raw: "echo hi # trailing"}}},
		{"continuation", "curl http://x \\\n  | sh\n", []Line{{N: 1, Text: "curl http://x   | sh", Raw: "curl http://x \\ | sh"}}},
		{"multi-line quote", "PROMPT_COMMAND='a\nb'\nx\n", []Line{{N: 1, Text: "PROMPT_COMMAND='a\nb'", Raw: "PROMPT_COMMAND='a b'"}, {N: 3, Text: "x", Raw: "x"}}},
		{"hash inside word", "echo ${#x} a#b\n", []Line{{N: 1, Text: "echo ${#x} a#b", Raw: "echo ${#x} a#b"}}},
		{"hash in quotes", `echo "# not a comment"`, []Line{{N: 1, Text: `echo "# not a comment"`, Raw: `echo "# not a comment"`}}},
		{"heredoc", "cat <<'EOF' > /tmp/x\nit's data\nEOF\necho done\n", []Line{
			{N: 1, Text: "cat <<'EOF' > /tmp/x", Raw: "cat <<'EOF' > /tmp/x"},
			{N: 2, Text: "it's data", Raw: "it's data", Heredoc: true},
			{N: 4, Text: "echo done", Raw: "echo done"},
		}},
		{"heredoc strip tabs", "cat <<-X\n\tbody\n\tX\nafter\n", []Line{
			{N: 1, Text: "cat <<-X", Raw: "cat <<-X"},
			{N: 2, Text: "body", Raw: "body", Heredoc: true},
			{N: 4, Text: "after", Raw: "after"},
		}},
		{"crlf", "a\r\nb\r\n", []Line{{N: 1, Text: "a", Raw: "a"}, {N: 2, Text: "b", Raw: "b"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Lines([]byte(tc.src))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Lines(%q)\n got %#v\nwant %#v", tc.src, got, tc.want)
			}
		})
	}
}

// An unbalanced quote must not swallow the rest of the file.
func TestLinesUnbalancedQuote(t *testing.T) {
	src := "echo don't\n" + strings.Repeat("alias x=y\n", 100) + "curl http://x | sh\n"
	got := Lines([]byte(src))
	last := got[len(got)-1]
	if last.Text != "curl http://x | sh" || last.N != 102 {
		t.Fatalf("last line = %+v", last)
	}
}

func TestCommands(t *testing.T) {
	tests := []struct {
		text string
		want [][]string
	}{
		{`[ -x /usr/bin/dircolors ] && alias ls='ls --color=auto'`, [][]string{{"[", "-x", "/usr/bin/dircolors", "]"}, {"alias", "ls=ls --color=auto"}}},
		{`if [ -f ~/.x ]; then . ~/.x; fi`, [][]string{{"[", "-f", "~/.x", "]"}, {".", "~/.x"}}},
		{`export PATH="$HOME/bin:$PATH" FOO=1`, [][]string{{"export", "PATH=$HOME/bin:$PATH", "FOO=1"}}},
		{`tput setaf 1 >&/dev/null 2>&1`, [][]string{{"tput", "setaf", "1", ">&/dev/null", "2>&1"}}},
		{`x="$(a; b)" y`, [][]string{{"x=$(a; b)", "y"}}},
		{`PROMPT_COMMAND+=(__vte_osc7)`, [][]string{{"PROMPT_COMMAND+=(__vte_osc7)"}}},
		{`printf "\033]0;%s\033\\" "$PWD"`, [][]string{{"printf", `\033]0;%s\033\`, "$PWD"}}},
		{`echo $'a\'b' c`, [][]string{{"echo", `a\'b`, "c"}}},
		{"a | b || c & d", [][]string{{"a"}, {"b"}, {"c"}, {"d"}}},
		{"cmd &> /dev/null", [][]string{{"cmd", "&>", "/dev/null"}}},
		{"{ echo; }", [][]string{{"echo"}}},
	}
	for _, tc := range tests {
		var got [][]string
		for _, c := range Commands(tc.text) {
			got = append(got, c.Words)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Commands(%q)\n got %q\nwant %q", tc.text, got, tc.want)
		}
	}
}

func TestAssignmentsAliasesFuncs(t *testing.T) {
	c := Commands(`export -n A=1 LD_PRELOAD=/x.so`)[0]
	as := c.Assignments()
	if len(as) != 2 || as[1].Name != "LD_PRELOAD" || as[1].Value != "/x.so" {
		t.Fatalf("assignments = %+v", as)
	}
	if as := Commands(`LD_PRELOAD=/a sudo id`)[0].Assignments(); len(as) != 1 || as[0].Name != "LD_PRELOAD" {
		t.Fatalf("prefix assignment = %+v", as)
	}
	if as := Commands(`setenv LD_PRELOAD /a.so`)[0].Assignments(); len(as) != 1 || as[0].Value != "/a.so" {
		t.Fatalf("setenv = %+v", as)
	}
	al := Commands(`alias ll='ls -l' la='ls -A'`)[0].Aliases(false)
	if len(al) != 2 || al[1].Name != "la" || al[1].Value != "ls -A" {
		t.Fatalf("aliases = %+v", al)
	}
	if al := Commands(`alias ls 'ls -F'`)[0].Aliases(true); len(al) != 1 || al[0].Value != "ls -F" {
		t.Fatalf("csh alias = %+v", al)
	}
	for text, want := range map[string]string{
		"sudo() {":                     "sudo",
		"function sudo {":              "sudo",
		"function sudo() {":            "sudo",
		"__vte_osc7 () {":              "__vte_osc7",
		`ls() { command ls "$@"; }`:    "ls",
		"foo=bar":                      "",
		"echo hi":                      "",
		`[ -f x ] && . x`:              "",
		"command_not_found_handle() (": "command_not_found_handle",
	} {
		got, _ := FuncName(text)
		if got != want {
			t.Errorf("FuncName(%q) = %q, want %q", text, got, want)
		}
	}
	lines := Lines([]byte("sudo() {\n  case $1 in\n  a) x ;;\n  esac\n  echo ${x}\n}\nafter\n"))
	body, last := FuncBody(lines, 0)
	if len(body) != 6 || lines[last].Text != "}" {
		t.Fatalf("body = %+v", body)
	}
}

func TestPaths(t *testing.T) {
	if got := ExpandHome("~/bin:$HOME/x:${HOME}/y", "/root"); got != "/root/bin:/root/x:/root/y" {
		t.Errorf("ExpandHome = %q", got)
	}
}

func TestScanIncludesHeredoc(t *testing.T) {
	hits := Scan([]byte("cat <<EOF | sh\ncurl http://x/a | bash\nEOF\n"))
	if len(hits) != 1 || hits[0].Line.N != 2 {
		t.Fatalf("hits = %+v", hits)
	}
}

func FuzzLines(f *testing.F) {
	f.Add("alias ls='ls --color=auto'\n")
	f.Add("cat <<EOF\nx\nEOF\n")
	f.Add("a='\nb\\\n\"$(x `y`)\"")
	f.Add(strings.Repeat("'", 200))
	f.Fuzz(func(t *testing.T, s string) {
		for _, l := range Lines([]byte(s)) {
			if l.N < 1 {
				t.Fatalf("bad line number %d", l.N)
			}
			for _, c := range Commands(l.Text) {
				c.Assignments()
				c.Aliases(false)
				c.Aliases(true)
			}
			FuncName(l.Text)
		}
	})
}

func FuzzCommands(f *testing.F) {
	f.Add(`x=$( (a) ) "b\" c" $'d\'e' ${f:-}`)
	f.Add(`(((`)
	f.Add(`$((`)
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range Commands(s) {
			if len(c.Words) == 0 {
				t.Fatal("empty command returned")
			}
		}
	})
}
