package store

import (
	"context"
	"testing"
	"time"
)

func TestCaseTimeline(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	c, err := s.OpenCase(ctx, "web1", time.Time{}, Actor{User: "root"})
	if err != nil {
		t.Fatal(err)
	}
	login := CaseTimelineEntry{At: t0, Kind: "log", Text: "auth.login actor=www-data", Actor: "www-data", Ref: "/var/log/auth.log:7"}
	brute := CaseTimelineEntry{At: t0.Add(-time.Minute), Kind: "finding", Severity: "high", Text: "brute force", Ref: "/var/log/auth.log:5",
		Stage: "brute force on sshd", Suspicious: true}
	run1, err := s.AddCaseTimeline(ctx, CaseEvent{CaseID: c.ID, Actor: "root", Kind: "timeline", Step: "trace", Ref: "/"}, []CaseTimelineEntry{login, brute})
	if err != nil {
		t.Fatal(err)
	}
	// A second run over the same logs sees the login as a step of the path.
	login2 := login
	login2.Stage, login2.Suspicious = "login", true
	later := CaseTimelineEntry{At: t0.Add(time.Hour), Kind: "process", Text: "pid 7 /tmp/x", Ref: "/tmp/x"}
	run2, err := s.AddCaseTimeline(ctx, CaseEvent{CaseID: c.ID, Actor: "root", Kind: "timeline", Step: "trace", Ref: "/"}, []CaseTimelineEntry{login2, later})
	if err != nil || run2 == run1 {
		t.Fatalf("second run: %d %v", run2, err)
	}
	got, err := s.CaseTimeline(ctx, c.ID)
	if err != nil || len(got) != 3 {
		t.Fatalf("case timeline: %+v %v", got, err)
	}
	if got[0].Text != "brute force" || got[1].Stage != "login" || !got[1].Suspicious || got[1].Run != run1 || got[2].Run != run2 {
		t.Errorf("kept once, in time order, with the later run's stage: %+v", got)
	}
	evs, _ := s.CaseEvents(ctx, c.ID)
	if n := len(evs); n != 3 || evs[1].ID != run1 || evs[2].Kind != "timeline" {
		t.Errorf("journal: %+v", evs)
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM case_timeline`); err == nil {
		t.Error("the case timeline must not be deleted")
	}
}
