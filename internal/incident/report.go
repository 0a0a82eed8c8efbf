package incident

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/logs/timeline"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
)

// NotificationWindow is how long after awareness the regulator's
// notification is due (the seeds' 72 hours; NIS2 Art. 23 notification).
const NotificationWindow = 72 * time.Hour

// Input is what the store holds about a case. Sources the store does not
// know yet (a log timeline, another journal) add lines through Extra.
type Input struct {
	Case    store.Case
	Events  []store.CaseEvent
	Scans   []*model.Result      // the scans attached to the case
	Actions []store.ActionRecord // the containment actions attached to it
	Extra   []Entry              // hook: timeline lines of other sources (log events ...)
	Catalog *catalog.Catalog
	Lang    string
	Now     time.Time
}

// Entry is one line of the timeline (or of actions, evidence).
type Entry struct {
	At       time.Time `json:"at"`
	Kind     string    `json:"kind"`
	Text     string    `json:"text"`
	By       string    `json:"by,omitempty"`
	Severity string    `json:"severity,omitempty"`
	Ref      string    `json:"ref,omitempty"`
	// Stage is the attack-path stage a timeline line shows (a stage id
	// of internal/logs/timeline).
	Stage      string `json:"stage,omitempty"`
	Suspicious bool   `json:"suspicious,omitempty"`
}

// FindingLine is a finding of the case, once per fingerprint.
type FindingLine struct {
	Severity    string `json:"severity"`
	Rule        string `json:"rule_id"`
	Title       string `json:"title"`
	Subject     string `json:"subject"`
	Technique   string `json:"attack_technique,omitempty"`
	Remediation string `json:"remediation,omitempty"`
	FirstSeen   time.Time
	By          string `json:"found_by,omitempty"` // who ran the scan that first saw it
	sev         model.Severity
}

// PathStep is one stage of the attack path a log timeline shows, at the
// line that first shows it.
type PathStep struct {
	Stage string    `json:"stage"` // the stage id (internal/logs/timeline)
	Name  string    `json:"name"`  // in the report's language
	At    time.Time `json:"at"`
	Text  string    `json:"text"`
	Ref   string    `json:"ref,omitempty"`
}

// IOC is an indicator of compromise taken from the findings' evidence.
type IOC struct {
	Kind  string `json:"kind"` // ip, url, sha256, path
	Value string `json:"value"`
	Rule  string `json:"rule_id"`
}

// Summary counts the case.
type Summary struct {
	Scans      int            `json:"scans"`
	Findings   int            `json:"findings"`
	BySeverity map[string]int `json:"by_severity"`
	Highest    string         `json:"highest_severity"`
	Actions    int            `json:"actions"`
	Evidence   int            `json:"evidence"`
	Notes      int            `json:"notes"`
}

// Report is the incident report: every section the seeds ask for. An
// empty section is rendered "unknown", never left out.
type Report struct {
	Case        store.Case    `json:"case"`
	Lang        string        `json:"lang"`
	Generated   time.Time     `json:"generated"`
	Deadline    time.Time     `json:"notification_due"` // awareness + 72 h
	Overdue     bool          `json:"notification_overdue"`
	Summary     Summary       `json:"summary"`
	Timeline    []Entry       `json:"timeline"`
	Hosts       []string      `json:"scope_hosts"`
	Accounts    []string      `json:"scope_accounts"`
	DataAtRisk  []string      `json:"scope_data_at_risk"`
	EntryVector []string      `json:"entry_vector"` // notes of the trace step
	AttackPath  []PathStep    `json:"attack_path"`  // from the log timelines: each stage where it first shows
	Findings    []FindingLine `json:"findings"`     // medium and above
	Actions     []Entry       `json:"actions"`
	Evidence    []Entry       `json:"evidence"`
	IOCs        []IOC         `json:"iocs"`
	Remediation []string      `json:"remediation"`     // the catalog's, of each rule that fired
	Hardening   []string      `json:"hardening_notes"` // notes of the harden step
	Lessons     []string      `json:"lessons"`
	Checklist   []StepStatus  `json:"checklist"`
}

var (
	ipRE  = lazyre.New(`\b(?:\d{1,3}\.){3}\d{1,3}\b`) // fixed patterns: never derived from the target
	urlRE = lazyre.New(`\bhttps?://[^\s'"<>|;]+`)
)

// Build assembles the report of in.
func Build(in Input) *Report {
	c := in.Catalog
	r := &Report{Case: in.Case, Lang: in.Lang, Generated: in.Now.UTC(), Deadline: in.Case.Aware.Add(NotificationWindow),
		Summary: Summary{BySeverity: map[string]int{}}, Checklist: Checklist(in.Events)}
	r.Overdue = in.Now.After(r.Deadline) && in.Case.State == store.CaseOpen
	hosts, accounts := map[string]bool{}, map[string]bool{}
	seen := map[string]*FindingLine{}
	iocs := map[string]bool{}
	for _, res := range in.Scans {
		r.Summary.Scans++
		if h := res.Meta.Target.Hostname; h != "" {
			hosts[h] = true
		}
		for _, f := range res.Findings {
			if f.Evidence.User != "" && f.Severity >= model.Medium {
				accounts[f.Evidence.User] = true
			}
			if f.Category == "accounts" && f.Severity >= model.Medium {
				accounts[f.Subject] = true
			}
			if f.Severity < model.Medium {
				continue
			}
			if l, ok := seen[f.Fingerprint]; ok {
				if res.Meta.Started.Before(l.FirstSeen) {
					l.FirstSeen, l.By = res.Meta.Started, res.Meta.Operator
				}
				continue
			}
			lf := f
			c.Localize(&lf, in.Lang)
			seen[f.Fingerprint] = &FindingLine{Severity: f.Severity.String(), Rule: f.RuleID, Title: lf.Title, Subject: f.Subject,
				Technique: f.Technique, Remediation: lf.Remediation, FirstSeen: res.Meta.Started, By: res.Meta.Operator, sev: f.Severity}
			r.addIOCs(f, iocs)
		}
	}
	for _, l := range seen {
		r.Findings = append(r.Findings, *l)
		r.Summary.BySeverity[l.Severity]++
	}
	slices.SortFunc(r.Findings, func(a, b FindingLine) int {
		return cmp.Or(cmp.Compare(b.sev, a.sev), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Subject, b.Subject))
	})
	r.Summary.Findings = len(r.Findings)
	if len(r.Findings) > 0 {
		r.Summary.Highest = r.Findings[0].Severity
	}
	rem := map[string]bool{}
	for _, f := range r.Findings {
		if f.Remediation != "" && !rem[f.Remediation] {
			rem[f.Remediation] = true
			r.Remediation = append(r.Remediation, f.Remediation)
		}
		r.Timeline = append(r.Timeline, Entry{At: f.FirstSeen, Kind: "finding", Severity: f.Severity, Ref: f.Rule, By: f.By, Text: c.T(in.Lang, "incident.report.field", f.Title) + f.Subject})
	}
	actions := map[string]store.ActionRecord{}
	for _, a := range in.Actions {
		actions[strconv.FormatInt(a.ID, 10)] = a
	}
	for _, e := range in.Events {
		line := Entry{At: e.At, Kind: e.Kind, By: e.Actor, Ref: e.Ref, Text: EventText(c, in.Lang, e)}
		r.Timeline = append(r.Timeline, line)
		switch e.Kind {
		case KindAction:
			r.Summary.Actions++
			if a, ok := actions[e.Ref]; ok {
				line.Text += " — " + a.State
			}
			r.Actions = append(r.Actions, line)
		case KindEvidence, KindImage:
			r.Summary.Evidence++
			r.Evidence = append(r.Evidence, line)
		case KindNote:
			r.Summary.Notes++
			switch e.Step {
			case StepTrace:
				r.EntryVector = append(r.EntryVector, e.Detail)
			case StepContain, StepFix:
				r.Actions = append(r.Actions, line)
			case StepHarden:
				r.Hardening = append(r.Hardening, e.Detail)
			case StepReport:
				r.Lessons = append(r.Lessons, e.Detail)
			case StepAssess:
				r.DataAtRisk = append(r.DataAtRisk, e.Detail)
			}
		}
	}
	r.Timeline = append(r.Timeline, in.Extra...)
	slices.SortStableFunc(r.Timeline, func(a, b Entry) int { return a.At.Compare(b.At) })
	staged := map[string]bool{}
	for _, e := range r.Timeline {
		if e.Stage != "" && !staged[e.Stage] {
			staged[e.Stage] = true
			r.AttackPath = append(r.AttackPath, PathStep{Stage: e.Stage, Name: c.T(in.Lang, timeline.StageMsg(e.Stage)), At: e.At, Text: e.Text, Ref: e.Ref})
		}
	}
	r.Hosts, r.Accounts = sortedKeys(hosts), sortedKeys(accounts)
	return r
}

// addIOCs takes indicators from a finding's evidence: public IP
// addresses and URLs in its text, the file's SHA-256, and the path of a
// high or critical finding.
func (r *Report) addIOCs(f model.Finding, seen map[string]bool) {
	add := func(kind, v string) {
		if v == "" || seen[kind+v] {
			return
		}
		seen[kind+v] = true
		r.IOCs = append(r.IOCs, IOC{Kind: kind, Value: v, Rule: f.RuleID})
	}
	for _, ip := range ipRE.FindAllString(f.Evidence.Text, -1) {
		if a, err := netip.ParseAddr(ip); err == nil && !a.IsPrivate() && !a.IsLoopback() && !a.IsUnspecified() {
			add("ip", ip)
		}
	}
	for _, u := range urlRE.FindAllString(f.Evidence.Text, -1) {
		add("url", u)
	}
	add("sha256", f.Evidence.SHA256)
	if f.Severity >= model.High {
		add("path", f.Evidence.Path)
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// EventText is one journal line in lang (incident.event.<kind>).
func EventText(c *catalog.Catalog, lang string, e store.CaseEvent) string {
	by := e.Actor
	if by == "" {
		by = "-"
	}
	id := "incident.event." + e.Kind
	switch e.Kind {
	case KindOpened, KindNote, KindReport:
		return c.T(lang, id, e.Detail, by)
	case KindScan:
		if e.RunKind != "" && e.RunKind != model.KindScan {
			return c.T(lang, "incident.event.run", e.RunKind, e.Ref, e.Detail, by)
		}
		return c.T(lang, id, e.Ref, e.Detail, by)
	case KindClosed:
		return c.T(lang, id, by)
	case KindAction, KindEvidence, KindImage:
		return c.T(lang, id, e.Ref, e.Detail, by)
	case KindTimeline:
		return timelineText(c, lang, e, by)
	}
	return strings.TrimSpace(e.Kind + " " + e.Ref + " " + e.Detail + " (" + by + ")") // a kind a newer vigil wrote
}
