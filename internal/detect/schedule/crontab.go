package schedule

import (
	"bytes"
	"strings"

	"github.com/vigil-ir/vigil/internal/lazyre"
)

// Kind of a crontab line.
type Kind int

// Crontab line kinds.
const (
	KindJob Kind = iota + 1
	KindEnv
	KindBad
)

// CronLine is one meaningful line of a crontab.
type CronLine struct {
	N    int    // 1-based line number
	Raw  string // the line as written (CR removed)
	Kind Kind
	CRLF bool // the line ended in CR (cron keeps it in the command)

	// Jobs.
	Special  string   // "@reboot", "@daily" ...; "" for five time fields
	Schedule string   // the time fields or the special, as written
	User     string   // system crontabs only
	Command  string   // up to the first unescaped %, with \% unescaped
	Stdin    []string // the lines after % (cron feeds them to the command)

	// Environment settings.
	Name, Value string

	Reason string // why a line is KindBad
}

// specials are cron's @ schedules (vixie/Debian cron and cronie).
var specials = map[string]bool{
	"@reboot": true, "@yearly": true, "@annually": true, "@monthly": true,
	"@weekly": true, "@daily": true, "@midnight": true, "@hourly": true,
}

// timeField is what a time field may hold: numbers, names, * / , - and
// cronie's ~ (random) plus the L W # ? of some implementations.
var timeField = lazyre.New(`^-?[0-9A-Za-z*/,~?#-]+$`)

// maxCronLines bounds the lines read from one crontab.
const maxCronLines = 100000

// ParseCrontab parses a crontab. withUser is true for /etc/crontab and
// /etc/cron.d files, whose jobs name the account they run as. Comments and
// blank lines are dropped; cron has no line continuation, so a trailing
// backslash is part of the command.
func ParseCrontab(b []byte, withUser bool) []CronLine {
	var out []CronLine
	n := 0
	for len(b) > 0 && n < maxCronLines {
		var line string
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = string(b[:i]), b[i+1:]
		} else {
			line, b = string(b), nil
		}
		n++
		cl := parseCronLine(line, withUser)
		if cl.Kind == 0 {
			continue
		}
		cl.N = n
		out = append(out, cl)
	}
	return out
}

func parseCronLine(line string, withUser bool) CronLine {
	cl := CronLine{}
	if strings.HasSuffix(line, "\r") {
		line = strings.TrimSuffix(line, "\r")
		cl.CRLF = true
	}
	cl.Raw = line
	s := strings.TrimLeft(line, " \t")
	if s == "" || s[0] == '#' {
		return CronLine{}
	}
	if name, val, ok := cronEnv(s); ok {
		cl.Kind, cl.Name, cl.Value = KindEnv, name, val
		return cl
	}
	cl.Kind = KindJob
	rest := s
	if s[0] == '@' {
		var tok string
		tok, rest = nextField(s)
		if !specials[strings.ToLower(tok)] {
			return bad(cl, "unknown @ schedule "+tok)
		}
		cl.Special, cl.Schedule = strings.ToLower(tok), tok
	} else {
		fields := make([]string, 0, 5)
		for i := 0; i < 5; i++ {
			var tok string
			tok, rest = nextField(rest)
			if tok == "" {
				return bad(cl, "fewer than five time fields")
			}
			if !timeField.MatchString(tok) {
				return bad(cl, "bad time field "+tok)
			}
			fields = append(fields, tok)
		}
		cl.Schedule = strings.Join(fields, " ")
	}
	if withUser {
		cl.User, rest = nextField(rest)
		if cl.User == "" {
			return bad(cl, "no user field")
		}
	}
	cl.Command, cl.Stdin = splitPercent(strings.TrimLeft(rest, " \t"))
	if strings.TrimSpace(cl.Command) == "" {
		return bad(cl, "no command")
	}
	return cl
}

func bad(cl CronLine, why string) CronLine {
	cl.Kind, cl.Reason = KindBad, why
	cl.Special, cl.Schedule, cl.User, cl.Command, cl.Stdin = "", "", "", "", nil
	return cl
}

// nextField returns the next blank-separated field of s and the rest.
func nextField(s string) (string, string) {
	s = strings.TrimLeft(s, " \t")
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

// cronEnv recognises NAME=VALUE lines as cron does: the name runs to the
// first blank or '=', optionally quoted, and after blanks an '=' must
// follow. Quotes around the value are removed.
func cronEnv(s string) (name, val string, ok bool) {
	i := 0
	if s[0] == '"' || s[0] == '\'' {
		j := strings.IndexByte(s[1:], s[0])
		if j < 0 {
			return "", "", false
		}
		name, i = s[1:j+1], j+2
	} else {
		for i < len(s) && s[i] != '=' && s[i] != ' ' && s[i] != '\t' {
			i++
		}
		name = s[:i]
	}
	rest := strings.TrimLeft(s[i:], " \t")
	if name == "" || !strings.HasPrefix(rest, "=") {
		return "", "", false
	}
	val = strings.TrimSpace(rest[1:])
	if len(val) >= 2 && (val[0] == '"' || val[0] == '\'') && val[len(val)-1] == val[0] {
		val = val[1 : len(val)-1]
	}
	return name, val, true
}

// splitPercent splits a cron command at its first unescaped %: the rest is
// the job's standard input, its lines separated by further % signs.
func splitPercent(s string) (string, []string) {
	var cmd strings.Builder
	var in []string
	var cur strings.Builder
	inStdin := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && s[i+1] == '%' {
			if inStdin {
				cur.WriteByte('%')
			} else {
				cmd.WriteByte('%')
			}
			i++
			continue
		}
		if c == '%' {
			if inStdin {
				in = append(in, cur.String())
				cur.Reset()
			}
			inStdin = true
			continue
		}
		if inStdin {
			cur.WriteByte(c)
		} else {
			cmd.WriteByte(c)
		}
	}
	if inStdin {
		in = append(in, cur.String())
	}
	return strings.TrimSpace(cmd.String()), in
}
