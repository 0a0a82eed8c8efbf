// Package logrotate reads logrotate's configuration the way logrotate does:
// /etc/logrotate.conf, the files and directories it includes (in order,
// skipping logrotate's taboo extensions), global directives that apply to
// every block after them, and each block's own directives over those. What
// it yields is how long each log is kept: the schedule, the number of
// rotated copies, maxage.
//
// Written here because no Go library parses logrotate's format; the
// scheduler and log-tampering checks read scripts and copytruncate from the
// same files with their own small readers (what they need differs).
package logrotate

import (
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/target"
)

// MainConfig is logrotate's main configuration file.
const MainConfig = "/etc/logrotate.conf"

// Limits: one configuration file's size, included files in all, nesting.
const (
	maxFile     = 1 << 20
	maxFiles    = 512
	maxDepth    = 4
	periodNone  = ""
	defaultKeep = 0 // logrotate's rotate count when no directive sets it
)

// Settings are the directives that decide how long a log is kept.
type Settings struct {
	Period       string // hourly, daily, weekly, monthly, yearly; "" when rotated by size only
	Rotate       int    // rotated copies kept; -1: never removed
	MaxAge       int    // days; 0: none
	CopyTruncate bool
	DateExt      bool
	OldDir       string
}

// Block is one block of log paths and its effective settings.
type Block struct {
	File  string   // configuration file (target path)
	Line  int      // line of the block's opening brace
	Paths []string // path patterns, as written
	Settings
}

// Config is what logrotate would use.
type Config struct {
	Blocks []Block
}

// Read reads the configuration of t starting at MainConfig; a file or
// directory that exists but cannot be read is a gap on rec. A missing main
// file yields an empty Config and ok false.
func Read(t *target.Target, rec target.Recorder) (c Config, ok bool) {
	r := &reader{t: t, rec: rec, seen: map[string]bool{}, global: Settings{Rotate: defaultKeep}}
	if _, err := t.Lstat(MainConfig); err != nil {
		return c, false
	}
	r.file(MainConfig, 0)
	return r.c, true
}

type reader struct {
	t      *target.Target
	rec    target.Recorder
	c      Config
	seen   map[string]bool
	global Settings
	files  int
}

// taboo are the extensions logrotate skips in an included directory.
var taboo = []string{",v", ".cfsaved", ".disabled", ".dpkg-bak", ".dpkg-del", ".dpkg-dist",
	".dpkg-new", ".dpkg-old", ".rhn-cfg-tmp", ".rpmnew", ".rpmorig", ".rpmsave", ".swp",
	".ucf-dist", ".ucf-new", ".ucf-old", "~"}

func (r *reader) include(p string, depth int) {
	if depth > maxDepth || r.t == nil {
		return
	}
	fi, err := r.t.Stat(p)
	if !target.Record(r.rec, p, err) {
		return
	}
	if !fi.IsDir() {
		r.file(p, depth)
		return
	}
	ents, err := r.t.ReadDir(p)
	if !target.Record(r.rec, p, err) {
		return
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		if !skipped(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		r.file(path.Join(p, n), depth)
	}
}

func skipped(name string) bool {
	if strings.HasPrefix(name, ".") {
		return true
	}
	for _, x := range taboo {
		if strings.HasSuffix(name, x) {
			return true
		}
	}
	return false
}

func (r *reader) file(p string, depth int) {
	if r.seen[p] || depth > maxDepth || r.files >= maxFiles {
		return
	}
	r.seen[p] = true
	r.files++
	b, ok := r.t.ReadFileRec(r.rec, p, maxFile)
	if !ok {
		return
	}
	r.parse(p, string(b), depth)
}

// parse applies one file: directives outside a block change the global
// settings (for every block after them, in this file and later ones),
// directives inside a block only that block.
func (r *reader) parse(file, s string, depth int) {
	var pending []string
	var cur *Block
	inScript := false
	for i, raw := range strings.Split(s, "\n") {
		line := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		if line == "" || line[0] == '#' {
			continue
		}
		if inScript {
			if line == "endscript" {
				inScript = false
			}
			continue
		}
		if cur != nil && line == "}" {
			r.c.Blocks = append(r.c.Blocks, *cur)
			cur = nil
			continue
		}
		f := strings.Fields(line)
		key := strings.ToLower(f[0])
		if cur == nil && (strings.HasPrefix(f[0], "/") || strings.HasPrefix(f[0], `"`) || strings.HasSuffix(line, "{")) {
			head, brace := strings.CutSuffix(line, "{")
			pending = append(pending, paths(head)...)
			if brace {
				cur = &Block{File: file, Line: i + 1, Paths: pending, Settings: r.global}
				pending = nil
			}
			continue
		}
		if key == "include" && cur == nil && len(f) > 1 {
			r.include(strings.Trim(strings.Join(f[1:], " "), `"'`), depth+1)
			continue
		}
		if scriptKey(key) {
			inScript = true
			continue
		}
		set := &r.global
		if cur != nil {
			set = &cur.Settings
		}
		apply(set, key, f[1:])
	}
	if cur != nil { // unclosed block: logrotate refuses the file; keep what it says
		r.c.Blocks = append(r.c.Blocks, *cur)
	}
}

func scriptKey(k string) bool {
	switch k {
	case "postrotate", "prerotate", "firstaction", "lastaction", "preremove":
		return true
	}
	return false
}

// paths splits a block head into its path patterns (quoted ones may hold
// spaces).
func paths(head string) []string {
	var out []string
	for head = strings.TrimSpace(head); head != ""; head = strings.TrimSpace(head) {
		if q := head[0]; q == '"' || q == '\'' {
			end := strings.IndexByte(head[1:], q)
			if end < 0 {
				out = append(out, head[1:])
				break
			}
			out = append(out, head[1:end+1])
			head = head[end+2:]
			continue
		}
		n := strings.IndexAny(head, " \t")
		if n < 0 {
			out = append(out, head)
			break
		}
		out = append(out, head[:n])
		head = head[n:]
	}
	return out
}

func apply(s *Settings, key string, args []string) {
	num := func() (int, bool) {
		if len(args) == 0 {
			return 0, false
		}
		n, err := strconv.Atoi(args[0])
		return n, err == nil
	}
	switch key {
	case "hourly", "daily", "weekly", "monthly", "yearly":
		s.Period = key
	case "rotate":
		if n, ok := num(); ok {
			s.Rotate = max(n, -1)
		}
	case "maxage":
		if n, ok := num(); ok && n >= 0 {
			s.MaxAge = n
		}
	case "copytruncate":
		s.CopyTruncate = true
	case "nocopytruncate":
		s.CopyTruncate = false
	case "dateext":
		s.DateExt = true
	case "nodateext":
		s.DateExt = false
	case "olddir":
		if len(args) > 0 {
			s.OldDir = args[0]
		}
	case "noolddir":
		s.OldDir = ""
	case "size":
		// "size" alone (no time directive after it) rotates by size only;
		// logrotate lets the last of size and a period win.
		s.Period = periodNone
	}
}

// periodDays is the length of each schedule in days (hourly as 1/24).
var periodDays = map[string]float64{"hourly": 1.0 / 24, "daily": 1, "weekly": 7, "monthly": 30, "yearly": 365}

// Retention is the number of days of old log a block keeps for certain:
// rotated copies times the schedule, cut by maxage. known is false when
// the block rotates by size only (its retention depends on traffic);
// forever is true when copies are never removed and no maxage applies.
func (s Settings) Retention() (days float64, known, forever bool) {
	p, ok := periodDays[s.Period]
	if !ok {
		if s.MaxAge > 0 {
			return float64(s.MaxAge), true, false
		}
		return 0, false, false
	}
	if s.Rotate < 0 {
		if s.MaxAge > 0 {
			return float64(s.MaxAge), true, false
		}
		return 0, true, true
	}
	days = float64(s.Rotate) * p
	if s.MaxAge > 0 && float64(s.MaxAge) < days {
		days = float64(s.MaxAge)
	}
	return days, true, false
}

// Match returns the block that rotates the log file p (the first that
// names it, as logrotate refuses a second), and whether one does.
func (c Config) Match(p string) (Block, bool) {
	for _, b := range c.Blocks {
		for _, pat := range b.Paths {
			if ok, _ := path.Match(pat, p); ok {
				return b, true
			}
		}
	}
	return Block{}, false
}
