package incident

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/store"
)

func TestChecklist(t *testing.T) {
	evs := []store.CaseEvent{
		{Kind: KindOpened},
		{Kind: KindScan, Ref: "3"},
		{Kind: KindEvidence, Ref: "/media/ir/a.tar.zst"},
		{Kind: KindAction, Ref: "1"},
		{Kind: KindNote, Detail: "just a thought"},
		{Kind: KindNote, Step: StepHarden, Detail: "sshd: no passwords"},
		{Kind: KindClosed},
	}
	got := map[string]int{}
	for _, s := range Checklist(evs) {
		got[s.Step] = len(s.What)
		if s.Done != (len(s.What) > 0) {
			t.Errorf("%s: done %v with %d entries", s.Step, s.Done, len(s.What))
		}
	}
	want := map[string]int{StepContain: 1, StepAssess: 2, StepFix: 0, StepTrace: 0, StepHarden: 1, StepReport: 0}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %d entries, want %d", k, got[k], v)
		}
	}
	if !ValidStep("trace") || ValidStep("dance") {
		t.Error("ValidStep")
	}
}
