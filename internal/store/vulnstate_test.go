package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

func TestVulnLifecycle(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	clock := t0
	s.now = func() time.Time { return clock }
	due := func(sev model.Severity, first time.Time) time.Time {
		if sev == model.Critical {
			return first.Add(72 * time.Hour)
		}
		return first.AddDate(0, 0, 90)
	}
	who := Actor{User: "root", SudoUser: "alice"}
	a := VulnObservation{Key: "openssl CVE-2099-1", VulnID: "CVE-2099-1", Package: "openssl", Severity: model.Critical, Status: "fixed", Fixed: "2", Installed: "1"}
	b := VulnObservation{Key: "glibc CVE-2099-2", VulnID: "CVE-2099-2", Package: "glibc", Severity: model.High, Status: "no-fix", Installed: "1"}
	c := VulnObservation{Key: "bash CVE-2099-3", VulnID: "CVE-2099-3", Package: "bash", Severity: model.Low, Status: "no-fix", Installed: "1"}
	recs, err := s.RecordVulns(ctx, "live|m", []VulnObservation{a, b, c}, nil, due, who)
	if err != nil || len(recs) != 3 {
		t.Fatalf("%+v %v", recs, err)
	}
	if recs[0].State != VulnOpen || !recs[0].Due.Equal(t0.Add(72*time.Hour)) || !recs[0].FirstSeen.Equal(t0) {
		t.Errorf("new row %+v", recs[0])
	}
	// Accept b, mark c a false positive.
	if _, err := s.SetVulnState(ctx, "CVE-2099-2", VulnRiskAccepted, "compensating control", t0.Add(10*24*time.Hour), who); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetVulnState(ctx, "3", VulnFalsePositive, "not used", time.Time{}, who); err != nil {
		t.Fatal(err)
	}
	// A rescan 5 days later without a: fixed, dated; first seen kept;
	// c's package not judged (keep): left as it is although not found.
	clock = t0.Add(5 * 24 * time.Hour)
	recs, err = s.RecordVulns(ctx, "live|m", []VulnObservation{b}, map[string]bool{"bash": true}, due, who)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]VulnRecord{}
	for _, r := range recs {
		got[r.Package] = r
	}
	if r := got["openssl"]; r.State != VulnFixed || !r.FixedAt.Equal(clock) || !r.FirstSeen.Equal(t0) {
		t.Errorf("fixed row %+v", r)
	}
	if r := got["glibc"]; r.State != VulnRiskAccepted || r.Reason != "compensating control" || !r.FirstSeen.Equal(t0) || !r.LastSeen.Equal(clock) {
		t.Errorf("accepted row %+v", r)
	}
	if r := got["bash"]; r.State != VulnFalsePositive || r.Who != "root (sudo: alice)" {
		t.Errorf("false positive row %+v", r)
	}
	// 20 days later: a is back (reopened), b's acceptance expired.
	clock = t0.Add(20 * 24 * time.Hour)
	recs, _ = s.RecordVulns(ctx, "live|m", []VulnObservation{a, b}, map[string]bool{"bash": true}, due, who)
	for _, r := range recs {
		got[r.Package] = r
	}
	if r := got["openssl"]; r.State != VulnOpen || !r.FirstSeen.Equal(t0) || !r.FixedAt.IsZero() || !r.Overdue(clock) {
		t.Errorf("reopened row %+v", r)
	}
	if r := got["glibc"]; r.State != VulnOpen {
		t.Errorf("expired acceptance %+v", r)
	}
	audit, err := s.VulnAudit(ctx, 0)
	if err != nil || len(audit) != 3+2+1+2 {
		t.Fatalf("audit %d entries %v: %+v", len(audit), err, audit)
	}
	if _, err := s.db.Exec(`DELETE FROM vuln_audit`); err == nil {
		t.Error("the audit trail could be deleted")
	}
	// An id of rows on two targets is ambiguous.
	s.RecordVulns(ctx, "root:/mnt|m", []VulnObservation{a}, nil, due, who)
	if _, err := s.SetVulnState(ctx, "CVE-2099-1", VulnInProgress, "x", time.Time{}, who); !errors.Is(err, ErrAmbiguous) {
		t.Errorf("ambiguous: %v", err)
	}
	if _, err := s.SetVulnState(ctx, "CVE-2099-404", VulnInProgress, "x", time.Time{}, who); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown: %v", err)
	}
}
