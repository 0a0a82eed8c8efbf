package rules

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

// evRef is where an event came from, kept as evidence: its time, file:line
// and raw line. Raw is the event's own string (no copy is made).
type evRef struct {
	Time time.Time
	File string
	Line int
	Raw  string
}

func ref(e *model.Event) evRef { return evRef{Time: e.Time, File: e.File, Line: e.Line, Raw: e.Raw} }

// loc is the event's file:line.
func (r evRef) loc() string {
	if r.Line <= 0 {
		return r.File
	}
	return r.File + ":" + strconv.Itoa(r.Line)
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// maxSamples bounds the distinct values (accounts, paths) a fold lists.
const maxSamples = 8

// fold is one finding in the making: every event of one rule and one key
// (a source address, an account) counted into it, with the first and the
// last as evidence.
type fold struct {
	rule        string
	subject     string
	key         string
	sev         model.Severity
	conf        model.Confidence
	count       int
	first, last evRef
	user, ip    string
	samples     []string
	distinct    int // distinct values seen (samples holds the first maxSamples)
	extra       map[string]string
	note        model.Message // replaces the generic note on the count
	technique   string        // set by an observer (Sigma tags)
}

func (f *fold) add(e *model.Event) {
	if f.count == 0 {
		f.first = ref(e)
	}
	f.count++
	f.last = ref(e)
}

// sample remembers a distinct value (an account tried, a path requested).
func (f *fold) sample(v string) {
	if v == "" || slices.Contains(f.samples, v) {
		return
	}
	f.distinct++
	if len(f.samples) < maxSamples {
		f.samples = append(f.samples, v)
	}
}

// raise lifts the fold's grade (never lowers it).
func (f *fold) raise(sev model.Severity, conf model.Confidence) {
	f.sev = max(f.sev, sev)
	f.conf = max(f.conf, conf)
}

func (f *fold) finding() model.Finding {
	ev := model.Evidence{Path: f.first.File, Line: f.first.Line, Text: f.first.Raw, User: f.user, When: "event"}
	ev.Extra = map[string]string{
		"count": strconv.Itoa(f.count),
		"first": f.first.loc(),
		"last":  f.last.loc(),
	}
	if !f.first.Time.IsZero() {
		ev.Extra["first_time"], ev.Extra["last_time"] = stamp(f.first.Time), stamp(f.last.Time)
	}
	if f.ip != "" {
		ev.Extra["source_ip"] = f.ip
	}
	if f.count > 1 {
		ev.Extra["last_raw"] = f.last.Raw
	}
	for k, v := range f.extra {
		ev.Extra[k] = v
	}
	vals := strings.Join(f.samples, ", ")
	if f.distinct > len(f.samples) {
		vals += ", …"
	}
	if len(f.samples) > 0 {
		ev.Extra["values"] = vals
		ev.Extra["distinct"] = strconv.Itoa(f.distinct)
	}
	switch {
	case !f.note.IsZero():
		ev.Note = f.note
	case f.count > 1 && len(f.samples) > 0:
		ev.Note = model.Msg("logs.note.events-values", f.count, stamp(f.first.Time), stamp(f.last.Time), f.first.loc(), f.last.loc(), f.last.Raw, f.distinct, vals)
	case f.count > 1:
		ev.Note = model.Msg("logs.note.events", f.count, stamp(f.first.Time), stamp(f.last.Time), f.first.loc(), f.last.loc(), f.last.Raw)
	}
	fd := model.Finding{RuleID: f.rule, Subject: f.subject, Evidence: ev, Key: f.rule + "\x00" + f.key, Technique: f.technique}
	return fd.WithSeverity(f.sev).WithConfidence(f.conf)
}

type foldKey struct{ rule, key string }

// Set is one pass of every rule over an event stream. It is not safe for
// concurrent use: feed it events in time order (rotated files oldest first).
type Set struct {
	cfg     Config
	folds   map[foldKey]*fold
	order   []*fold
	dropped map[string]int
	started bool
	start   time.Time
	ssh     sshState
	tamper  tamperState
	web     webState
	extra   []Observer
	hitFn   func(Hit, *model.Event) // s.hit, made once (a method value per event allocates)
}

// Observer is a further judgement of events (Sigma rules, IOCs) that runs
// beside the built-in rules and folds its hits the same way.
type Observer interface {
	Observe(e *model.Event, hit func(Hit, *model.Event))
}

// Hit is an observer's match: folded per Rule and Key like the built-in
// rules' findings. Technique and Extra (e.g. the Sigma rule's id and
// title) are set on the finding; Extra is copied from the first hit.
type Hit struct {
	Rule, Key, Subject string
	Severity           model.Severity
	Confidence         model.Confidence
	Technique          string
	Extra              map[string]string
}

// New returns a Set with cfg (unset fields at their defaults).
func New(cfg Config) *Set {
	cfg = cfg.Normalize()
	s := &Set{cfg: cfg, folds: map[foldKey]*fold{}, dropped: map[string]int{}}
	s.ssh.init()
	s.tamper.init()
	s.web.init(&s.cfg.Web)
	s.hitFn = s.hit
	return s
}

// Add makes o judge every event after the built-in rules.
func (s *Set) Add(o Observer) { s.extra = append(s.extra, o) }

// Observe judges one event.
func (s *Set) Observe(e *model.Event) {
	if !s.started && !e.Time.IsZero() {
		s.started, s.start = true, e.Time
	}
	switch {
	case strings.HasPrefix(e.Kind, "ssh."):
		s.sshEvent(e)
	case e.Kind == kindWebRequest:
		s.webEvent(e)
	case strings.HasPrefix(e.Kind, "account."), e.Kind == kindSudo, e.Kind == kindSu:
		s.accountEvent(e)
	}
	if e.Kind == kindSudo || e.Kind == kindHistory || strings.HasPrefix(e.Kind, kindAuditPrefix) {
		s.tamperCommand(e)
	}
	if strings.HasPrefix(e.Kind, kindUtmpPrefix) || e.Kind == kindLastlog {
		s.utmpEvent(e)
	}
	if e.Kind == kindHistory || e.Kind == kindShellRC || e.Kind == kindHistoryOff || e.Kind == kindSudo {
		s.historyOff(e)
	}
	s.timeGap(e)
	for _, o := range s.extra {
		o.Observe(e, s.hitFn)
	}
}

// hit folds an observer's match per rule and key.
func (s *Set) hit(h Hit, e *model.Event) {
	f := s.fold(h.Rule, h.Key, h.Subject, h.Severity, h.Confidence)
	if f == nil {
		return
	}
	if f.count == 0 {
		f.technique = h.Technique
		f.extra = h.Extra
	}
	f.add(e)
	f.ip = e.SrcIP
	f.sample(e.SrcIP)
}

// fold returns the fold of rule and key, making it with the given grade;
// nil when the cap is reached (counted in Problems).
func (s *Set) fold(rule, key, subject string, sev model.Severity, conf model.Confidence) *fold {
	k := foldKey{rule, key}
	if f := s.folds[k]; f != nil {
		return f
	}
	if len(s.folds) >= s.cfg.MaxKeys {
		s.dropped["findings"]++
		return nil
	}
	f := &fold{rule: rule, key: key, subject: subject, sev: sev, conf: conf}
	s.folds[k] = f
	s.order = append(s.order, f)
	return f
}

// once folds e into rule/key (the common case of one event, one finding).
func (s *Set) once(rule, key, subject string, sev model.Severity, conf model.Confidence, e *model.Event) *fold {
	f := s.fold(rule, key, subject, sev, conf)
	if f != nil {
		f.add(e)
	}
	return f
}

// learning reports whether t is still in the learning part of the stream.
func (s *Set) learning(t time.Time) bool { return !s.started || t.Sub(s.start) < s.cfg.LearnFor }

// Finish closes open windows and returns every finding, ordered by the
// time of their first event, then rule id.
func (s *Set) Finish() []model.Finding {
	s.web.finish(s)
	s.utmpFinish()
	out := make([]model.Finding, 0, len(s.order))
	sorted := slices.Clone(s.order)
	slices.SortStableFunc(sorted, func(a, b *fold) int {
		if c := a.first.Time.Compare(b.first.Time); c != 0 {
			return c
		}
		if c := strings.Compare(a.rule, b.rule); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	for _, f := range sorted {
		if f.count > 0 {
			out = append(out, f.finding())
		}
	}
	return out
}

// Problems says what the rules could not judge: keys not tracked because a
// map was full (a gap for the report).
func (s *Set) Problems() []model.Message {
	var out []model.Message
	for _, what := range slices.Sorted(maps.Keys(s.dropped)) {
		out = append(out, model.Msg("logs.gap.capped", what, s.dropped[what], s.cfg.MaxKeys))
	}
	return out
}

// capped reports whether a map of n entries may take another key; when not,
// the loss is counted under what.
func (s *Set) capped(n int, what string) bool {
	if n < s.cfg.MaxKeys {
		return false
	}
	s.dropped[what]++
	return true
}

func (f *fold) addRef(r evRef) {
	if f.count == 0 {
		f.first = r
	}
	f.count++
	f.last = r
}
