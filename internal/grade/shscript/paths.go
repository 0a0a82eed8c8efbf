package shscript

import (
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/cmdscan"
)

// ExpandHome replaces $HOME, ${HOME} and a leading ~ with home. It leaves
// the string alone when home is "".
func ExpandHome(s, home string) string {
	if home == "" {
		return s
	}
	home = strings.TrimSuffix(home, "/")
	s = strings.ReplaceAll(s, "${HOME}", home)
	s = strings.ReplaceAll(s, "$HOME", home)
	if s == "~" {
		return home
	}
	if strings.HasPrefix(s, "~/") {
		s = home + s[1:]
	}
	return s
}

// Hit is one logical line of a script that cmdscan flags.
type Hit struct {
	Line    Line
	Matches []cmdscan.Match
}

// Scan grades every logical line of a script with cmdscan, here-document
// bodies included (a script may pipe them to a shell).
func Scan(src []byte) []Hit {
	var out []Hit
	for _, l := range Lines(src) {
		if ms := cmdscan.Scan(l.Text); len(ms) > 0 {
			out = append(out, Hit{Line: l, Matches: ms})
		}
	}
	return out
}
