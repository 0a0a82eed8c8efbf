package schedule

import (
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/grade/cmdscan"
	"github.com/vigil-ir/vigil/internal/grade/jobexec"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/grade/shscript"
	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// atDirs hold pending at and batch jobs (Debian, then RHEL/SUSE).
var atDirs = []string{"/var/spool/cron/atjobs", "/var/spool/at"}

// AtJob is a parsed at job file.
type AtJob struct {
	UID, GID int             // from "# atrun uid=N gid=N"; -1 when absent
	Mail     string          // "# mail USER N"
	Commands []shscript.Line // what the job runs, after at's environment preamble
	Env      []shscript.Line // the preamble's "NAME=value; export NAME" lines
}

var atrunRE = lazyre.New(`^#\s*atrun\s+uid=(\d+)\s+gid=(\d+)`)

// atDelimRE is the here-document newer at versions wrap the commands in.
var atDelimRE = lazyre.New(`^\$\{SHELL:-/bin/sh\}\s*<<\s*'?marcinDELIMITER[0-9a-fA-F]*'?\s*$`)

// ParseAtJob reads an at job script: at writes a header, the submitter's
// environment as "NAME=value; export NAME" lines, a cd into the working
// directory, then the commands (newer versions inside a here-document fed
// to $SHELL).
func ParseAtJob(b []byte) AtJob {
	j := AtJob{UID: -1, GID: -1}
	lines := shscript.Lines(b)
	// Header comments are dropped by Lines; read them from the raw text.
	for i, raw := range strings.SplitN(string(b), "\n", 8) {
		if i > 6 {
			break
		}
		raw = strings.TrimSpace(raw)
		if m := atrunRE.FindStringSubmatch(raw); m != nil {
			j.UID, _ = strconv.Atoi(m[1])
			j.GID, _ = strconv.Atoi(m[2])
		}
		if rest, ok := strings.CutPrefix(raw, "# mail "); ok {
			j.Mail = strings.TrimSpace(rest)
		}
	}
	start := 0
	for i, l := range lines {
		if l.Heredoc {
			continue
		}
		// cd DIR || { echo ...; exit 1; } ends the preamble.
		if strings.HasPrefix(l.Text, "cd ") && strings.Contains(l.Text, "||") {
			start = i + 1
			for start < len(lines) && !lines[start].Heredoc && (lines[start].Text == "}" || strings.HasPrefix(lines[start].Text, "echo 'Execution directory") || lines[start].Text == "exit 1") {
				start++
			}
			break
		}
	}
	for _, l := range lines[:start] {
		if !l.Heredoc && atEnvRE.MatchString(l.Text) {
			j.Env = append(j.Env, l)
		}
	}
	for _, l := range lines[start:] {
		if start == 0 && !l.Heredoc && atPreamble(l.Text) {
			continue
		}
		if !l.Heredoc && atDelimRE.MatchString(l.Text) {
			continue
		}
		j.Commands = append(j.Commands, l)
	}
	return j
}

var atEnvRE = lazyre.New(`^[A-Za-z_][A-Za-z0-9_]*=.*;\s*export\s+[A-Za-z_][A-Za-z0-9_]*$`)

// atPreamble matches the environment lines at writes (used when the cd
// line was not found).
func atPreamble(s string) bool {
	return atEnvRE.MatchString(s) || strings.HasPrefix(s, "umask ")
}

// atSensitiveEnv are environment variables that change what the job's
// shell or programs load; at copies them from the submitter.
var atSensitiveEnv = lazyre.New(`^(?:LD_PRELOAD|LD_AUDIT|BASH_ENV)=`)

// atJobs grades pending at and batch jobs.
func (r *run) atJobs() {
	for _, dir := range atDirs {
		for _, e := range r.listDir(dir) {
			name := e.Name()
			if e.IsDir() || strings.HasPrefix(name, ".") {
				continue // .SEQ, .lockfile, spool/
			}
			r.atJob(path.Join(dir, name))
		}
	}
}

func (r *run) atJob(p string) {
	b, ok := r.read(p)
	if !ok {
		return
	}
	f := r.facts(p, b)
	j := ParseAtJob(b)
	user := r.fileOwner(p)
	if j.UID >= 0 {
		user = r.x.Users.UserName(j.UID)
	}
	extra := map[string]string{}
	if q, when, ok := atName(path.Base(p)); ok {
		extra["queue"] = q
		extra["runs_at"] = when.Format(time.RFC3339)
	}
	c := jobexec.Context{User: user, Home: r.homeOf(user)}
	suspicious := false
	first, firstN := "", 0
	for _, l := range append(j.Env, j.Commands...) {
		if first == "" && !atEnvRE.MatchString(l.Text) {
			first, firstN = l.Raw, l.N
		}
		var v jobexec.Verdict
		if atEnvRE.MatchString(l.Text) {
			if !atSensitiveEnv.MatchString(l.Text) {
				continue
			}
			v = r.x.Grade(strings.SplitN(l.Text, ";", 2)[0], c)
		} else {
			v = r.x.Grade(l.Text, c)
		}
		if !v.Suspicious {
			continue
		}
		suspicious = true
		ev := f.evidence(l.N, l.Raw, user, "schedule")
		ev.Extra = copyExtra(extra)
		if v.Fragment != "" {
			ev.Extra["matched"] = textclip.Valid(v.Fragment, 400)
		}
		if v.Script != nil {
			ev.Extra["script"] = v.Script.Path + ":" + strconv.Itoa(v.Script.Line)
			ev.Extra["script_text"] = v.Script.Text
		}
		r.emit(ruleAtCommand, p, ev, v.Indicators, v.Severity, v.Confidence, "")
	}
	if suspicious {
		return
	}
	ev := f.evidence(firstN, first, user, "schedule")
	ev.Extra = extra
	sev, ind := model.Low, []string(nil)
	if w := oddWrite(j.Commands, c.Home); w != "" {
		sev, ind = model.Medium, []string{indWritesOdd}
		ev.Extra = copyExtra(extra, "writes", w)
	}
	r.emit(ruleAtJob, p, ev, ind, sev, model.ConfHigh, "at\x00"+p)
}

// atName decodes an at job file name: queue letter, 5 hex digits of job
// number, 8 hex digits of minutes since the epoch.
func atName(name string) (string, time.Time, bool) {
	if len(name) != 14 {
		return "", time.Time{}, false
	}
	mins, err := strconv.ParseUint(name[6:], 16, 32)
	if err != nil {
		return "", time.Time{}, false
	}
	return name[:1], time.Unix(int64(mins)*60, 0).UTC(), true
}

// indWritesOdd marks a job whose commands write into a temporary or hidden
// place (text in rules/indicators.yaml).
const indWritesOdd = "writes-odd-place"

// oddWrite returns the first temporary or hidden place the lines write
// to ("" when none).
func oddWrite(lines []shscript.Line, home string) string {
	for _, l := range lines {
		for _, p := range cmdscan.WriteTargets(l.Text) {
			if places.Temporary(p) || hidden(p, home) {
				return p
			}
		}
	}
	return ""
}
