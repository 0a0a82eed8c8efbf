package incident

import "github.com/vigil-ir/vigil/internal/store"

// The playbook of the seeds, in order: each step of a case shows what was
// done and what is still open.
const (
	StepContain = "contain" // isolate, kill, lock, quarantine
	StepAssess  = "assess"  // assess and back up: scans, evidence, images
	StepFix     = "fix"     // fix and verify
	StepTrace   = "trace"   // trace the entry and clean
	StepHarden  = "harden"
	StepReport  = "report"
)

// Steps lists the playbook in order.
var Steps = []string{StepContain, StepAssess, StepFix, StepTrace, StepHarden, StepReport}

// ValidStep reports whether s names a step of the playbook.
func ValidStep(s string) bool {
	for _, x := range Steps {
		if x == s {
			return true
		}
	}
	return false
}

// Event kinds of a case journal.
const (
	KindOpened   = "opened"
	KindNote     = "note"
	KindScan     = "scan"
	KindAction   = "action"
	KindEvidence = "evidence"
	KindImage    = "image"
	KindReport   = "report"
	KindClosed   = "closed"
)

// StepOf is the playbook step a journal line counts for: its own step, or
// the step its kind belongs to.
func StepOf(e store.CaseEvent) string {
	if e.Step != "" {
		return e.Step
	}
	switch e.Kind {
	case KindScan, KindEvidence, KindImage:
		return StepAssess
	case KindAction:
		return StepContain
	case KindReport:
		return StepReport
	case KindTimeline:
		return StepTrace
	}
	return ""
}

// StepStatus is one step of the checklist.
type StepStatus struct {
	Step string            `json:"step"`
	Done bool              `json:"done"`
	What []store.CaseEvent `json:"what"` // what was recorded for it
}

// Checklist judges a case's journal against the playbook.
func Checklist(events []store.CaseEvent) []StepStatus {
	out := make([]StepStatus, len(Steps))
	idx := map[string]int{}
	for i, s := range Steps {
		out[i] = StepStatus{Step: s, What: []store.CaseEvent{}}
		idx[s] = i
	}
	for _, e := range events {
		if i, ok := idx[StepOf(e)]; ok {
			out[i].What = append(out[i].What, e)
			out[i].Done = true
		}
	}
	return out
}
