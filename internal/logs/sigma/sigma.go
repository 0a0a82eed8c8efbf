package sigma

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	sigmago "github.com/bradleyjkemp/sigma-go"
	"github.com/bradleyjkemp/sigma-go/evaluator"

	"github.com/vigil-ir/vigil/internal/logs/rules"
	"github.com/vigil-ir/vigil/internal/model"
)

// RuleMatch is the catalog rule of every Sigma match; the Sigma rule's id,
// title, level and file are in the evidence.
const RuleMatch = "logs.sigma.match"

// Problem is a rule file that could not be used, and why.
type Problem struct {
	File string
	Err  error
}

// scope says which events a rule is evaluated on.
type scope int

const (
	scopeSyslog scope = iota // auth, syslog, cron, journal
	scopeAudit
	scopeProcess
	scopeWeb
)

type compiled struct {
	ev        *evaluator.RuleEvaluator
	scope     scope
	program   string // sshd, sudo, su, cron: only events of that program
	file      string
	title, id string
	sev       model.Severity
	technique string
	pre       *prefilter // one literal must be in the event (prefilter.go); nil: always evaluate
	rawOnly   bool       // the literals are all matched on the raw line
	kinds     []string   // when set, the rule can match only an event of one of these kinds (kindGate)
}

// Set is a loaded set of Sigma rules; it implements rules.Observer.
type Set struct {
	rules    []compiled
	Problems []Problem
	Skipped  int // rules for other platforms
	fields   map[string]string
	hay, raw []byte
}

// New returns an empty set.
func New() *Set { return &Set{fields: map[string]string{}} }

// Len is the number of rules loaded.
func (s *Set) Len() int { return len(s.rules) }

// LoadFS loads every .yml/.yaml file under dir of fsys.
func (s *Set) LoadFS(fsys fs.FS, dir, label string) {
	_ = fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			s.Problems = append(s.Problems, Problem{File: path.Join(label, p), Err: err})
			return nil
		}
		if d.IsDir() || !isRuleFile(p) {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			s.Problems = append(s.Problems, Problem{File: path.Join(label, p), Err: err})
			return nil
		}
		s.Add(path.Join(label, strings.TrimPrefix(p, dir+"/")), b)
		return nil
	})
}

// LoadDir loads the rule files of a directory of the host running Vigil
// (the user's --sigma DIR), recursively.
func (s *Set) LoadDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return errors.New(dir + ": not a directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	s.LoadFS(os.DirFS(abs), ".", abs)
	return nil
}

func isRuleFile(p string) bool {
	ext := strings.ToLower(path.Ext(p))
	return ext == ".yml" || ext == ".yaml"
}

// Add parses one rule file (a file may hold several documents only in
// SigmaHQ's collection form, which is not supported: one rule per file).
func (s *Set) Add(file string, b []byte) {
	r, err := parse(b)
	if err != nil {
		s.Problems = append(s.Problems, Problem{File: file, Err: err})
		return
	}
	sc, prog, ok := scopeOf(r.Logsource)
	if !ok {
		s.Skipped++
		return
	}
	lits, rawOnly, ok := literals(r)
	var pf *prefilter
	if ok {
		pf = newPrefilter(lits, rawOnly)
	}
	s.rules = append(s.rules, compiled{
		pre: pf, rawOnly: rawOnly, ev: evaluator.ForRule(r), scope: sc, program: prog, file: file, title: r.Title, id: r.ID,
		sev: level(r.Level), technique: technique(r.Tags), kinds: kindGate(r),
	})
}

// parse reads a rule, refusing what the evaluator cannot run, and rewrites
// keyword searches into matches on the raw line.
func parse(b []byte) (r sigmago.Rule, err error) {
	defer func() {
		if p := recover(); p != nil { // a library panic on odd YAML is this file's problem only
			err = errors.New("the rule could not be parsed")
		}
	}()
	r, err = sigmago.ParseRule(b)
	if err != nil {
		return r, err
	}
	if r.Title == "" || len(r.Detection.Conditions) == 0 || len(r.Detection.Searches) == 0 {
		return r, errors.New("not a Sigma rule (title, detection and condition are required)")
	}
	for _, c := range r.Detection.Conditions {
		if c.Aggregation != nil {
			return r, errors.New("aggregations (count() by ...) are not supported")
		}
	}
	for name, search := range r.Detection.Searches {
		if len(search.Keywords) == 0 {
			continue
		}
		vals := make([]any, 0, len(search.Keywords))
		for _, k := range search.Keywords {
			vals = append(vals, strings.Trim(k, "*"))
		}
		search.EventMatchers = append(search.EventMatchers, sigmago.EventMatcher{{Field: "_raw", Modifiers: []string{"contains"}, Values: vals}})
		search.Keywords = nil
		r.Detection.Searches[name] = search
	}
	return r, nil
}

// scopeOf maps a rule's logsource to the events it is evaluated on.
func scopeOf(ls sigmago.Logsource) (scope, string, bool) {
	prod, cat, svc := strings.ToLower(ls.Product), strings.ToLower(ls.Category), strings.ToLower(ls.Service)
	switch {
	case cat == "webserver" || prod == "nginx" || prod == "apache":
		return scopeWeb, "", true
	case prod != "linux":
		return 0, "", false
	case svc == "auditd":
		return scopeAudit, "", true
	case cat == "process_creation":
		return scopeProcess, "", true
	case cat != "":
		return 0, "", false // file_event, network_connection ...: no such events in logs
	case svc == "sshd" || svc == "sudo" || svc == "su" || svc == "cron":
		return scopeSyslog, svc, true
	case svc == "" || svc == "auth" || svc == "syslog":
		return scopeSyslog, "", true
	}
	return 0, "", false
}

func level(l string) model.Severity {
	switch strings.ToLower(l) {
	case "critical":
		return model.Critical
	case "high":
		return model.High
	case "medium":
		return model.Medium
	case "low":
		return model.Low
	}
	return model.Info
}

// technique is the first ATT&CK technique among the tags (attack.t1110.001).
func technique(tags []string) string {
	for _, t := range tags {
		t = strings.ToLower(t)
		if rest, ok := strings.CutPrefix(t, "attack.t"); ok && rest != "" && rest[0] >= '0' && rest[0] <= '9' {
			return "T" + strings.ToUpper(rest)
		}
	}
	return ""
}

// eventScope says which scopes an event belongs to.
func eventScope(e *model.Event) (syslog, audit, process, web bool) {
	switch e.Source {
	case "auth", "syslog", "cron", "journal":
		syslog = true
	case "audit":
		audit = true
	case "web.access":
		web = true
	}
	process = e.Fields["command"] != "" || e.Kind == "cron.command"
	return
}

// Observe implements rules.Observer.
func (s *Set) Observe(e *model.Event, hit func(rules.Hit, *model.Event)) {
	if len(s.rules) == 0 {
		return
	}
	syslog, audit, process, web := eventScope(e)
	filled, hayDone, rawDone := false, false, false
	folds := -1 // foldsToASCII(e.Raw), once asked
	for i := range s.rules {
		r := &s.rules[i]
		switch r.scope {
		case scopeSyslog:
			if !syslog || r.program != "" && !programIs(e.Program, r.program) {
				continue
			}
		case scopeAudit:
			if !audit {
				continue
			}
		case scopeProcess:
			if !process {
				continue
			}
		case scopeWeb:
			if !web {
				continue
			}
		}
		if r.kinds != nil && !kindIn(e, r.kinds) {
			continue
		}
		switch {
		case r.pre == nil:
		case r.pre.anchors != nil && !foldsOnce(&folds, e.Raw):
			if !r.pre.anchors.match(e.Raw) {
				continue
			}
		default:
			hay := &s.hay
			if r.rawOnly {
				hay = &s.raw
				if !rawDone {
					s.raw, rawDone = haystack(s.raw, e, true), true
				}
			} else if !hayDone {
				s.hay, hayDone = haystack(s.hay, e, false), true
			}
			if !r.pre.mayMatch(*hay) {
				continue
			}
		}
		if !filled {
			s.fill(e)
			filled = true
		}
		res, err := r.ev.Matches(context.Background(), s.fields)
		if err != nil || !res.Match {
			continue
		}
		subject := r.title
		hit(rules.Hit{Rule: RuleMatch, Key: r.file + "\x00" + r.id + "\x00" + r.title, Subject: subject, Severity: r.sev,
			Confidence: model.ConfMedium, Technique: r.technique,
			Extra: map[string]string{"sigma_id": r.id, "sigma_title": r.title, "sigma_file": r.file, "sigma_level": r.sev.String()}}, e)
	}
}

// programIs reports whether program, lower-cased, starts with prefix
// (lower case): as strings.ToLower would, without lower-casing (and
// allocating) for every rule and event.
func programIs(program, prefix string) bool {
	for i := 0; i < len(program); i++ {
		if program[i] >= utf8.RuneSelf {
			return strings.HasPrefix(strings.ToLower(program), prefix)
		}
	}
	return len(program) >= len(prefix) && equalFoldASCII(program[:len(prefix)], []byte(prefix))
}

// foldsOnce is foldsToASCII(raw), computed on the first call (*v < 0).
func foldsOnce(v *int, raw string) bool {
	if *v < 0 {
		*v = 0
		if foldsToASCII(raw) {
			*v = 1
		}
	}
	return *v == 1
}

// fill presents e to the rules (see the package doc for the mapping).
func (s *Set) fill(e *model.Event) {
	m := s.fields
	clear(m)
	for k, v := range e.Fields {
		m[k] = v
	}
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	m["_raw"], m["message"], m["Message"] = e.Raw, e.Raw, e.Raw
	set("Source", e.Source)
	set("Program", e.Program)
	set("Kind", e.Kind)
	set("Host", e.Host)
	set("User", e.Actor)
	set("Object", e.Object)
	set("SourceIp", e.SrcIP)
	set("src_ip", e.SrcIP)
	set("Outcome", string(e.Outcome))
	if e.PID > 0 {
		m["pid"] = strconv.Itoa(e.PID)
	}
	cmd := e.Fields["command"]
	if cmd == "" && e.Kind == "cron.command" {
		cmd = e.Object
	}
	if cmd != "" {
		m["CommandLine"] = cmd
		img, _, _ := strings.Cut(strings.TrimSpace(cmd), " ")
		m["Image"] = img
		set("CurrentDirectory", e.Fields["pwd"])
	}
	if e.Source == "web.access" {
		p, q, _ := strings.Cut(e.Object, "?")
		if q == "" {
			q = e.Fields["query"]
		}
		set("cs-uri-stem", p)
		set("cs-uri-query", q)
		set("cs-uri", e.Object)
		set("cs-uri", e.Fields["uri"])
		set("cs-method", e.Fields["method"])
		set("sc-status", e.Fields["status"])
		set("cs-bytes", e.Fields["bytes"])
		set("c-ip", e.SrcIP)
		set("c-useragent", e.Fields["user_agent"])
		set("cs-user-agent", e.Fields["user_agent"])
		set("cs-referer", e.Fields["referer"])
	}
}

// IDs lists the rule ids a Set emits.
func IDs() []string { return []string{RuleMatch} }

// Titles lists the loaded rules' titles (for a summary), sorted.
func (s *Set) Titles() []string {
	out := make([]string, 0, len(s.rules))
	for _, r := range s.rules {
		out = append(out, r.title)
	}
	slices.Sort(out)
	return out
}
