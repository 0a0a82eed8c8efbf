package incident

import (
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/logs/timeline"
)

// A big timeline keeps, within the cap, the attack path, the suspicious
// entries and their context before the rest, in time order, and counts
// what it left out by kind.
func TestSelectTimeline(t *testing.T) {
	tl := &timeline.Timeline{Dropped: 9}
	add := func(min int, source string, suspicious bool, msg string) int {
		id := len(tl.Entries) + 1
		tl.Entries = append(tl.Entries, timeline.Entry{ID: id, Time: t0.Add(time.Duration(min) * time.Minute), Source: source, Suspicious: suspicious, Message: msg})
		return id
	}
	for i := range 500 { // routine log events long before
		add(-10000+i, "auth", false, "cron session")
	}
	for i := range 50 {
		add(-20000+i, "process", false, "pid")
	}
	brute := add(0, "finding", true, "brute force")
	add(5, "auth", false, "ssh.login actor=root")       // context of the brute force
	add(40, "auth", false, "sudo.command far after")    // not context
	add(60, "finding", true, strings.Repeat("x", 5000)) // a huge line
	cron := add(90, "scan", true, "persistence.cron.command: a stored finding")
	add(91, "scan", true, "accounts.uid0: a stored finding") // not a step: the case's scans have it
	tl.Path = []timeline.Step{{Stage: "brute force on sshd", Entry: brute}, {Stage: "persistence", Entry: cron}}

	kept, run := SelectTimeline(tl, 10)
	if len(kept) != 10 || run.Kept != 10 || run.Entries != len(tl.Entries)-1 || run.Suspicious != 3 || run.Capped != 9 {
		t.Fatalf("run %+v, %d kept", run, len(kept))
	}
	if run.Left[KindLog]+run.Left[KindProcess] != run.Entries-10 || run.Left[KindProcess] != 44 { // the 6 places left after the path, the suspicious and the context go to the earliest
		t.Errorf("left out: %+v", run.Left)
	}
	texts := map[string]Entry{}
	for i, e := range kept {
		texts[e.Text[:min(len(e.Text), 20)]] = e
		if i > 0 && e.At.Before(kept[i-1].At) {
			t.Errorf("not in time order at %d", i)
		}
	}
	if texts["brute force"].Stage != "brute force on sshd" || texts["persistence.cron.com"].Kind != "finding" || texts["persistence.cron.com"].Stage != "persistence" {
		t.Errorf("the attack path's entries: %+v", kept)
	}
	if _, ok := texts["ssh.login actor=root"]; !ok {
		t.Error("the context of a suspicious entry was left out")
	}
	if _, ok := texts["accounts.uid0: a sto"]; ok {
		t.Error("a stored finding that is no step of the path was kept")
	}
	if e := texts["xxxxxxxxxxxxxxxxxxxx"]; len(e.Text) > maxEntryText {
		t.Errorf("a kept line of %d bytes", len(e.Text))
	}
	if len(run.Stages) != 2 || run.Detail() == "" {
		t.Errorf("stages %v", run.Stages)
	}
}
