package kpi

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/vuln/advisory"
)

var (
	from = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	to   = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	now  = time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
)

func rec(id int64, sev model.Severity, state store.VulnStateName, first, fixed, due time.Time) store.VulnRecord {
	return store.VulnRecord{ID: id, TargetKey: "live|m", VulnID: fmt.Sprintf("CVE-2099-%d", id), Package: "p", Severity: sev,
		State: state, FirstSeen: first, FixedAt: fixed, Due: due}
}

func day(d int) time.Time { return from.AddDate(0, 0, d) }

func records() []store.VulnRecord {
	acc := rec(6, model.High, store.VulnRiskAccepted, day(1), time.Time{}, day(91))
	acc.Reason, acc.Who, acc.Until = "compensating control", "root", day(60)
	return []store.VulnRecord{
		rec(1, model.Critical, store.VulnFixed, day(0), day(2), day(3)),     // on time, 48 h
		rec(2, model.Critical, store.VulnFixed, day(0), day(10), day(3)),    // late, 240 h
		rec(3, model.High, store.VulnFixed, day(-40), day(-5), day(50)),     // fixed last month: not counted
		rec(4, model.Critical, store.VulnOpen, day(5), time.Time{}, day(8)), // overdue at the end of the month
		rec(5, model.Medium, store.VulnOpen, day(-100), time.Time{}, day(-10)),
		acc,
		rec(7, model.Low, store.VulnFalsePositive, day(3), time.Time{}, time.Time{}),
		rec(8, model.High, store.VulnOpen, day(40), time.Time{}, day(130)), // after the month: ignored
	}
}

func TestCompute(t *testing.T) {
	r := Compute(records(), nil, from, to, now)
	crit := r.Severities[0]
	if crit.Severity != "critical" || crit.Fixed != 2 || crit.FixedOnTime != 1 || crit.OnTimeRate != 0.5 || crit.MTTRHours != 144 || crit.Open != 1 || crit.Overdue != 1 {
		t.Errorf("critical %+v", crit)
	}
	if r.Total.Fixed != 2 || r.Total.Open != 2 || r.Total.Overdue != 2 || r.Total.RiskAccepted != 1 {
		t.Errorf("total %+v", r.Total)
	}
	// ages at the end of November: 25 days (8-30 bucket) and 130 days (91-180)
	if r.Total.OpenByAge[1] != 1 || r.Total.OpenByAge[3] != 1 {
		t.Errorf("age buckets %v", r.Total.OpenByAge)
	}
	if len(r.Overdue) != 2 || r.Overdue[0].ID != 5 || r.Overdue[0].DaysLate != 40 {
		t.Errorf("overdue %+v", r.Overdue)
	}
	if len(r.Accepted) != 1 || r.Accepted[0].Reason != "compensating control" || r.FalsePos != 1 {
		t.Errorf("accepted %+v, false positives %d", r.Accepted, r.FalsePos)
	}
}

func TestHTMLSelfContained(t *testing.T) {
	r := Compute(records(), []advisory.SourceInfo{{Name: "debian-tracker", Records: 9, DataDate: now}}, from, to, now)
	r.Accepted[0].Reason = `<script>alert(1)</script>`
	var b bytes.Buffer
	tr := func(id string, args ...any) string { return id + fmt.Sprint(args...) }
	if err := HTML(&b, r, "zh-CN", tr, strings.ToUpper); err != nil {
		t.Fatal(err)
	}
	h := b.String()
	for _, bad := range []string{"<script", "src=", "href=", "@import", "url("} {
		if strings.Contains(h, bad) {
			t.Errorf("the page holds %q: not self-contained or not escaped", bad)
		}
	}
	for _, want := range []string{"<svg", "CVE-2099-5", "debian-tracker", `lang="zh-CN"`, "&lt;script&gt;"} {
		if !strings.Contains(h, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}
