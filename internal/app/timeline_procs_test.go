package app

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/logs/timeline"
	"github.com/vigil-ir/vigil/internal/target"
)

// TestTimelineProcessStarts: on the live host the running processes'
// starts are entries (this test's own process among them, with --all);
// a mounted root has none, and a gap says so.
func TestTimelineProcessStarts(t *testing.T) {
	b := timeline.NewBuilder(timeline.Options{All: true})
	if gaps := processStarts(target.Live(), b, true); len(gaps) > 0 {
		t.Logf("gaps: %v", gaps)
	}
	tl := b.Build()
	self := "pid=" + strconv.Itoa(os.Getpid()) + " "
	found := false
	for _, e := range tl.Entries {
		if e.Kind != "process.start" || e.Desc != "Process Start" {
			t.Errorf("entry %+v", e)
		}
		if strings.Contains(e.Message, self) {
			found = true
			if e.Time.After(time.Now()) || e.Actor == "" {
				t.Errorf("own process: %+v", e)
			}
		}
	}
	if !found {
		t.Errorf("this process is not on the timeline (%d entries)", len(tl.Entries))
	}

	b = timeline.NewBuilder(timeline.Options{})
	gaps := processStarts(target.NewUnchecked(t.TempDir(), false), b, true)
	if len(gaps) != 1 || gaps[0].Msg.ID != "timeline.gap.no-procs" || len(b.Build().Entries) != 0 {
		t.Errorf("mounted root: gaps %v", gaps)
	}
}
