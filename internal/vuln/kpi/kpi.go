// Package kpi computes the monthly vulnerability KPIs from the lifecycle
// rows (store.VulnRecord) and renders them as JSON and as one
// self-contained HTML page (inline SVG charts, no script, no network).
package kpi

import (
	"sort"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/vuln/advisory"
)

// Buckets are the open-vulnerability age buckets, in days (upper bounds;
// the last is open-ended).
var Buckets = []int{7, 30, 90, 180}

// SeverityKPI is one severity's numbers.
type SeverityKPI struct {
	Severity     string  `json:"severity"`
	Fixed        int     `json:"fixed"`         // fixed in the period
	FixedOnTime  int     `json:"fixed_on_time"` // of those, by their due date
	OnTimeRate   float64 `json:"on_time_rate"`  // FixedOnTime / Fixed (0..1; 0 when none fixed)
	MTTRHours    float64 `json:"mttr_hours"`    // mean first seen -> fixed, of those fixed in the period
	Open         int     `json:"open"`          // open or in progress at the end of the period
	Overdue      int     `json:"overdue"`
	OpenByAge    []int   `json:"open_by_age"` // counts per Buckets (+ one for older)
	RiskAccepted int     `json:"risk_accepted"`
}

// Item is one row of a list (overdue, accepted).
type Item struct {
	ID        int64     `json:"id"`
	Target    string    `json:"target"`
	Vuln      string    `json:"vulnerability"`
	Package   string    `json:"package"`
	Severity  string    `json:"severity"`
	FirstSeen time.Time `json:"first_seen"`
	Due       time.Time `json:"due,omitzero"`
	DaysLate  int       `json:"days_overdue,omitempty"`
	KEV       bool      `json:"kev,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Who       string    `json:"who,omitempty"`
	Until     time.Time `json:"until,omitzero"`
}

// Report is the monthly KPI report.
type Report struct {
	From       time.Time             `json:"from"`
	To         time.Time             `json:"to"`
	Generated  time.Time             `json:"generated"`
	Targets    []string              `json:"targets"`
	Sources    []advisory.SourceInfo `json:"sources"`
	Total      SeverityKPI           `json:"total"`
	Severities []SeverityKPI         `json:"by_severity"` // critical first
	Overdue    []Item                `json:"overdue"`
	Accepted   []Item                `json:"risk_accepted"`
	FalsePos   int                   `json:"false_positives"`
}

// Month returns the first instant of the month of t and of the next one
// (in t's location).
func Month(t time.Time) (from, to time.Time) {
	from = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
	return from, from.AddDate(0, 1, 0)
}

// Compute makes the report of [from, to) from the lifecycle rows, judged
// at now (the end of the period when it is over).
func Compute(recs []store.VulnRecord, sources []advisory.SourceInfo, from, to, now time.Time) Report {
	at := now
	if to.Before(now) {
		at = to
	}
	r := Report{From: from, To: to, Generated: now, Sources: sources, Overdue: []Item{}, Accepted: []Item{}, Targets: []string{}}
	by := map[model.Severity]*SeverityKPI{}
	var sevs []model.Severity
	for s := model.Critical; s >= model.Low; s-- {
		by[s] = &SeverityKPI{Severity: s.String(), OpenByAge: make([]int, len(Buckets)+1)}
		sevs = append(sevs, s)
	}
	total := &SeverityKPI{Severity: "all", OpenByAge: make([]int, len(Buckets)+1)}
	mttr := map[*SeverityKPI]time.Duration{}
	targets := map[string]bool{}
	for _, v := range recs {
		if v.FirstSeen.After(at) {
			continue // not known yet at the end of the period
		}
		targets[v.TargetKey] = true
		k := by[v.Severity]
		if k == nil {
			k = by[model.Low]
		}
		for _, x := range []*SeverityKPI{k, total} {
			switch {
			case v.State == store.VulnFixed && !v.FixedAt.Before(from) && v.FixedAt.Before(to):
				x.Fixed++
				if v.Due.IsZero() || !v.FixedAt.After(v.Due) {
					x.FixedOnTime++
				}
				mttr[x] += v.FixedAt.Sub(v.FirstSeen)
			case v.State == store.VulnOpen || v.State == store.VulnInProgress:
				x.Open++
				x.OpenByAge[bucket(at.Sub(v.FirstSeen))]++
				if v.Overdue(at) {
					x.Overdue++
				}
			case v.State == store.VulnRiskAccepted:
				x.RiskAccepted++
			}
		}
		it := Item{ID: v.ID, Target: v.TargetKey, Vuln: v.VulnID, Package: v.Package, Severity: v.Severity.String(), FirstSeen: v.FirstSeen,
			Due: v.Due, KEV: v.KEV, Reason: v.Reason, Who: v.Who, Until: v.Until}
		switch {
		case v.Overdue(at):
			it.DaysLate = int(at.Sub(v.Due).Hours() / 24)
			r.Overdue = append(r.Overdue, it)
		case v.State == store.VulnRiskAccepted:
			r.Accepted = append(r.Accepted, it)
		case v.State == store.VulnFalsePositive:
			r.FalsePos++
		}
	}
	for _, x := range append([]*SeverityKPI{total}, mapValues(by, sevs)...) {
		if x.Fixed > 0 {
			x.OnTimeRate = float64(x.FixedOnTime) / float64(x.Fixed)
			x.MTTRHours = mttr[x].Hours() / float64(x.Fixed)
		}
	}
	r.Total = *total
	for _, s := range sevs {
		r.Severities = append(r.Severities, *by[s])
	}
	for t := range targets {
		r.Targets = append(r.Targets, t)
	}
	sort.Strings(r.Targets)
	sort.Slice(r.Overdue, func(i, j int) bool { return r.Overdue[i].DaysLate > r.Overdue[j].DaysLate })
	sort.Slice(r.Accepted, func(i, j int) bool { return r.Accepted[i].Until.Before(r.Accepted[j].Until) })
	return r
}

func mapValues(m map[model.Severity]*SeverityKPI, order []model.Severity) []*SeverityKPI {
	out := make([]*SeverityKPI, 0, len(order))
	for _, s := range order {
		out = append(out, m[s])
	}
	return out
}

func bucket(age time.Duration) int {
	days := int(age.Hours() / 24)
	for i, b := range Buckets {
		if days <= b {
			return i
		}
	}
	return len(Buckets)
}
