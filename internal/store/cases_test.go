package store

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store/storetest"
)

func TestCases(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	who := Actor{User: "root", SudoUser: "alice"}

	// A scan before any case is attached to none.
	save(t, s, storetest.Result(t0, nil, "accounts"), false)
	if _, ok, err := s.CurrentCase(ctx); ok || err != nil {
		t.Fatalf("no case yet: %v %v", ok, err)
	}
	aware := t0.Add(-3 * time.Hour)
	c, err := s.OpenCase(ctx, "web1 defaced", aware, who)
	if err != nil || c.State != CaseOpen || c.Reference != "IR-1" || !c.Aware.Equal(aware) {
		t.Fatalf("open: %+v %v", c, err)
	}
	if _, err := s.OpenCase(ctx, "second", time.Time{}, who); !errors.Is(err, ErrCaseOpen) {
		t.Fatalf("a second open case: %v", err)
	}
	// Scans and containment actions made now are attached by the store itself.
	run := storetest.Result(t0, []model.Finding{storetest.Finding("accounts.uid0", "/etc/passwd", model.High, "accounts")}, "accounts")
	run.Meta.Operator = "root (sudo: bob)"
	info := save(t, s, run, false)
	if _, err := s.BeginAction(ctx, ActionRecord{UID: "a1", Kind: "net.isolate", Target: "/", Subject: "host", Params: []byte(`{}`), Actor: who}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddCaseEvent(ctx, CaseEvent{CaseID: c.ID, Actor: who.String(), Kind: "note", Step: "trace", Detail: "entry via wp-admin"}); err != nil {
		t.Fatal(err)
	}
	if err := s.CloseCase(ctx, c.ID, who); err != nil {
		t.Fatal(err)
	}
	if err := s.CloseCase(ctx, c.ID, who); !errors.Is(err, ErrNotFound) {
		t.Errorf("closing a closed case: %v", err)
	}
	// After closing, nothing more is attached.
	save(t, s, storetest.Result(t0.Add(time.Hour), nil, "accounts"), false)

	evs, err := s.CaseEvents(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Kind+":"+e.Step+":"+e.Ref)
	}
	want := []string{"opened::", "scan:assess:" + strconv.FormatInt(info.ID, 10), "action:contain:1", "note:trace:", "closed::"}
	if len(kinds) != len(want) {
		t.Fatalf("journal %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Errorf("journal[%d] = %s, want %s", i, kinds[i], want[i])
		}
	}
	if evs[1].Actor != "root (sudo: bob)" {
		t.Errorf("the scan's operator, written by the store: %q", evs[1].Actor)
	}
	if evs[2].Actor != "root (sudo: alice)" {
		t.Errorf("the action's operator: %q", evs[2].Actor)
	}
	got, err := s.CaseByRef(ctx, "ir-1")
	if err != nil || got.State != CaseClosed || got.ClosedBy != who.String() {
		t.Errorf("closed case: %+v %v", got, err)
	}
	if _, err := s.CaseByRef(ctx, "7"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing case: %v", err)
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM case_events`); err == nil {
		t.Error("the case journal must be append-only")
	}
}
