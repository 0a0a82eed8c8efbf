package store

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/suppress"
)

func suppressionFor(rule string) suppress.Suppression {
	return suppress.Suppression{Rule: rule, Reason: "reviewed: " + rule}
}

func TestSuppressionLifecycle(t *testing.T) {
	ctx := context.Background()
	clock := t0
	s, err := Open(ctx, t.TempDir()+"/v.db", Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	alice := Actor{User: "root", SudoUser: "alice"}
	bob := Actor{User: "bob"}

	if _, err := s.AddSuppression(ctx, suppress.Suppression{Rule: "a.b"}, alice); err == nil {
		t.Fatal("a suppression without a reason was accepted")
	}
	keep, err := s.AddSuppression(ctx, suppress.Suppression{Rule: "persistence.shell.*", Path: "/home/**", Reason: "team aliases"}, alice)
	if err != nil {
		t.Fatal(err)
	}
	short, err := s.AddSuppression(ctx, suppress.Suppression{Fingerprint: "0123456789abcdef0123", Reason: "until patch day", Until: t0.Add(24 * time.Hour)}, alice)
	if err != nil {
		t.Fatal(err)
	}
	gone, err := s.AddSuppression(ctx, suppressionFor("web.shell"), bob)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveSuppression(ctx, gone, "", bob); err == nil {
		t.Fatal("removal without a reason accepted")
	}
	if err := s.RemoveSuppression(ctx, gone, "it was a real webshell", bob); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveSuppression(ctx, gone, "again", bob); !errors.Is(err, ErrNotFound) {
		t.Errorf("second removal: %v", err)
	}
	if err := s.RemoveSuppression(ctx, 99, "x", bob); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}

	active, _ := s.Suppressions(ctx, false, bob)
	if ids(active) != "1,2" {
		t.Fatalf("active = %s", ids(active))
	}
	// A day later the short one has expired: it stops applying and the
	// expiry is audited once, however often the list is read.
	clock = t0.Add(25 * time.Hour)
	for i := 0; i < 3; i++ {
		active, _ = s.Suppressions(ctx, false, bob)
	}
	if ids(active) != "1" {
		t.Fatalf("active after expiry = %s", ids(active))
	}
	all, _ := s.Suppressions(ctx, true, bob)
	if ids(all) != "1,2,3" || all[2].RemovedBy != "bob" || all[2].RemovedReason != "it was a real webshell" {
		t.Fatalf("all = %+v", all)
	}
	entries, err := s.Audit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Action+":"+e.Actor.String())
	}
	want := "add:root (sudo: alice),add:root (sudo: alice),add:bob,remove:bob,expire:bob"
	if strings.Join(got, ",") != want {
		t.Fatalf("audit = %s\nwant    %s", strings.Join(got, ","), want)
	}
	last := entries[len(entries)-1]
	if last.SuppressionID != short || !last.At.Equal(clock) || last.Reason != "until patch day" {
		t.Errorf("expiry entry: %+v", last)
	}
	_ = keep
}

func TestImportSkipsDuplicatesAndExpired(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	who := Actor{User: "root", SudoUser: "alice"}
	if _, err := s.AddSuppression(ctx, suppressionFor("a.b"), who); err != nil {
		t.Fatal(err)
	}
	list := []suppress.Suppression{
		suppressionFor("a.b"), // already there
		{Rule: "c.d", Path: "/srv/**", Reason: "vendor agent", CreatedBy: "carol"},
		{Rule: "e.f", Reason: "old", Until: t0.Add(-time.Hour)}, // expired
	}
	added, skipped, err := s.ImportSuppressions(ctx, list, "team.yaml", who)
	if err != nil || added != 1 || skipped != 2 {
		t.Fatalf("import: added %d skipped %d err %v", added, skipped, err)
	}
	// Importing the same file again changes nothing.
	if added, _, _ := s.ImportSuppressions(ctx, list, "team.yaml", who); added != 0 {
		t.Fatalf("second import added %d", added)
	}
	all, _ := s.Suppressions(ctx, true, who)
	if len(all) != 2 || !strings.Contains(all[1].CreatedBy, "carol") {
		t.Fatalf("suppressions: %+v", all)
	}
	entries, _ := s.Audit(ctx)
	if len(entries) != 2 || entries[1].Action != ActionImport || !strings.Contains(entries[1].Detail, "team.yaml") {
		t.Fatalf("audit: %+v", entries)
	}
	// An invalid entry rejects the whole import.
	if _, _, err := s.ImportSuppressions(ctx, []suppress.Suppression{{Rule: "x.y", Reason: "ok"}, {Rule: "z"}}, "bad.yaml", who); err == nil {
		t.Fatal("import with an invalid entry accepted")
	}
	if all2, _ := s.Suppressions(ctx, true, who); len(all2) != 2 {
		t.Fatal("a rejected import added entries")
	}
}

func ids(list []suppress.Suppression) string {
	var out []string
	for _, s := range list {
		out = append(out, strconv.FormatInt(s.ID, 10))
	}
	return strings.Join(out, ",")
}
