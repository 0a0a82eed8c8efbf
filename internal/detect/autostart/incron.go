package autostart

import (
	"bytes"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/jobexec"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/grade/shscript"
	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// IncronLine is one watch of an incron table: "<path> <mask> <command>".
type IncronLine struct {
	N       int      // 1-based line number
	Raw     string   // the line as written (LF removed)
	Path    string   // watched path, backslash escapes ("\ ", "\\") resolved
	Mask    string   // the mask field as written
	Events  []string // its comma-separated names (IN_CLOSE_WRITE ...), or the number
	Options []string // IN_NO_LOOP, recursive=false, loopable=true, dotdirs=true ...
	Command string   // the rest of the line, leading blanks removed
	CRLF    bool     // the line ended in CR (incrond keeps it in the command)
}

// IncronTable is a parsed incron table.
type IncronTable struct {
	Lines []IncronLine
	Bad   []int // lines with fewer than three fields (incrond ignores them)
}

// maxIncronLines bounds the lines read from one table.
const maxIncronLines = 100000

// ParseIncron parses an incron table (system table in /etc/incron.d or a
// user table in /var/spool/incron) the way incrond tokenizes it: the path
// runs to the first blank not escaped with a backslash, the mask is the
// next field, the command is the rest. Blank lines and lines whose first
// non-blank character is # are skipped (older incrond versions take them
// for a watch on a path starting with "#", which never exists).
func ParseIncron(b []byte) IncronTable {
	var t IncronTable
	n := 0
	for len(b) > 0 && n < maxIncronLines {
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			line, b = b, nil
		}
		n++
		raw := string(line)
		s := strings.TrimLeft(raw, " \t")
		if strings.TrimSpace(s) == "" || s[0] == '#' {
			continue
		}
		l, ok := parseIncronLine(s)
		if !ok {
			t.Bad = append(t.Bad, n)
			continue
		}
		l.N, l.Raw = n, strings.TrimSuffix(raw, "\r")
		t.Lines = append(t.Lines, l)
	}
	return t
}

func parseIncronLine(s string) (IncronLine, bool) {
	var l IncronLine
	var p strings.Builder
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			i++
			p.WriteByte(s[i])
			continue
		}
		if c == ' ' || c == '\t' {
			break
		}
		p.WriteByte(c)
	}
	l.Path = p.String()
	rest := strings.TrimLeft(s[i:], " \t")
	j := strings.IndexAny(rest, " \t")
	if l.Path == "" || j <= 0 {
		return IncronLine{}, false
	}
	l.Mask = rest[:j]
	l.Command = strings.TrimLeft(rest[j:], " \t")
	if strings.HasSuffix(l.Command, "\r") {
		l.CRLF = true
	}
	if strings.TrimSpace(l.Command) == "" {
		return IncronLine{}, false
	}
	for _, m := range strings.Split(l.Mask, ",") {
		switch {
		case m == "":
		case m == "IN_NO_LOOP" || m == "IN_DONT_FOLLOW" || m == "IN_ONLYDIR" || m == "IN_MASK_ADD" || m == "IN_ONESHOT" || strings.Contains(m, "="):
			l.Options = append(l.Options, m)
		default:
			l.Events = append(l.Events, m)
		}
	}
	return l, true
}

// incronEvents are the event names incrond knows (incrontab -t).
var incronEvents = map[string]bool{
	"IN_ACCESS": true, "IN_MODIFY": true, "IN_ATTRIB": true, "IN_CLOSE_WRITE": true,
	"IN_CLOSE_NOWRITE": true, "IN_OPEN": true, "IN_MOVED_FROM": true, "IN_MOVED_TO": true,
	"IN_CREATE": true, "IN_DELETE": true, "IN_DELETE_SELF": true, "IN_MOVE_SELF": true,
	"IN_CLOSE": true, "IN_MOVE": true, "IN_ALL_EVENTS": true, "IN_UNMOUNT": true,
	"IN_Q_OVERFLOW": true, "IN_IGNORED": true, "IN_ISDIR": true,
}

// watchesSomething reports whether the mask names an event incrond knows
// (or is a non-zero number).
func (l IncronLine) watchesSomething() bool {
	for _, e := range l.Events {
		if incronEvents[e] {
			return true
		}
		if u, err := strconv.ParseUint(e, 10, 32); err == nil && u != 0 {
			return true
		}
	}
	return false
}

// ExpandIncron replaces incron's wildcards in a command: $$ is a dollar,
// $@ the watched path, $# the name of the file the event is about (given
// here as eventFile), $% and $& the event flags.
func ExpandIncron(cmd, watch, eventFile string) string {
	if !strings.Contains(cmd, "$") {
		return cmd
	}
	var sb strings.Builder
	for i := 0; i < len(cmd); i++ {
		if cmd[i] != '$' || i+1 == len(cmd) {
			sb.WriteByte(cmd[i])
			continue
		}
		switch cmd[i+1] {
		case '$':
			sb.WriteByte('$')
		case '@':
			sb.WriteString(watch)
		case '#':
			sb.WriteString(eventFile)
		case '%':
			sb.WriteString("IN_CLOSE_WRITE")
		case '&':
			sb.WriteString("8")
		default:
			sb.WriteByte('$')
			continue
		}
		i++
	}
	return sb.String()
}

// incronSystemDir and incronUserDir are incrond's default table places.
const (
	incronSystemDir = "/etc/incron.d"
	incronUserDir   = "/var/spool/incron"
)

// incron grades the system tables (run as root) and the user tables (run
// as the account the table is named after).
func (r *run) incron() {
	for _, e := range r.listDir(incronSystemDir) {
		if e.IsDir() {
			continue
		}
		r.incronTable(path.Join(incronSystemDir, e.Name()), "", "")
	}
	for _, e := range r.listDir(incronUserDir) {
		if e.IsDir() {
			continue
		}
		notRun := ""
		if !r.knownUser(e.Name()) {
			notRun = "no account named " + e.Name() + " (incrond ignores the table)"
		}
		r.incronTable(path.Join(incronUserDir, e.Name()), e.Name(), notRun)
	}
}

// knownUser reports whether the account exists (true when the account
// database could not be read: unknown is not "missing").
func (r *run) knownUser(name string) bool {
	if !r.x.Users.PasswdRead {
		return true
	}
	_, ok := r.x.Users.ByName(name)
	return ok
}

// eventFileMarker stands for the file an event is about ($#) while a
// command is graded.
const eventFileMarker = "INCRON_EVENT_FILE"

// incronTable grades one table. owner is "" for a system table.
func (r *run) incronTable(p, owner, notRun string) {
	b, ok := r.read(p)
	if !ok {
		return
	}
	f := r.facts(p, b)
	if f.origin.Pristine {
		return
	}
	user, homeDir := owner, ""
	if owner == "" {
		user = "root"
	}
	if u, ok := r.x.Users.ByName(user); ok {
		homeDir = u.Home
	}
	t := ParseIncron(b)
	for _, l := range t.Lines {
		r.incronEntry(f, l, user, homeDir, owner != "", notRun)
	}
	if len(t.Bad) > 0 {
		r.env.GapMsg(model.GapError, p, model.Msg("autostart.gap.incron-malformed", len(t.Bad)))
	}
}

// incronEntry grades one watch.
func (r *run) incronEntry(f fileFacts, l IncronLine, user, homeDir string, spool bool, notRun string) {
	watch := path.Clean(l.Path) // incrond expands nothing in the path
	if notRun == "" && !l.watchesSomething() {
		notRun = "the mask names no event incrond knows"
	}
	sensitive, exposed := watchSensitive(watch), watchExposed(watch)
	root := user == "root"
	cmd := ExpandIncron(strings.TrimSpace(l.Command), watch, eventFileMarker)
	v := r.x.Grade(cmd, jobexec.Context{User: user, Home: homeDir})
	if v.Suspicious && (sensitive || exposed) {
		v.Severity = bump(v.Severity)
	}
	if runsEventFile(cmd) {
		s := model.High
		if exposed {
			s = model.Critical
		}
		if !root {
			s = lower(s)
		}
		raise(&v, s, model.ConfHigh, indRunsEventFile, l.Command)
	}
	if sensitive {
		if q, why := writableArg(cmd, homeDir); q != "" {
			s := model.High
			if !root {
				s = lower(s)
			}
			raise(&v, s, model.ConfMedium, why, q)
		}
	}
	ev := f.evidence(l.N, l.Raw, user, "event")
	ev.Extra["watch"] = textclip.Valid(watch, 400)
	ev.Extra["events"] = textclip.Valid(l.Mask, 400)
	if l.CRLF {
		ev.Extra["crlf"] = "line ends in CR (carriage return is part of the command)"
	}
	if _, err := r.t.Lstat(watch); err != nil {
		ev.Extra["watch_exists"] = "no (incrond cannot watch it until it exists and the table is reloaded)"
	}
	if notRun != "" {
		ev.Extra["runs"] = "no: " + notRun
	}
	var ind []string
	if sensitive {
		ind = append(ind, indWatchSensitive)
	}
	if exposed {
		ind = append(ind, indWatchExposed)
	}
	if v.Suspicious {
		if notRun != "" {
			v.Lower(false)
			v.Add(jobexec.IndNotRun)
		}
		for _, id := range ind {
			v.Add(id)
		}
		if !spool {
			v.Add(f.origin.Indicator())
		}
		if v.Fragment != "" {
			ev.Extra["matched"] = textclip.Valid(v.Fragment, 400)
		}
		if v.Script != nil {
			ev.Extra["script"] = fmt.Sprintf("%s:%d", v.Script.Path, v.Script.Line)
			ev.Extra["script_text"] = v.Script.Text
		}
		r.emit(ruleIncronCommand, ev, v.Indicators, v.Severity, v.Confidence)
		return
	}
	if notRun != "" {
		return
	}
	sev := model.Info
	if sensitive || exposed {
		sev = model.Low
	}
	if !spool {
		ind = append(ind, f.origin.Indicator())
	}
	r.emit(ruleIncronEntry, ev, ind, sev, model.ConfHigh)
}

// raise lifts a verdict to at least s with indicator ind.
func raise(v *jobexec.Verdict, s model.Severity, c model.Confidence, ind, frag string) {
	if !v.Suspicious || s > v.Severity || (s == v.Severity && c > v.Confidence) {
		v.Severity, v.Confidence = s, c
		v.Fragment = frag
	}
	v.Suspicious = true
	v.Add(ind)
}

// sensitiveWatches are files and directories whose change an intruder
// wants to undo at once (re-adding a key or an account after the admin
// removed it) or to learn about: accounts, sudo, PAM, ssh, cron, the
// preload list, shell start-up files.
var sensitiveWatches = []string{
	"/etc", "/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow", "/etc/sudoers", "/etc/sudoers.d",
	"/etc/pam.d", "/etc/security", "/etc/ssh", "/etc/ld.so.preload", "/etc/crontab", "/etc/cron.d",
	"/etc/profile", "/etc/profile.d", "/etc/bash.bashrc", "/etc/rc.local", "/etc/systemd/system",
	"/var/spool/cron", "/root/.ssh", "/root/.bashrc", "/root/.profile",
}

// watchSensitive reports whether the watched path is one of those, lies
// in one, or is an ssh directory or authorized_keys file of any home.
func watchSensitive(p string) bool {
	for _, s := range sensitiveWatches {
		if p == s || (s != "/etc" && strings.HasPrefix(p, s+"/")) {
			return true
		}
	}
	for _, c := range strings.Split(p, "/") {
		if c == ".ssh" || strings.HasPrefix(c, "authorized_keys") {
			return true
		}
	}
	return false
}

// webRoots are where web servers serve (and upload forms write) files.
var webRoots = []string{"/var/www", "/srv/www", "/srv/http", "/usr/share/nginx/html", "/opt/lampp/htdocs",
	"/var/lib/tomcat", "/srv/ftp", "/var/ftp", "/home/ftp"}

var uploadComponent = lazyre.New(`(?i)(?:^|/)[^/]*upload[^/]*(?:/|$)`)

// watchExposed reports whether others can trigger the watch by writing
// there: a world-writable directory, a web root or upload directory, an
// FTP area.
func watchExposed(p string) bool {
	if places.Temporary(p) || uploadComponent.MatchString(p) {
		return true
	}
	for _, w := range webRoots {
		if p == w || strings.HasPrefix(p, w+"/") || strings.HasPrefix(p, w+"-") || (w == "/var/lib/tomcat" && strings.HasPrefix(p, w)) {
			return true
		}
	}
	if parts := strings.Split(strings.TrimPrefix(p, "/"), "/"); len(parts) >= 3 && parts[0] == "home" && (parts[2] == "public_html" || parts[2] == "www") {
		return true
	}
	return false
}

// interpreterNames run the script named by their first operand.
var interpreterNames = lazyre.New(`^(?:sh|bash|dash|zsh|ksh|ash|busybox|python[0-9.]*|perl[0-9.]*|php[0-9.]*|ruby[0-9.]*|node|nodejs|lua[0-9.]*|source|\.)$`)

// runsEventFile reports whether a command (wildcards expanded with
// eventFileMarker for $#) executes the file the event is about: as the
// program, or as the script an interpreter runs.
func runsEventFile(cmd string) bool {
	for _, sc := range shscript.Commands(cmd) {
		w := sc.Words
		for len(w) > 0 {
			base := path.Base(w[0])
			if _, _, _, ok := shscript.Assignment(w[0]); ok || base == "nohup" || base == "exec" || base == "nice" || base == "setsid" || base == "sudo" || base == "env" || base == "timeout" {
				w = w[1:]
				continue
			}
			break
		}
		if len(w) == 0 {
			continue
		}
		if strings.Contains(w[0], eventFileMarker) {
			return true
		}
		if !interpreterNames.MatchString(path.Base(w[0])) {
			continue
		}
		for _, a := range w[1:] {
			if a == "-c" || a == "-e" || a == "-r" {
				break // inline code, graded by cmdscan
			}
			if strings.HasPrefix(a, "-") {
				continue
			}
			if strings.Contains(a, eventFileMarker) {
				return true
			}
			break
		}
	}
	return false
}

// absArg finds absolute paths in a command's words.
var absArg = lazyre.New(`(?:^|[\s'"=:])(/[^\s'";&|<>()]+)`)

// writableArg returns a path in a world-writable or hidden place that the
// command names anywhere (copying a planted file back over a watched one
// is the re-arming pattern), and the indicator for it.
func writableArg(cmd, homeDir string) (string, string) {
	for _, m := range absArg.FindAllStringSubmatch(cmd, -1) {
		q := m[1]
		if strings.Contains(q, eventFileMarker) {
			continue
		}
		if places.Temporary(q) {
			return q, jobexec.IndWritable
		}
		if hid := places.Hidden(q) != ""; hid && !places.HomeTool(q, homeDir) && !watchSensitive(q) {
			return q, jobexec.IndHidden
		}
	}
	return "", ""
}
