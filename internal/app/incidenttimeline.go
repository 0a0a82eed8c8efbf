package app

import (
	"context"

	"github.com/vigil-ir/vigil/internal/incident"
	"github.com/vigil-ir/vigil/internal/logs/timeline"
	"github.com/vigil-ir/vigil/internal/store"
)

// RecordTimeline keeps timeline tl of target (as the reader names it)
// with the incident case open in st, if any: a journal line (step: trace
// and clean) with the time, the operator and what was kept and left out,
// and at most incident.CaseTimelineMax of its entries, chosen for the
// report (incident.SelectTimeline). It returns the case's reference and
// the run, ref "" when no case is open. It is called by the command,
// after the timeline is built: the log parsers know nothing of cases.
func RecordTimeline(ctx context.Context, st store.Store, tl *timeline.Timeline, target string, who store.Actor) (string, incident.TimelineRun, error) {
	cs, ok := st.(store.Cases)
	ct, ok2 := st.(store.CaseTimelines)
	if !ok || !ok2 {
		return "", incident.TimelineRun{}, nil
	}
	c, open, err := cs.CurrentCase(ctx)
	if err != nil || !open {
		return "", incident.TimelineRun{}, err
	}
	kept, run := incident.SelectTimeline(tl, incident.CaseTimelineMax)
	run.Target = target
	_, err = ct.AddCaseTimeline(ctx, store.CaseEvent{CaseID: c.ID, Actor: who.String(), Kind: incident.KindTimeline, Step: incident.StepTrace,
		Ref: target, Detail: run.Detail()}, incident.StoreEntries(kept))
	return c.Reference, run, err
}

// caseTimeline is the timeline kept with case id, as report lines.
func caseTimeline(ctx context.Context, st store.Store, id int64) ([]incident.Entry, error) {
	ct, ok := st.(store.CaseTimelines)
	if !ok {
		return nil, nil
	}
	xs, err := ct.CaseTimeline(ctx, id)
	return incident.FromStore(xs), err
}
