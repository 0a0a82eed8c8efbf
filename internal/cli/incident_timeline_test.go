package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/incident"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// While a case is open, every vigil timeline run is recorded in its journal
// (trace and clean) and its chosen entries are kept with it: the report
// shows the timeline and the attack path without --timeline.
func TestIncidentTimelineRecorded(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot+"-- var/log/auth.log --\n"+bruteForceAuth())
	store := filepath.Join(t.TempDir(), "vigil.db")
	run := withStore(t, store)
	run(0, "incident", "open", "web1 brute force")
	r := run(0, "timeline", "--root", root)
	if !strings.Contains(r.err, "timeline recorded in case IR-1") {
		t.Errorf("the run does not say it was recorded: %q", r.err)
	}
	run(0, "timeline", "--root", root, "--no-store") // --no-store: the store is not touched
	st := decode[app.IncidentStatus](t, run(0, "incident", "status", "--format", "json"))
	var lines int
	for _, e := range st.Events {
		if e.Kind != incident.KindTimeline {
			continue
		}
		lines++
		var tr incident.TimelineRun
		if err := json.Unmarshal([]byte(e.Detail), &tr); err != nil || tr.Kept == 0 || tr.Kept > incident.CaseTimelineMax || len(tr.Stages) == 0 ||
			e.Actor == "" || e.Step != incident.StepTrace || !strings.HasPrefix(e.Ref, "root:") {
			t.Errorf("the timeline's journal line: %+v (%+v, %v)", e, tr, err)
		}
	}
	if lines != 1 || !st.Checklist[3].Done {
		t.Errorf("%d timeline lines in the journal, trace step %+v", lines, st.Checklist[3])
	}
	for _, lang := range []string{"en", "zh-CN"} {
		md := run(0, "incident", "report", "--lang", lang).out
		for _, want := range []string{"ssh.login actor=root", "/var/log/auth.log:", map[string]string{"en": "brute force on sshd", "zh-CN": "暴力破解"}[lang],
			map[string]string{"en": "timeline of root:", "zh-CN": "的时间线"}[lang]} {
			if !strings.Contains(md, want) {
				t.Errorf("%s report lacks %q:\n%s", lang, want, md)
			}
		}
	}
	if zh := run(0, "incident", "status", "--lang", "zh-CN").out; !strings.Contains(zh, "[x] 溯源与清除") || !strings.Contains(zh, "的时间线") {
		t.Errorf("the Chinese checklist does not show the timeline under trace and clean:\n%s", zh)
	}
	run(0, "incident", "close")
	if r := run(0, "timeline", "--root", root); strings.Contains(r.err, "recorded") {
		t.Errorf("a closed case takes no timeline: %q", r.err)
	}
}

// withStore runs vigil with --store store and fails the test on another
// exit status than want.
func withStore(t *testing.T, store string) func(want int, args ...string) cliResult {
	return func(want int, args ...string) cliResult {
		t.Helper()
		r := vigil(t, append(args, "--store", store)...)
		if r.code != want {
			t.Fatalf("%v: exit %d, want %d\n%s%s", args, r.code, want, r.out, r.err)
		}
		return r
	}
}
