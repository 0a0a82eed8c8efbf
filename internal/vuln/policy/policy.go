// Package policy is the remediation policy of vulnerabilities: how long
// each severity may stay open (the SLA) and so each one's due date.
package policy

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

// SLA is the time allowed to fix a vulnerability, per severity; a severity
// without an entry (or 0) has no due date.
type SLA map[model.Severity]time.Duration

// Default is the seeds' policy: critical within 72 hours; high and medium
// within 90 days (PCI-DSS style); low within 180 days.
func Default() SLA {
	return SLA{model.Critical: 72 * time.Hour, model.High: 90 * 24 * time.Hour, model.Medium: 90 * 24 * time.Hour, model.Low: 180 * 24 * time.Hour}
}

// Due is the due date of a vulnerability of severity sev first seen at
// first; zero when the policy sets none.
func (s SLA) Due(sev model.Severity, first time.Time) time.Time {
	d := s[sev]
	if d <= 0 || first.IsZero() {
		return time.Time{}
	}
	return first.Add(d)
}

// Parse reads "critical=72h,high=30d": the given severities override the
// defaults ("low=0": no due date).
func Parse(spec string) (SLA, error) {
	s := Default()
	if strings.TrimSpace(spec) == "" {
		return s, nil
	}
	for _, part := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("SLA %q: want severity=duration (critical=72h,high=30d)", part)
		}
		sev, err := model.ParseSeverity(k)
		if err != nil || sev > model.Critical {
			return nil, fmt.Errorf("SLA %q: unknown severity %q", part, k)
		}
		d, err := duration(v)
		if err != nil {
			return nil, fmt.Errorf("SLA %q: %v", part, err)
		}
		s[sev] = d
	}
	return s, nil
}

// duration reads a Go duration or whole days ("90d").
func duration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if n, ok := strings.CutSuffix(v, "d"); ok {
		if d, err := strconv.Atoi(n); err == nil && d >= 0 {
			return time.Duration(d) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("cannot read %q as a duration (72h, 90d)", v)
	}
	return d, nil
}

// String renders the policy as Parse reads it.
func (s SLA) String() string {
	var parts []string
	for sev := model.Critical; sev >= model.Low; sev-- {
		d := s[sev]
		if d%(24*time.Hour) == 0 && d >= 48*time.Hour {
			parts = append(parts, fmt.Sprintf("%s=%dd", sev, d/(24*time.Hour)))
		} else {
			parts = append(parts, fmt.Sprintf("%s=%s", sev, d))
		}
	}
	return strings.Join(parts, ",")
}
