// Package fromscan maps the findings of a saved scan (the JSON of vigil
// scan) to the containment commands that answer them: the one table of
// "which action answers which rule". The command line plans them all at
// once (vigil contain --from-scan FILE); the catalog's remediation texts
// name the same commands.
package fromscan

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
)

// Command is one containment command.
type Command struct {
	Verb     string   `json:"verb"` // disable, quarantine, process, lock-user
	Path     string   `json:"path,omitempty"`
	Lines    []int    `json:"lines,omitempty"`
	PID      int      `json:"pid,omitempty"`
	User     string   `json:"user,omitempty"`
	Force    bool     `json:"force,omitempty"`
	Root     string   `json:"root,omitempty"`
	Findings []string `json:"findings"` // the rules it answers
}

// Args are the words after "vigil contain".
func (c Command) Args() []string {
	var a []string
	switch c.Verb {
	case "disable", "quarantine":
		a = []string{c.Verb, c.Path}
		if len(c.Lines) > 0 {
			var l []string
			for _, n := range c.Lines {
				l = append(l, strconv.Itoa(n))
			}
			a = append(a, "--line", strings.Join(l, ","))
		}
	case "process":
		a = []string{c.Verb, strconv.Itoa(c.PID), "--tree"}
	case "lock-user":
		a = []string{c.Verb, c.User}
	}
	if c.Force {
		a = append(a, "--force")
	}
	if c.Root != "" {
		a = append(a, "--root", c.Root)
	}
	return a
}

// String is the command line as a person types it.
func (c Command) String() string {
	words := []string{"vigil", "contain"}
	for _, a := range c.Args() {
		if a == "" || strings.ContainsAny(a, " \t'\"$`\\|&;()<>*?") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		words = append(words, a)
	}
	return strings.Join(words, " ")
}

// action kinds of the table below.
const (
	line       = iota // disable PATH --line N (whole file when no line)
	file              // disable PATH (a unit, an init script, a file with its links)
	quarantine        // quarantine PATH
	process           // process PID (stopped and captured; --kill is the operator's call)
	lockUser          // lock-user USER
)

// rules maps rule ids, or prefixes ending in ".", to the action answering
// them. The longest match wins.
var rules = map[string]int{
	"persistence.cron.command": line, "persistence.cron.entry": line,
	"persistence.at.":                 quarantine,
	"persistence.logrotate.":          line,
	"persistence.incron.":             line,
	"persistence.shell.":              line,
	"persistence.shell.writable-file": -1, "persistence.shell.unowned-file": -1,
	"persistence.ldso.preload": line, "persistence.ldso.libdir": line,
	"persistence.ldso.known-rootkit": quarantine, "persistence.ldso.lib-shadow": quarantine,
	"persistence.kmod.known-rootkit": line, "persistence.kmod.modprobe-command": line,
	"persistence.kmod.stray-file": quarantine,
	"persistence.rclocal.command": line,
	"persistence.pkghook.command": line, "persistence.udev.command": line, "persistence.motd.command": line,
	"persistence.netif.command": line, "persistence.python.pth-exec": line,
	"persistence.systemd.command": file, "persistence.systemd.unit": file,
	"persistence.initd.": file, "persistence.autostart.": file,
	"ssh.key.forced-command": line, "ssh.key.environment": line, "ssh.key.service-account": line,
	"ssh.key.authorized-keys2": line, "ssh.key.root-recent": line,
	"files.staged.executable": quarantine, "files.masquerade.": quarantine, "files.webshell.": quarantine,
	"files.ioc.": quarantine, "files.yara.": quarantine, "files.credential.copy": quarantine,
	"tools.":                    quarantine,
	"integrity.suid.unpackaged": quarantine, "integrity.capability.unpackaged": quarantine,
	"web.script.upload-dir": quarantine, "web.image.embedded-code": quarantine,
	"process.": process, "network.reverse-shell": process, "network.pool-port": process,
	"accounts.uid0.nonroot": lockUser, "accounts.password.empty": lockUser, "accounts.recent.created": lockUser,
	"accounts.service.login": lockUser,
}

// kindOf finds the action of a rule (-1: none).
func kindOf(rule string) int {
	best, kind := -1, -1
	for k, v := range rules {
		if (k == rule || strings.HasSuffix(k, ".") && strings.HasPrefix(rule, k)) && len(k) > best {
			best, kind = len(k), v
		}
	}
	return kind
}

// Suggest returns the command answering f, if there is one. Processes are
// suggested only for live scans; a root scan's commands carry --root.
func Suggest(f model.Finding, root string) (Command, bool) {
	e := f.Evidence
	c := Command{Findings: []string{f.RuleID}, Root: root}
	switch kindOf(f.RuleID) {
	case line, file:
		c.Verb, c.Path = "disable", e.Path
		if kindOf(f.RuleID) == line && e.Line > 0 {
			c.Lines = []int{e.Line}
		}
	case quarantine:
		c.Verb, c.Path = "quarantine", e.Path
	case process:
		if e.PID <= 0 || root != "" {
			return c, false
		}
		c.Verb, c.PID = "process", e.PID
	case lockUser:
		if e.User == "" || e.User == "*" {
			return c, false
		}
		c.Verb, c.User, c.Force = "lock-user", e.User, f.RuleID == "accounts.uid0.nonroot"
	default:
		return c, false
	}
	if (c.Verb == "disable" || c.Verb == "quarantine") && e.Path == "" {
		return c, false
	}
	return c, true
}

// Scan is the part of vigil scan's JSON this package reads.
type Scan struct {
	Scan struct {
		Target struct {
			Root string `json:"root"`
			Live bool   `json:"live"`
		} `json:"target"`
	} `json:"scan"`
	Findings []model.Finding `json:"findings"`
}

// Read decodes a saved scan (vigil scan --format json).
func Read(r io.Reader) (Scan, error) {
	var s Scan
	dec := json.NewDecoder(io.LimitReader(r, 512<<20))
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("not the JSON of vigil scan --format json: %w", err)
	}
	return s, nil
}

// Plan returns the commands answering the findings at or above min, once
// each, in the order of the scan. root overrides the scan's own target
// ("" keeps it: a live scan acts on the live host).
func Plan(s Scan, min model.Severity, root string) []Command {
	if root == "" && !s.Scan.Target.Live {
		root = s.Scan.Target.Root
	}
	if root == "/" {
		root = ""
	}
	// One command per object: the lines of one file are disabled together
	// (two edits of one file would each find it changed since its plan),
	// and a file that is quarantined is not also edited.
	var out []*Command
	byKey := map[string]*Command{}
	quarantined := map[string]bool{}
	for _, f := range s.Findings {
		if f.Severity < min {
			continue
		}
		c, ok := Suggest(f, root)
		if !ok {
			continue
		}
		if c.Verb == "quarantine" || c.Verb == "disable" && len(c.Lines) == 0 {
			quarantined[c.Path] = true
		}
		key := c.Verb + "|" + c.Path + "|" + strconv.Itoa(c.PID) + "|" + c.User
		if len(c.Lines) > 0 {
			key = "lines|" + c.Path
		}
		if prev, ok := byKey[key]; ok {
			prev.Findings = appendNew(prev.Findings, c.Findings...)
			for _, n := range c.Lines {
				if !slices.Contains(prev.Lines, n) {
					prev.Lines = append(prev.Lines, n)
				}
			}
			prev.Force = prev.Force || c.Force
			continue
		}
		byKey[key] = &c
		out = append(out, &c)
	}
	var list []Command
	for _, c := range out {
		if len(c.Lines) > 0 && quarantined[c.Path] {
			continue
		}
		slices.Sort(c.Lines)
		list = append(list, *c)
	}
	// Running programs are stopped first (contain first), account locks
	// come last (after the key lines of the account are disabled).
	order := map[string]int{"process": 0, "disable": 1, "quarantine": 2, "lock-user": 3}
	slices.SortStableFunc(list, func(a, b Command) int { return order[a.Verb] - order[b.Verb] })
	return list
}

func appendNew(l []string, more ...string) []string {
	for _, m := range more {
		if !slices.Contains(l, m) {
			l = append(l, m)
		}
	}
	return l
}
