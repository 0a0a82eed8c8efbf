package cli

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/files"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/store/storetest"
)

// TestFlaggedPIDs: --memory=suspicious takes the pids that findings of the
// newest stored scan of the host carry (each once); an older scan's and
// another host's do not count, and an empty store gives none.
func TestFlaggedPIDs(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got := flaggedPIDs(ctx, st, storetest.Target); got != nil {
		t.Errorf("empty store: %v", got)
	}
	withPID := func(rule string, pid int) model.Finding {
		f := storetest.Finding(rule, "/tmp/.x/"+rule, model.High, "process")
		f.Evidence.PID = pid
		f.Fingerprint = model.Fingerprint(f.RuleID, storetest.Target.Key(), f.IdentityKey())
		return f
	}
	save := func(at time.Time, ti model.TargetInfo, fs ...model.Finding) {
		r := storetest.Result(at, fs, "process")
		r.Meta.Target = ti
		if _, err := st.SaveScan(ctx, r, store.SaveOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	save(now.Add(-time.Hour), storetest.Target, withPID("process.old", 77))
	save(now, storetest.Target, withPID("process.a", 4242), withPID("process.b", 31), withPID("network.c", 4242),
		storetest.Finding("persistence.cron", "/etc/cron.d/x", model.High, "process"))
	other := storetest.Target
	other.Hostname, other.MachineID = "db2", "fedcba9876543210fedcba9876543210"
	save(now.Add(time.Minute), other, withPID("process.z", 99))
	if got := flaggedPIDs(ctx, st, storetest.Target); !reflect.DeepEqual(got, []int{31, 4242}) {
		t.Errorf("flagged %v, want [31 4242]", got)
	}
}

// TestFilesProgressLine: the walk's progress line gives the ETA once the
// estimate is there, in English and Chinese.
func TestFilesProgressLine(t *testing.T) {
	c := files.Coverage{Seen: 250, Bytes: 50 << 20, Duration: 10 * time.Second}
	if got := filesProgressLine("en", c); strings.Contains(got, "left") || !strings.Contains(got, "250 seen") {
		t.Errorf("without estimate: %q", got)
	}
	c.EstFiles, c.EstBytes = 1000, 200<<20
	for lang, want := range map[string]string{"en": "about 30s left", "zh-CN": "预计剩余 30s"} {
		got := filesProgressLine(lang, c)
		if !strings.Contains(got, want) || !strings.Contains(got, "1000") || !strings.Contains(got, "200.0") {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}
