package model

import (
	"fmt"
	"strings"
)

// Severity grades how much harm a finding points to. The zero value is Info.
type Severity int

// Severities, lowest first. Their numeric values order them; their text
// forms are the stable enum values used in JSON and the store.
const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

// Severities lists every severity, lowest first.
func Severities() []Severity { return []Severity{Info, Low, Medium, High, Critical} }

func (s Severity) String() string {
	if s < Info || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity reads a severity name (case-insensitive). "none" parses to a
// value above Critical, so that "--fail-on none" never fails.
func ParseSeverity(s string) (Severity, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, n := range severityNames {
		if n == s {
			return Severity(i), nil
		}
	}
	if s == "none" || s == "never" {
		return Critical + 1, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want info, low, medium, high, critical or none)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Confidence says how sure a detector is that a finding is what its rule
// describes. It never says "infected": it grades.
type Confidence int

// Confidence levels.
const (
	ConfLow Confidence = iota
	ConfMedium
	ConfHigh
)

var confidenceNames = [...]string{"low", "medium", "high"}

func (c Confidence) String() string {
	if c < ConfLow || c > ConfHigh {
		return fmt.Sprintf("confidence(%d)", int(c))
	}
	return confidenceNames[c]
}

// ParseConfidence reads a confidence name.
func ParseConfidence(s string) (Confidence, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, n := range confidenceNames {
		if n == s {
			return Confidence(i), nil
		}
	}
	return 0, fmt.Errorf("unknown confidence %q (want low, medium or high)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (c Confidence) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Confidence) UnmarshalText(b []byte) error {
	v, err := ParseConfidence(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}
