package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/termtext"
)

// maxGapLines bounds the "not checked" list of the table; JSON has all.
const maxGapLines = 15

// Table is the human handler: findings sorted most severe first, a line of
// evidence under each, the gaps, and a summary line per severity. Columns
// that may hold Chinese text come last on a line so alignment survives
// double-width characters.
type Table struct {
	w        io.Writer
	opt      Options
	meta     model.ScanMeta
	findings []model.Finding
	gaps     []model.Gap
}

// Begin implements Handler.
func (t *Table) Begin(meta model.ScanMeta) error { t.meta = meta; return nil }

// UpdateMeta implements MetaUpdater.
func (t *Table) UpdateMeta(meta model.ScanMeta) { t.meta = meta }

// Finding implements Handler.
func (t *Table) Finding(f model.Finding) error {
	localize(t.opt, &f)
	t.findings = append(t.findings, f)
	return nil
}

// Gap implements Handler.
func (t *Table) Gap(g model.Gap) error { t.gaps = append(t.gaps, g); return nil }

func (t *Table) sev(s model.Severity) string {
	return t.paint(s, termtext.Severity(t.opt.Lang, s))
}

// paint colours text like severity s when the table is coloured.
func (t *Table) paint(s model.Severity, text string) string {
	if !t.opt.Color || s < model.Info || s > model.Critical {
		return text
	}
	colors := [...]string{"\x1b[2m", "\x1b[36m", "\x1b[33m", "\x1b[31m", "\x1b[1;97;41m"}
	return colors[s] + text + "\x1b[0m"
}

// Location is "path:line", or the subject when there is no path.
func Location(f model.Finding) string {
	loc := f.Evidence.Path
	if loc == "" {
		loc = f.Subject
	} else if f.Evidence.Line > 0 {
		loc += ":" + strconv.Itoa(f.Evidence.Line)
	}
	if f.Evidence.PID > 0 && !strings.Contains(loc, "pid ") {
		loc = "pid " + strconv.Itoa(f.Evidence.PID) + " " + loc
	}
	return loc
}

// End implements Handler: it writes everything.
func (t *Table) End(s model.Summary) error {
	lang := t.opt.Lang
	w := &errWriter{w: t.w}
	mode := msg(lang, "live")
	if !t.meta.Target.Live {
		mode = msg(lang, "offline", t.meta.Target.Root)
	}
	host := t.meta.Target.Hostname
	if t.meta.Target.OS != "" {
		host += " (" + t.meta.Target.OS + ")"
	}
	w.printf("%s\n\n", msg(lang, runOf(t.meta.RunKind()), strings.TrimSpace(host), mode, t.meta.Started.UTC().Format("2006-01-02 15:04:05 MST")))

	SortFindings(t.findings)
	if len(t.findings) == 0 {
		w.printf("%s\n", msg(lang, "no_findings"))
	}
	sevW, ruleW, locW := 8, 4, 8
	for _, f := range t.findings {
		sevW = max(sevW, termtext.Width(t.sevPlain(f.Severity)))
		ruleW = max(ruleW, len(f.RuleID))
		locW = max(locW, termtext.Width(termtext.OneLine(Location(f))))
	}
	leadW := sevW + 2 + ruleW + 2
	locW = locationWidth(locW, leadW, t.opt.Width)
	for _, f := range t.findings {
		sev := t.sev(f.Severity)
		pad := sevW - termtext.Width(t.sevPlain(f.Severity))
		lead := fmt.Sprintf("%s%s  %-*s  ", sev, strings.Repeat(" ", pad), ruleW, f.RuleID)
		loc := termtext.OneLine(Location(f))
		t.locationLines(w, lead, leadW, loc, locW, titleOf(f, loc))
		indent := strings.Repeat(" ", sevW+2)
		if f.Folded > 0 {
			w.printf("%s> %s\n", indent, msg(lang, "folded_more", f.Folded, termtext.OneLine(f.Subject)))
		} else if txt := termtext.OneLine(t.opt.Catalog.EvidenceText(lang, f.Evidence)); txt != "" {
			w.printf("%s> %s\n", indent, termtext.Truncate(txt, 160))
		}
		if facts := t.facts(f); facts != "" {
			w.printf("%s  %s\n", indent, facts)
		}
		if t.opt.Verbose {
			for _, kv := range [][2]string{{"why", f.Why}, {"verify", f.Verify}, {"fix", f.Remediation}} {
				if kv[1] != "" {
					w.printf("%s  %s\n", indent, msg(lang, kv[0], termtext.OneLine(kv[1])))
				}
			}
			w.printf("\n")
		}
	}

	w.printf("\n%s\n", msg(lang, "not_checked", len(t.gaps)))
	if len(t.gaps) == 0 {
		w.printf("  %s\n", msg(lang, "nothing_gap"))
	}
	sortGaps(t.gaps)
	for i, g := range t.gaps {
		if i == maxGapLines {
			w.printf("  … %s\n", msg(lang, "more", len(t.gaps)-maxGapLines))
			break
		}
		reason := termtext.Truncate(termtext.OneLine(t.opt.Catalog.GapReason(lang, g)), 140)
		kind := value(lang, "kind", string(g.Kind))
		if g.Path != "" {
			w.printf("  [%s] %s\n", g.Check, msg(lang, "gap_path", kind, g.Path, reason))
		} else {
			w.printf("  [%s] %s\n", g.Check, msg(lang, "gap", kind, reason))
		}
	}

	failed := 0
	for _, c := range s.Checks {
		if c.Status == "failed" {
			failed++
		}
	}
	parts := []string{msg(lang, one(s.Total, "sum_findings"), s.Total)}
	if s.Suppressed > 0 {
		parts = append(parts, t.suppressedPart(s))
	}
	if s.Hidden > 0 {
		parts = append(parts, msg(lang, "sum_hidden", s.Hidden))
	}
	if s.Folded > 0 {
		parts = append(parts, msg(lang, "sum_folded", s.Folded))
	}
	if failed > 0 {
		parts = append(parts, msg(lang, "sum_checks_failed", len(s.Checks), failed))
	} else {
		parts = append(parts, msg(lang, one(len(s.Checks), "sum_checks"), len(s.Checks)))
	}
	if !t.meta.Finished.IsZero() && !t.meta.Started.IsZero() {
		parts = append(parts, t.meta.Finished.Sub(t.meta.Started).Round(10*time.Millisecond).String())
	}
	w.printf("\n%s\n", msg(lang, "summary_line", strings.Join(parts, msg(lang, "list_sep"))))
	for sv := model.Critical; sv >= model.Info; sv-- {
		w.printf("  %s%s %d\n", t.sev(sv), strings.Repeat(" ", max(0, sevW-termtext.Width(t.sevPlain(sv)))), s.Counts[sv])
	}
	if !t.opt.Verbose && len(t.findings) > 0 {
		w.printf("\n%s\n", msg(lang, "hint_verbose"))
	}
	return w.err
}

// suppressedPart is "suppressed: 5 (2 critical)": how many findings
// suppressions hid, and how many of the most severe kind among them, in
// that severity's colour, so that a suppression never hides a critical
// finding quietly.
func (t *Table) suppressedPart(s model.Summary) string {
	lang := t.opt.Lang
	for sev := model.Critical; sev >= model.Info; sev-- {
		if n := s.SuppressedCounts[sev]; n > 0 {
			label := termtext.Severity(lang, sev)
			if lang == catalog.English {
				label = strings.ToLower(label)
			}
			return t.paint(sev, msg(lang, "sum_suppressed_worst", s.Suppressed, n, label))
		}
	}
	return msg(lang, "sum_suppressed", s.Suppressed)
}

func (t *Table) sevPlain(s model.Severity) string {
	o := *t
	o.opt.Color = false
	return o.sev(s)
}

func (t *Table) facts(f model.Finding) string {
	lang := t.opt.Lang
	var parts []string
	parts = append(parts, msg(lang, "confidence", value(lang, "conf", f.Confidence.String())))
	if f.Technique != "" {
		parts = append(parts, f.Technique)
	}
	if f.Evidence.User != "" {
		parts = append(parts, msg(lang, "user", f.Evidence.User))
	}
	if f.Evidence.When != "" {
		parts = append(parts, msg(lang, "runs", value(lang, "when", f.Evidence.When)))
	}
	switch f.Evidence.Package {
	case "":
	case model.NoPackage:
		parts = append(parts, msg(lang, "not_packaged"))
	default:
		parts = append(parts, msg(lang, "package", f.Evidence.Package))
	}
	for _, id := range f.Indicators {
		if t.opt.Catalog != nil {
			parts = append(parts, t.opt.Catalog.Indicator(id, lang))
		} else {
			parts = append(parts, id)
		}
	}
	return strings.Join(parts, " · ")
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}

// runOf is the heading's message for a run of kind (model.KindScan ...).
func runOf(kind string) string {
	switch kind {
	case model.KindFiles, model.KindLogs, model.KindHarden:
		return kind + "_of"
	}
	return "scan_of"
}

// one is key's singular form ("_one") when n is 1 (English says "1
// finding"; the Chinese forms are the same).
func one(n int, key string) string {
	if n == 1 {
		return key + "_one"
	}
	return key
}

// titleOf is the finding's title, followed by its subject when that says
// what the location does not: the address of a brute force, the account
// tried, the Sigma rule that matched (the location of a log finding is its
// log line). A subject that is an English phrase is left to the JSON.
func titleOf(f model.Finding, loc string) string {
	sub := termtext.OneLine(f.Subject)
	if sub == "" || sub == f.Evidence.Path || strings.Contains(loc, sub) || SubjectIsPhrase(f) {
		return f.Title
	}
	return f.Title + " — " + termtext.Truncate(sub, 80)
}

// SubjectIsPhrase reports whether f's subject is English words ("sudo
// NOPASSWD for www-data: ALL", "account sysadm": some detectors name
// subjects so, and subjects feed the findings' identities, so they stay)
// rather than data (an address, a unit, a path, account@address: no
// space). A Sigma rule's title is neither: it is the rule's name, in the
// reader's language for Vigil's own rules (catalog.Localize).
func SubjectIsPhrase(f model.Finding) bool {
	if f.Evidence.Extra["sigma_id"] != "" || !strings.ContainsAny(f.Subject, " \t") {
		return false
	}
	for _, r := range f.Subject {
		if r >= utf8.RuneSelf {
			return false // not English words
		}
	}
	return true
}
