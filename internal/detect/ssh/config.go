package ssh

import (
	"bufio"
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// directive is one keyword line of sshd_config or ssh_config.
type directive struct {
	key   string   // keyword, lower-cased
	args  []string // arguments, quotes removed
	file  string   // target path of the file holding it
	line  int      // 1-based
	text  string   // the line as written, trimmed
	block string   // the Match (or Host) line it sits under; "" when global
}

// value is the first argument, lower-cased ("" when none).
func (d directive) value() string {
	if len(d.args) == 0 {
		return ""
	}
	return strings.ToLower(d.args[0])
}

// keyword is the keyword as written.
func (d directive) keyword() string {
	k, _ := splitKeyword(d.text)
	return k
}

// joined is the arguments as one command line.
func (d directive) joined() string { return strings.Join(d.args, " ") }

// maxConfigLine bounds one configuration line; sshd itself refuses longer.
const maxConfigLine = 64 << 10

// parseConfig splits one sshd_config/ssh_config file into directives. It
// does not follow Include or track blocks; bad lists the line numbers it
// could not read.
func parseConfig(data []byte, file string) (dirs []directive, bad []int) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxConfigLine)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		key, rest := splitKeyword(line)
		if key == "" {
			bad = append(bad, n)
			continue
		}
		args, ok := splitArgs(rest)
		if !ok {
			bad = append(bad, n)
			continue
		}
		dirs = append(dirs, directive{key: strings.ToLower(key), args: args, file: file, line: n, text: line})
	}
	if sc.Err() != nil {
		// A line longer than sshd accepts: the rest of the file is unread.
		bad = append(bad, n+1)
	}
	return dirs, bad
}

// splitKeyword separates "Keyword value", "Keyword=value" and
// "Keyword = value".
func splitKeyword(line string) (key, rest string) {
	i := strings.IndexAny(line, " \t=")
	if i < 0 {
		return line, ""
	}
	key, rest = line[:i], strings.TrimLeft(line[i:], " \t")
	if strings.HasPrefix(rest, "=") {
		rest = strings.TrimLeft(rest[1:], " \t")
	}
	return key, rest
}

// splitArgs splits arguments like OpenSSH's argv_split: whitespace
// separates, double or single quotes group, a backslash escapes a quote or
// backslash, and an unquoted word starting with '#' starts a comment.
func splitArgs(s string) ([]string, bool) {
	var args []string
	var cur strings.Builder
	inArg := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && i+1 < len(s) && (s[i+1] == quote || s[i+1] == '\\') {
				i++
				cur.WriteByte(s[i])
			} else if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == ' ' || c == '\t':
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		case c == '#' && !inArg:
			return args, true
		case c == '"' || c == '\'':
			quote, inArg = c, true
		case c == '\\' && i+1 < len(s) && strings.IndexByte(`"'\ `, s[i+1]) >= 0:
			i++
			cur.WriteByte(s[i])
			inArg = true
		default:
			cur.WriteByte(c)
			inArg = true
		}
	}
	if quote != 0 {
		return nil, false
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args, true
}

// config is a whole configuration with its Include files expanded in
// place, in the order the daemon reads it.
type config struct {
	dirs  []directive
	files []string // every file read, in order
}

// first returns the first global occurrence of key: what sshd and ssh use.
func (c *config) first(key string) (directive, bool) {
	for _, d := range c.dirs {
		if d.key == key && d.block == "" {
			return d, true
		}
	}
	return directive{}, false
}

// all returns every occurrence of key, global and conditional.
func (c *config) all(key string) []directive {
	var out []directive
	for _, d := range c.dirs {
		if d.key == key {
			out = append(out, d)
		}
	}
	return out
}

// effective returns, for each block (global first), the first occurrence
// of key in it: the value that applies there.
func (c *config) effective(key string) []directive {
	seen := map[string]bool{}
	var out []directive
	for _, d := range c.dirs {
		if d.key == key && !seen[d.block] {
			seen[d.block] = true
			out = append(out, d)
		}
	}
	return out
}

// inBlock returns the first occurrence of key in block, falling back to the
// global value: what applies to a connection matching that block.
func (c *config) inBlock(block, key string) (directive, bool) {
	if block != "" {
		for _, d := range c.dirs {
			if d.key == key && d.block == block {
				return d, true
			}
		}
	}
	return c.first(key)
}

// maxIncludeDepth is sshd's own limit on nested Include.
const maxIncludeDepth = 16

// configLoader reads a configuration file and its Include files.
type configLoader struct {
	t         *target.Target
	rec       target.Recorder
	base      string   // directory relative Include paths resolve against
	home      string   // for ~ in client Include paths; "" for system files
	blockKeys []string // keywords that open a block: match (sshd), host+match (ssh)
	limit     int64
	cfg       config
	reading   map[string]bool
}

// load reads p and appends its directives under block.
func (l *configLoader) load(p, block string, depth int) {
	if depth > maxIncludeDepth {
		l.rec.GapMsg(model.GapSkipped, p, model.Msg("ssh.gap.include-depth", maxIncludeDepth))
		return
	}
	if l.reading == nil {
		l.reading = map[string]bool{}
	}
	if l.reading[p] {
		l.rec.GapMsg(model.GapSkipped, p, model.Msg("ssh.gap.include-loop"))
		return
	}
	b, ok := l.t.ReadFileRec(l.rec, p, l.limit)
	if !ok {
		return
	}
	l.reading[p] = true
	defer delete(l.reading, p)
	l.cfg.files = append(l.cfg.files, p)
	dirs, bad := parseConfig(b, p)
	for _, n := range bad {
		l.rec.GapMsg(model.GapError, fmt.Sprintf("%s:%d", p, n), model.Msg("ssh.gap.config-line"))
	}
	cur := block
	for _, d := range dirs {
		if isOneOf(d.key, l.blockKeys) {
			cur = d.text
			d.block = cur
			l.cfg.dirs = append(l.cfg.dirs, d)
			continue
		}
		d.block = cur
		if d.key == "include" {
			l.cfg.dirs = append(l.cfg.dirs, d)
			for _, pat := range d.args {
				for _, inc := range l.expand(pat) {
					l.load(inc, cur, depth+1)
				}
			}
			continue
		}
		l.cfg.dirs = append(l.cfg.dirs, d)
	}
}

// expand turns an Include argument into the files it names, sorted as glob
// returns them.
func (l *configLoader) expand(pat string) []string {
	switch {
	case strings.HasPrefix(pat, "~/") && l.home != "":
		pat = path.Join(l.home, pat[2:])
	case !strings.HasPrefix(pat, "/"):
		pat = path.Join(l.base, pat)
	}
	pat = target.Clean(pat)
	if strings.ContainsAny(pat, "*?[") {
		return l.t.Glob(pat)
	}
	return []string{pat}
}

func isOneOf(s string, list []string) bool {
	for _, x := range list {
		if s == x {
			return true
		}
	}
	return false
}
