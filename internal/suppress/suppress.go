package suppress

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
)

// Suppression marks findings as known. Exactly one of Fingerprint and Rule
// is set; Path narrows a Rule (or a Fingerprint) to evidence paths.
type Suppression struct {
	ID          int64     `json:"id"`
	Fingerprint string    `json:"fingerprint,omitempty"`
	Rule        string    `json:"rule,omitempty"` // rule id or rule glob
	Path        string    `json:"path,omitempty"` // path glob on the evidence path (the subject when there is no path)
	Reason      string    `json:"reason"`
	Until       time.Time `json:"until,omitzero"` // zero: never expires
	Created     time.Time `json:"created"`
	CreatedBy   string    `json:"created_by"`
	// Removed is set when the suppression was withdrawn (it is kept for
	// the record, never deleted).
	Removed       time.Time `json:"removed,omitzero"`
	RemovedBy     string    `json:"removed_by,omitempty"`
	RemovedReason string    `json:"removed_reason,omitempty"`
}

var fingerprintRE = lazyre.New(`^[0-9a-f]{20}$`)

// IsFingerprint reports whether s has the form of a finding fingerprint.
func IsFingerprint(s string) bool { return fingerprintRE.MatchString(s) }

// Validate checks that the suppression can be applied: a reason, one
// target, well-formed patterns.
func (s *Suppression) Validate() error {
	if strings.TrimSpace(s.Reason) == "" {
		return errors.New("a reason is required (it is kept for the audit trail)")
	}
	switch {
	case s.Fingerprint != "" && s.Rule != "":
		return errors.New("name a fingerprint or a rule, not both")
	case s.Fingerprint == "" && s.Rule == "":
		return errors.New("name a fingerprint or a rule")
	case s.Fingerprint != "" && !IsFingerprint(s.Fingerprint):
		return fmt.Errorf("%q is not a fingerprint (20 lower-case hex digits)", s.Fingerprint)
	}
	if s.Rule != "" {
		if _, err := CompileRule(s.Rule); err != nil {
			return fmt.Errorf("rule: %w", err)
		}
	}
	if s.Path != "" {
		if _, err := CompilePath(s.Path); err != nil {
			return fmt.Errorf("path: %w", err)
		}
	}
	return nil
}

// Broad reports whether s matches every finding of some rules wherever it
// is: a rule glob ("*", "integrity.*") with no path, or a path glob that
// matches every path. Such a suppression can hide a new intrusion as
// easily as a false alarm, so adding one asks for --force.
func (s *Suppression) Broad() bool {
	if s.Fingerprint != "" {
		return false
	}
	everywhere := s.Path == "" || strings.Trim(s.Path, "/*") == ""
	return everywhere && strings.ContainsAny(s.Rule, "*?[")
}

// State is what a suppression is doing at a moment.
type State string

// States.
const (
	Active  State = "active"
	Expired State = "expired"
	Removed State = "removed"
)

// StateAt returns the suppression's state at now.
func (s *Suppression) StateAt(now time.Time) State {
	switch {
	case !s.Removed.IsZero():
		return Removed
	case !s.Until.IsZero() && !now.Before(s.Until):
		return Expired
	}
	return Active
}

// Describe is a one-line, language-neutral description of what the
// suppression matches, for lists and the audit trail.
func (s *Suppression) Describe() string {
	var parts []string
	if s.Fingerprint != "" {
		parts = append(parts, "fingerprint "+s.Fingerprint)
	}
	if s.Rule != "" {
		parts = append(parts, "rule "+s.Rule)
	}
	if s.Path != "" {
		parts = append(parts, "path "+s.Path)
	}
	if !s.Until.IsZero() {
		parts = append(parts, "until "+s.Until.Format(time.RFC3339))
	}
	return strings.Join(parts, ", ")
}

// SameScope reports whether two suppressions match the same findings until
// the same time (an import skips those already present).
func (s *Suppression) SameScope(o *Suppression) bool {
	return s.Fingerprint == o.Fingerprint && s.Rule == o.Rule && s.Path == o.Path && s.Until.Equal(o.Until)
}

type compiled struct {
	s    Suppression
	rule *Glob
	path *Glob
}

// Set matches findings against suppressions at the time its clock says.
type Set struct {
	list []compiled
	now  func() time.Time
}

// NewSet compiles list. now is the clock used to decide expiry (time.Now
// when nil). Invalid suppressions are returned as an error and left out; the
// others still apply.
func NewSet(list []Suppression, now func() time.Time) (*Set, error) {
	if now == nil {
		now = time.Now
	}
	set := &Set{now: now}
	var errs []error
	for _, s := range list {
		c := compiled{s: s}
		var err error
		if s.Rule != "" {
			if c.rule, err = CompileRule(s.Rule); err != nil {
				errs = append(errs, fmt.Errorf("suppression %d: %w", s.ID, err))
				continue
			}
		}
		if s.Path != "" {
			if c.path, err = CompilePath(s.Path); err != nil {
				errs = append(errs, fmt.Errorf("suppression %d: %w", s.ID, err))
				continue
			}
		}
		set.list = append(set.list, c)
	}
	return set, errors.Join(errs...)
}

// Len is the number of suppressions in the set (whatever their state).
func (set *Set) Len() int {
	if set == nil {
		return 0
	}
	return len(set.list)
}

// Match returns the first suppression active now that matches f.
func (set *Set) Match(f *model.Finding) (*Suppression, bool) {
	if set == nil || len(set.list) == 0 {
		return nil, false
	}
	now := set.now()
	for i := range set.list {
		c := &set.list[i]
		if c.s.StateAt(now) != Active {
			continue
		}
		if c.s.Fingerprint != "" && c.s.Fingerprint != f.Fingerprint {
			continue
		}
		if c.rule != nil && !c.rule.Match(f.RuleID) {
			continue
		}
		if c.path != nil {
			p := f.Evidence.Path
			if p == "" {
				p = f.Subject
			}
			if !c.path.Match(p) {
				continue
			}
		}
		return &c.s, true
	}
	return nil, false
}

// ParseUntil reads an expiry: RFC 3339, a date YYYY-MM-DD (the suppression
// lasts to the end of that day in loc), or a duration from now ("30d",
// "12h"). The result must lie after now.
func ParseUntil(s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if loc == nil {
		loc = time.Local
	}
	var t time.Time
	if v, err := time.Parse(time.RFC3339, s); err == nil {
		t = v
	} else if v, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		t = v.AddDate(0, 0, 1)
	} else if n, err := strconv.Atoi(strings.TrimSuffix(s, "d")); err == nil && strings.HasSuffix(s, "d") && n > 0 {
		t = now.AddDate(0, 0, n)
	} else if d, err := time.ParseDuration(s); err == nil && d > 0 {
		t = now.Add(d)
	} else {
		return time.Time{}, fmt.Errorf("cannot read %q as a date (2026-12-31), a time (2026-12-31T18:00:00+08:00) or a duration (30d, 12h)", s)
	}
	if !t.After(now) {
		return time.Time{}, fmt.Errorf("%q is already past", s)
	}
	return t.UTC(), nil
}
