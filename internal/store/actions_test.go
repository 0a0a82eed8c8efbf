package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func TestJournal(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	now := t0
	s, err := Open(ctx, filepath.Join(t.TempDir(), "v.db"), Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	who := Actor{User: "root", SudoUser: "alice"}
	id, err := s.BeginAction(ctx, ActionRecord{UID: "u1", Kind: "file.quarantine", Target: "/", Subject: "/tmp/x",
		Params: []byte(`{"path":"/tmp/x"}`), Actor: who})
	if err != nil {
		t.Fatal(err)
	}
	now = t0.Add(time.Hour)
	if _, err := s.BeginAction(ctx, ActionRecord{UID: "u2", Kind: "net.block", Target: "/", Actor: who}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetActionState(ctx, id, ActionApplied, "", who); err != nil {
		t.Fatal(err)
	}
	if err := s.SetActionState(ctx, 99, ActionApplied, "", who); err == nil {
		t.Error("a missing action was updated")
	}
	for _, tc := range []struct {
		q    ActionQuery
		want int
	}{
		{ActionQuery{}, 2},
		{ActionQuery{Since: t0.Add(time.Minute)}, 1},
		{ActionQuery{States: []string{ActionApplying}}, 1},
		{ActionQuery{Kind: "net."}, 1},
		{ActionQuery{Kind: "file.quarantine"}, 1},
		{ActionQuery{Kind: "file."}, 1},
	} {
		got, err := s.Actions(ctx, tc.q)
		if err != nil || len(got) != tc.want {
			t.Errorf("%+v: %d actions (%v), want %d", tc.q, len(got), err, tc.want)
		}
	}
	a, err := s.ActionByID(ctx, id)
	if err != nil || a.State != ActionApplied || string(a.Params) != `{"path":"/tmp/x"}` || a.Actor != who || !a.Created.Equal(t0) {
		t.Fatalf("%+v %v", a, err)
	}
	log, err := s.ActionLog(ctx, id)
	if err != nil || len(log) != 2 || log[1].State != ActionApplied {
		t.Fatalf("log %+v %v", log, err)
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM action_log`); err == nil {
		t.Error("the action log can be deleted")
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM actions`); err == nil {
		t.Error("journal entries can be deleted")
	}
}
