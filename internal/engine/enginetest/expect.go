package enginetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/model"
)

// Want is one finding a fixture must produce.
type Want struct {
	Rule string
	// Subject is a substring of the finding's subject ("" for any).
	Subject string
	// Severity is the severity the finding must have.
	Severity model.Severity
	// Indicators must all be among the finding's indicators ("" entries
	// are ignored, for tables whose cases name one indicator or none).
	Indicators []string
	// Path, when set, is the finding's evidence path exactly.
	Path string
}

func (w Want) String() string {
	s := fmt.Sprintf("%s %q %s", w.Rule, w.Subject, w.Severity)
	if len(w.Indicators) > 0 {
		s += fmt.Sprintf(" %v", w.Indicators)
	}
	if w.Path != "" {
		s += " at " + w.Path
	}
	return s
}

// candidate reports whether f is a finding w is about (rule, subject, path).
func (w Want) candidate(f model.Finding) bool {
	return f.RuleID == w.Rule && strings.Contains(f.Subject, w.Subject) && (w.Path == "" || f.Evidence.Path == w.Path)
}

// mismatch says how f differs from w in severity and indicators ("" when
// it does not).
func (w Want) mismatch(f model.Finding) string {
	var why []string
	if f.Severity != w.Severity {
		why = append(why, fmt.Sprintf("severity %s, want %s", f.Severity, w.Severity))
	}
	for _, ind := range w.Indicators {
		if ind != "" && !slices.Contains(f.Indicators, ind) {
			why = append(why, fmt.Sprintf("indicators %v lack %s", f.Indicators, ind))
		}
	}
	return strings.Join(why, "; ")
}

// Match returns the first finding that satisfies w, or, when none does, ""
// and a description of why.
func Match(findings []model.Finding, w Want) (model.Finding, bool, string) {
	var why []string
	for _, f := range findings {
		if !w.candidate(f) {
			continue
		}
		m := w.mismatch(f)
		if m == "" {
			return f, true, ""
		}
		why = append(why, fmt.Sprintf("%s: %s", f.Subject, m))
	}
	if len(why) == 0 {
		return model.Finding{}, false, "no such finding"
	}
	return model.Finding{}, false, strings.Join(why, "\n  ")
}

// Expect fails t for each want no finding satisfies, listing what was
// found, and returns the matching findings in the order of wants (a zero
// Finding for a missing one) for further checks of evidence.
func Expect(t testing.TB, findings []model.Finding, wants []Want) []model.Finding {
	t.Helper()
	out := make([]model.Finding, len(wants))
	for i, w := range wants {
		f, ok, why := Match(findings, w)
		if !ok {
			t.Errorf("want %s: %s\ngot:\n%s", w, why, Dump(findings))
			continue
		}
		out[i] = f
	}
	return out
}

// Quiet fails t for each finding at or above min (a clean fixture).
func Quiet(t testing.TB, findings []model.Finding, min model.Severity) {
	t.Helper()
	for _, f := range findings {
		if f.Severity >= min {
			t.Errorf("unexpected finding: %s", describe(f))
		}
	}
}

// Dump lists findings one a line, for failure messages.
func Dump(findings []model.Finding) string {
	var b strings.Builder
	for _, f := range findings {
		b.WriteString("  " + describe(f) + "\n")
	}
	if b.Len() == 0 {
		return "  (no findings)\n"
	}
	return b.String()
}

func describe(f model.Finding) string {
	s := fmt.Sprintf("%s %s %q", f.Severity, f.RuleID, f.Subject)
	if len(f.Indicators) > 0 {
		s += fmt.Sprintf(" %v", f.Indicators)
	}
	if f.Evidence.Path != "" {
		s += " at " + f.Evidence.Path
		if f.Evidence.Line > 0 {
			s += fmt.Sprintf(":%d", f.Evidence.Line)
		}
	}
	return s
}
