package incident

import (
	"cmp"
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/logs/timeline"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// KindTimeline is the journal line of a `vigil timeline` run made while
// the case was open (playbook step: trace and clean).
const KindTimeline = "timeline"

// CaseTimelineMax bounds the entries one timeline run keeps with a case:
// a multi-gigabyte log's timeline must not grow the store without bound.
const CaseTimelineMax = 1000

// maxEntryText bounds the text of one kept entry (a raw log line can be a
// megabyte long).
const maxEntryText = 2048

// contextWindow is how near in time to a suspicious entry another entry
// counts as its context (the events that explain it).
const contextWindow = 15 * time.Minute

// TimelineRun is what a timeline run kept with the case and what it left
// out; it is the detail of the run's journal line (JSON).
type TimelineRun struct {
	Target     string `json:"target"`
	Entries    int    `json:"entries"`    // in the timeline, after its own cap
	Kept       int    `json:"kept"`       // kept with the case
	Suspicious int    `json:"suspicious"` // of those kept
	// Left counts what was left out, by kind (log, finding, process,
	// file); Capped the log events the timeline itself dropped at --max.
	Left   map[string]int `json:"left,omitempty"`
	Capped int            `json:"capped,omitempty"`
	// Stages is the attack path the run saw, stage ids in order.
	Stages []string `json:"attack_path,omitempty"`
}

// SelectTimeline chooses what of tl a case keeps, at most max entries, in
// the order a responder needs them: the entries that show a stage of the
// attack path, the suspicious ones, the context within 15 minutes of a
// suspicious entry, then the others from the earliest. The stored scans'
// findings (source "scan") are left out unless they show a stage: the
// report has them from the case's scans. The result is in time order.
func SelectTimeline(tl *timeline.Timeline, max int) ([]Entry, TimelineRun) {
	run := TimelineRun{Entries: len(tl.Entries), Left: map[string]int{}, Capped: tl.Dropped}
	stage := map[int]string{}
	for _, s := range tl.Path {
		stage[s.Entry] = s.Stage
		run.Stages = append(run.Stages, s.Stage)
	}
	var sus []time.Time
	for _, te := range tl.Entries {
		if te.Suspicious {
			sus = append(sus, te.Time)
		}
	}
	slices.SortFunc(sus, func(a, b time.Time) int { return a.Compare(b) })
	near := func(t time.Time) bool {
		i := sort.Search(len(sus), func(i int) bool { return !sus[i].Before(t.Add(-contextWindow)) })
		return i < len(sus) && !sus[i].After(t.Add(contextWindow))
	}
	type ranked struct {
		e    Entry
		rank int
	}
	var all []ranked
	for _, te := range tl.Entries {
		st := stage[te.ID]
		if te.Source == "scan" && st == "" {
			run.Entries--
			continue
		}
		e := fromTimeline(te)
		e.Stage, e.Suspicious = st, te.Suspicious
		rank := 3
		switch {
		case st != "":
			rank = 0
		case te.Suspicious:
			rank = 1
		case near(te.Time):
			rank = 2
		}
		all = append(all, ranked{e, rank})
	}
	slices.SortStableFunc(all, func(a, b ranked) int { return cmp.Or(cmp.Compare(a.rank, b.rank), a.e.At.Compare(b.e.At)) })
	var kept []Entry
	for i, r := range all {
		if i >= max {
			run.Left[r.e.Kind]++
			continue
		}
		r.e.Text = textclip.Clip(r.e.Text, maxEntryText)
		kept = append(kept, r.e)
		if r.e.Suspicious {
			run.Suspicious++
		}
	}
	run.Kept = len(kept)
	if len(run.Left) == 0 {
		run.Left = nil
	}
	slices.SortStableFunc(kept, func(a, b Entry) int { return a.At.Compare(b.At) })
	return kept, run
}

// StoreEntries are the entries as the store keeps them.
func StoreEntries(es []Entry) []store.CaseTimelineEntry {
	out := make([]store.CaseTimelineEntry, len(es))
	for i, e := range es {
		out[i] = store.CaseTimelineEntry{At: e.At, Kind: e.Kind, Severity: e.Severity, Text: e.Text, Actor: e.By, Ref: e.Ref,
			Stage: e.Stage, Suspicious: e.Suspicious}
	}
	return out
}

// FromStore are the entries a case keeps, as report lines.
func FromStore(xs []store.CaseTimelineEntry) []Entry {
	out := make([]Entry, len(xs))
	for i, x := range xs {
		out[i] = Entry{At: x.At, Kind: x.Kind, Severity: x.Severity, Text: x.Text, By: x.Actor, Ref: x.Ref, Stage: x.Stage, Suspicious: x.Suspicious}
	}
	return out
}

// Detail is the run as its journal line keeps it.
func (r TimelineRun) Detail() string {
	b, _ := json.Marshal(r)
	return string(b)
}

// timelineText is the journal line of a timeline run in lang.
func timelineText(c *catalog.Catalog, lang string, e store.CaseEvent, by string) string {
	var r TimelineRun
	if json.Unmarshal([]byte(e.Detail), &r) != nil {
		return strings.TrimSpace("timeline " + e.Ref + " " + e.Detail + " (" + by + ")")
	}
	text := c.T(lang, "incident.event.timeline", e.Ref, r.Entries, r.Kept, r.Suspicious)
	var left []string
	for _, k := range []string{KindLog, "finding", KindProcess, KindFile} {
		if n := r.Left[k]; n > 0 {
			left = append(left, strconv.Itoa(n)+" "+kindName(c, lang, k))
		}
	}
	if r.Capped > 0 {
		left = append(left, c.T(lang, "incident.event.timeline-capped", r.Capped))
	}
	if len(left) > 0 {
		text += c.T(lang, "incident.event.timeline-left", strings.Join(left, c.T(lang, "incident.report.list-sep")))
	}
	if len(r.Stages) > 0 {
		var names []string
		for _, s := range r.Stages {
			names = append(names, c.T(lang, timeline.StageMsg(s)))
		}
		text += c.T(lang, "incident.event.timeline-path", strings.Join(names, " → "))
	}
	return text + c.T(lang, "incident.event.by", by)
}
