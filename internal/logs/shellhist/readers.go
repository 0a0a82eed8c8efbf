// Package shellhist decodes shell and REPL history files (bash with
// timestamps, zsh extended and metafied, fish, libedit/readline, plain):
// the history check of `vigil scan` grades the commands, the log pipeline
// puts them on the timeline.
package shellhist

import (
	"bytes"
	"strconv"
	"strings"
	"time"
)

// Entry is one command from a history file.
type Entry struct {
	Line int       // 1-based line where the command starts
	Text string    // the command, decoded
	When time.Time // zero when the history holds no time for it
}

// Format is how a history file is encoded.
type Format int

const (
	Plain    Format = iota // one command per line (sh, ash, python, node, redis-cli)
	Bash                   // plus "#1700000000" timestamp lines
	Zsh                    // ": 1700000000:0;cmd", metafied, "\" continuation
	Editline               // libedit "_HiStOrY_V2_" with \040 escapes, or readline plain
	Fish                   // "- cmd: ..." / "  when: ..."
)

// read decodes b. offset is added to line numbers (a file read from its
// tail).
func Read(f Format, b []byte, offset int) []Entry {
	var out []Entry
	switch f {
	case Bash:
		out = readBash(b)
	case Zsh:
		out = readZsh(b)
	case Editline:
		out = readEditline(b)
	case Fish:
		out = readFish(b)
	default:
		out = readPlain(b)
	}
	if offset != 0 {
		for i := range out {
			out[i].Line += offset
		}
	}
	return out
}

// lines splits b at newlines without copying more than needed; a trailing
// carriage return is dropped.
func lines(b []byte) []string {
	s := strings.Split(string(b), "\n")
	if len(s) > 0 && s[len(s)-1] == "" {
		s = s[:len(s)-1]
	}
	for i := range s {
		s[i] = strings.TrimSuffix(s[i], "\r")
	}
	return s
}

// readPlain returns every non-blank line. ksh writes a binary history with
// NUL separators: NULs split commands too.
func readPlain(b []byte) []Entry {
	var out []Entry
	for i, l := range lines(b) {
		for _, part := range strings.Split(l, "\x00") {
			part = strings.TrimSpace(part)
			if part != "" {
				out = append(out, Entry{Line: i + 1, Text: part})
			}
		}
	}
	return out
}

// epoch parses a history timestamp within sane bounds (1990..2100).
func epoch(s string) (time.Time, bool) {
	if len(s) < 9 || len(s) > 11 {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 631152000 || n > 4102444800 {
		return time.Time{}, false
	}
	return time.Unix(n, 0).UTC(), true
}

// readBash reads bash history; with HISTTIMEFORMAT set, bash writes
// "#<epoch>" before each command.
func readBash(b []byte) []Entry {
	var out []Entry
	var ts time.Time
	for i, l := range lines(b) {
		if strings.HasPrefix(l, "#") {
			if t, ok := epoch(l[1:]); ok {
				ts = t
				continue
			}
		}
		if strings.TrimSpace(l) == "" {
			continue
		}
		out = append(out, Entry{Line: i + 1, Text: strings.TrimSpace(l), When: ts})
		ts = time.Time{}
	}
	return out
}

// unmetafy undoes zsh's history encoding: byte 0x83 marks the next byte
// xor 0x20.
func unmetafy(b []byte) []byte {
	if bytes.IndexByte(b, 0x83) < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == 0x83 && i+1 < len(b) {
			i++
			out = append(out, b[i]^0x20)
			continue
		}
		out = append(out, b[i])
	}
	return out
}

// readZsh reads zsh history, plain or extended (": start:elapsed;cmd").
// A line ending in a backslash continues on the next line.
func readZsh(b []byte) []Entry {
	var out []Entry
	ls := lines(b)
	for i := range ls {
		// Unmetafy line by line so that line numbers stay those of the file.
		ls[i] = string(unmetafy([]byte(ls[i])))
	}
	for i := 0; i < len(ls); i++ {
		start := i
		l := ls[i]
		var ts time.Time
		if strings.HasPrefix(l, ": ") {
			if semi := strings.IndexByte(l, ';'); semi > 0 {
				meta := l[2:semi]
				if colon := strings.IndexByte(meta, ':'); colon > 0 {
					if t, ok := epoch(strings.TrimSpace(meta[:colon])); ok {
						ts, l = t, l[semi+1:]
					}
				}
			}
		}
		var cmd strings.Builder
		for {
			if strings.HasSuffix(l, `\`) && !strings.HasSuffix(l, `\\`) && i+1 < len(ls) {
				cmd.WriteString(l[:len(l)-1])
				cmd.WriteByte('\n')
				i++
				l = ls[i]
				continue
			}
			cmd.WriteString(l)
			break
		}
		if t := strings.TrimSpace(cmd.String()); t != "" {
			out = append(out, Entry{Line: start + 1, Text: t, When: ts})
		}
	}
	return out
}

// readEditline reads mysql/psql history: libedit's "_HiStOrY_V2_" Format
// encodes space as \040 and other bytes as octal escapes; readline's is
// plain lines.
func readEditline(b []byte) []Entry {
	var out []Entry
	for i, l := range lines(b) {
		if i == 0 && strings.HasPrefix(l, "_HiStOrY_V2_") {
			continue
		}
		t := strings.TrimSpace(unescapeOctal(l))
		if t != "" {
			out = append(out, Entry{Line: i + 1, Text: t})
		}
	}
	return out
}

// unescapeOctal decodes \ooo escapes and \\; anything else stays as is.
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && isOctal(s, i+1) {
			n, _ := strconv.ParseUint(s[i+1:i+4], 8, 8)
			b.WriteByte(byte(n))
			i += 3
			continue
		}
		if c == '\\' && i+1 < len(s) && s[i+1] == '\\' {
			b.WriteByte('\\')
			i++
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isOctal(s string, i int) bool {
	if i+3 > len(s) {
		return false
	}
	for _, c := range []byte(s[i : i+3]) {
		if c < '0' || c > '7' {
			return false
		}
	}
	return s[i] <= '3' // fits in a byte
}

// readFish reads fish's YAML-like history: each Entry starts with a
// "- cmd: <command>" line, followed by an indented "when: <epoch>" line and
// an optional "paths:" list.
func readFish(b []byte) []Entry {
	var out []Entry
	for i, l := range lines(b) {
		switch {
		case strings.HasPrefix(l, "- cmd: "):
			out = append(out, Entry{Line: i + 1, Text: strings.TrimSpace(fishUnescape(l[len("- cmd: "):]))})
		case strings.HasPrefix(l, "  when: ") && len(out) > 0:
			if t, ok := epoch(strings.TrimSpace(l[len("  when: "):])); ok {
				out[len(out)-1].When = t
			}
		}
	}
	// Drop empty commands after decoding.
	kept := out[:0]
	for _, e := range out {
		if e.Text != "" {
			kept = append(kept, e)
		}
	}
	return kept
}

// fishUnescape decodes fish's history escapes: \n for newline, \\ for a
// backslash.
func fishUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case 'n':
				b.WriteByte('\n')
				i++
				continue
			case '\\':
				b.WriteByte('\\')
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
