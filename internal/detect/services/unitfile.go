package services

import (
	"bytes"
	"strings"
)

// UnitEntry is one Key=Value assignment of a unit file.
type UnitEntry struct {
	Section string // without brackets, as written ("Service")
	Key     string
	Value   string // continuations joined, surrounding blanks removed
	Line    int    // 1-based line of the first physical line
	Raw     string // the physical lines, trimmed and joined with a space
}

// UnitFile is a parsed unit file or drop-in.
type UnitFile struct {
	Entries []UnitEntry
	Bad     int // lines systemd would reject (no '=', outside a section)
}

// maxUnitLines and maxJoin bound what one file may cost.
const (
	maxUnitLines = 100000
	maxJoin      = 256
)

// ParseUnit parses a systemd unit file the way systemd's config parser
// does: [Section] headers, Key=Value lines with blanks around both trimmed,
// comment lines starting with # or ; (also inside a continuation, where
// they are skipped), and a trailing backslash joining the next line with a
// space.
func ParseUnit(b []byte) UnitFile {
	var u UnitFile
	section := ""
	n := 0
	for len(b) > 0 && n < maxUnitLines {
		line := nextLine(&b)
		n++
		start := n
		l := strings.TrimSpace(line)
		if l == "" || l[0] == '#' || l[0] == ';' {
			continue
		}
		raw := []string{l}
		joined := 0
		for strings.HasSuffix(l, "\\") && len(b) > 0 && joined < maxJoin {
			next := strings.TrimSpace(nextLine(&b))
			n++
			joined++
			if next != "" && (next[0] == '#' || next[0] == ';') {
				continue // comments inside a continuation are dropped
			}
			raw = append(raw, next)
			l = strings.TrimSuffix(l, "\\") + " " + next
		}
		l = strings.TrimSpace(strings.TrimSuffix(l, "\\"))
		if strings.HasPrefix(l, "[") {
			if i := strings.IndexByte(l, ']'); i > 0 {
				section = l[1:i]
				continue
			}
			u.Bad++
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok || section == "" {
			u.Bad++
			continue
		}
		u.Entries = append(u.Entries, UnitEntry{Section: section, Key: strings.TrimSpace(k),
			Value: strings.TrimSpace(v), Line: start, Raw: strings.Join(raw, " ")})
	}
	return u
}

func nextLine(b *[]byte) string {
	var line []byte
	if i := bytes.IndexByte(*b, '\n'); i >= 0 {
		line, *b = (*b)[:i], (*b)[i+1:]
	} else {
		line, *b = *b, nil
	}
	return strings.TrimSuffix(string(line), "\r")
}

// Values returns the effective values of a list setting in order: an
// empty assignment resets the list, as in systemd.
func (u UnitFile) Values(section, key string) []UnitEntry {
	var out []UnitEntry
	for _, e := range u.Entries {
		if !strings.EqualFold(e.Section, section) || e.Key != key {
			continue
		}
		if e.Value == "" {
			out = nil
			continue
		}
		out = append(out, e)
	}
	return out
}

// Last returns the last value of a single-valued setting.
func (u UnitFile) Last(section, key string) (UnitEntry, bool) {
	var last UnitEntry
	found := false
	for _, e := range u.Entries {
		if strings.EqualFold(e.Section, section) && e.Key == key {
			last, found = e, true
		}
	}
	return last, found && last.Value != ""
}

// Names splits a unit-list setting (Wants=a.service b.service).
func (u UnitFile) Names(section, key string) []string {
	var out []string
	for _, e := range u.Values(section, key) {
		out = append(out, strings.Fields(e.Value)...)
	}
	return out
}

// execKeys are the settings whose values systemd executes.
var execKeys = map[string]bool{
	"ExecStart": true, "ExecStartPre": true, "ExecStartPost": true, "ExecCondition": true,
	"ExecReload": true, "ExecStop": true, "ExecStopPost": true, "ExecStopPre": true,
}

// ExecCommand turns an Exec*= value into a command line: the special
// prefixes (@ - : + ! !!) are removed and, for @, the argv[0] word that
// follows the program. %h expands to home and %% to %.
func ExecCommand(v, home string) string {
	v = strings.TrimSpace(v)
	argv0 := false
	for len(v) > 0 && strings.ContainsRune("@-:+!|", rune(v[0])) {
		if v[0] == '@' {
			argv0 = true
		}
		v = v[1:]
	}
	v = strings.TrimSpace(v)
	if argv0 {
		prog, rest, _ := strings.Cut(v, " ")
		rest = strings.TrimSpace(rest)
		if _, after, ok := cutWord(rest); ok {
			v = prog + " " + after
		} else {
			v = prog
		}
	}
	if home != "" {
		v = strings.ReplaceAll(v, "%h", home)
	}
	return strings.ReplaceAll(v, "%%", "%")
}

// cutWord removes the first (possibly quoted) word of s.
func cutWord(s string) (string, string, bool) {
	if s == "" {
		return "", "", false
	}
	if s[0] == '"' || s[0] == '\'' {
		if j := strings.IndexByte(s[1:], s[0]); j >= 0 {
			return s[1 : j+1], strings.TrimSpace(s[j+2:]), true
		}
		return s[1:], "", true
	}
	w, rest, _ := strings.Cut(s, " ")
	return w, strings.TrimSpace(rest), true
}

// EnvAssignments splits an Environment= value into NAME=value words
// (quotes removed).
func EnvAssignments(v string) []string {
	var out []string
	for v = strings.TrimSpace(v); v != ""; v = strings.TrimSpace(v) {
		w, rest, ok := cutWord(v)
		if !ok {
			break
		}
		if w != "" {
			out = append(out, w)
		}
		v = rest
	}
	return out
}

// unitType returns the suffix of a unit name ("service").
func unitType(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return ""
}

// template returns the template of an instance name (getty@tty1.service
// -> getty@.service), or "".
func template(name string) string {
	at := strings.IndexByte(name, '@')
	dot := strings.LastIndexByte(name, '.')
	if at < 0 || dot < at || at+1 == dot {
		return ""
	}
	return name[:at+1] + name[dot:]
}

// unitTypes are the suffixes of unit files.
var unitTypes = map[string]bool{
	"service": true, "socket": true, "timer": true, "path": true, "target": true, "mount": true,
	"automount": true, "swap": true, "device": true, "slice": true, "scope": true,
}
