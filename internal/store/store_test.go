package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store/storetest"
)

var t0 = time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)

func openTemp(t testing.TB) (*SQLite, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vigil", "vigil.db")
	s, err := Open(context.Background(), path, Options{Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func save(t testing.TB, s Store, r *model.Result, baseline bool) ScanInfo {
	t.Helper()
	info, err := s.SaveScan(context.Background(), r, SaveOptions{Baseline: baseline})
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func TestCreatesPrivateFiles(t *testing.T) {
	_, path := openTemp(t)
	for p, want := range map[string]os.FileMode{filepath.Dir(path): 0o700 | os.ModeDir, path: 0o600} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode() != want {
			t.Errorf("%s: mode %v, want %v", p, st.Mode(), want)
		}
	}
	if st, err := os.Stat(path + "-wal"); err == nil && st.Mode().Perm()&0o077 != 0 {
		t.Errorf("WAL file is mode %v: others can read the findings", st.Mode())
	}
}

func TestMustExist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.db")
	_, err := Open(context.Background(), path, Options{MustExist: true})
	if !errors.Is(err, ErrNoStore) {
		t.Fatalf("err = %v, want ErrNoStore", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("a read-only open created the store")
	}
}

func TestSaveAndReplay(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	mtime := t0.Add(-time.Hour)
	f1 := storetest.Finding("persistence.cron.download-exec", "/etc/cron.d/php2", model.Critical, "schedule")
	f1.Indicators = []string{"download-exec"}
	f1.Technique = "T1053.003"
	f1.Evidence.MTime = &mtime
	f1.Evidence.Extra = map[string]string{"k": "v"}
	f2 := storetest.Finding("accounts.uid0", "/etc/passwd", model.High, "accounts")
	r := storetest.Result(t0, []model.Finding{f1, f2}, "schedule", "accounts")
	r.Summary.Suppressed = 3
	info := save(t, s, r, true)
	if info.ID != 1 || !info.Baseline || info.Counts[model.Critical] != 1 || info.Duration() != 1500*time.Millisecond {
		t.Fatalf("saved info: %+v", info)
	}
	got, err := s.Result(ctx, info.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, got, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("replayed result differs (-saved +loaded):\n%s", diff)
	}
	for _, ref := range []string{"1", "latest", r.Meta.ID} {
		if sc, err := s.Scan(ctx, ref); err != nil || sc.ID != 1 {
			t.Errorf("Scan(%q) = %v, %v", ref, sc.ID, err)
		}
	}
	if _, err := s.Scan(ctx, "42"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing scan: %v", err)
	}
}

func TestFindingState(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	a := storetest.Finding("persistence.cron.download-exec", "/etc/cron.d/a", model.Critical, "schedule")
	b := storetest.Finding("persistence.cron.download-exec", "/etc/cron.d/b", model.High, "schedule")
	p := storetest.Finding("process.deleted-exe", "/tmp/.x", model.High, "process")

	save(t, s, storetest.Result(t0, []model.Finding{a, b, p}, "schedule", "process"), false)
	// b cleaned; the process check does not run (an image of the host).
	r2 := storetest.Result(t0.Add(time.Hour), []model.Finding{a}, "schedule")
	r2.Summary.Checks = append(r2.Summary.Checks, model.CheckStatus{Name: "process", Status: "not-applicable"})
	save(t, s, r2, false)
	// the schedule check fails: nothing it reported may be called gone.
	r3 := storetest.Result(t0.Add(2*time.Hour), nil, "process")
	r3.Summary.Checks = append(r3.Summary.Checks, model.CheckStatus{Name: "schedule", Status: "failed"})
	save(t, s, r3, false)
	// an older scan saved late must not move history back.
	save(t, s, storetest.Result(t0.Add(-time.Hour), []model.Finding{b}, "schedule"), false)

	recs, err := s.Findings(ctx, FindingQuery{})
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]FindingRecord{}
	for _, r := range recs {
		state[r.Finding.Evidence.Path] = r
	}
	want := map[string]string{"/etc/cron.d/a": StateOpen, "/etc/cron.d/b": StateGone, "/tmp/.x": StateGone}
	for path, w := range want {
		if got := state[path].State; got != w {
			t.Errorf("%s: state %q, want %q", path, got, w)
		}
	}
	if got := state["/etc/cron.d/a"]; !got.FirstSeen.Equal(t0) || !got.LastSeen.Equal(t0.Add(time.Hour)) {
		t.Errorf("a: first %v last %v", got.FirstSeen, got.LastSeen)
	}
	if got := state["/etc/cron.d/b"]; !got.FirstSeen.Equal(t0.Add(-time.Hour)) || !got.GoneSince.Equal(t0.Add(time.Hour)) {
		t.Errorf("b: first %v gone since %v", got.FirstSeen, got.GoneSince)
	}
	if got := state["/tmp/.x"]; !got.GoneSince.Equal(t0.Add(2 * time.Hour)) {
		t.Errorf("process finding: gone since %v, want the scan that ran the process check", got.GoneSince)
	}
}

func TestFindingsQuery(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	fs := []model.Finding{
		storetest.Finding("persistence.cron.download-exec", "/etc/cron.d/a", model.Critical, "schedule"),
		storetest.Finding("persistence.shell.alias", "/home/ops/.bashrc", model.Low, "shellinit"),
		storetest.Finding("accounts.uid0", "/etc/passwd", model.High, "accounts"),
	}
	fs = append(fs, fs[0]) // a duplicate in one scan is one finding
	id := save(t, s, storetest.Result(t0, fs, "schedule", "shellinit", "accounts"), false).ID
	tests := []struct {
		name string
		q    FindingQuery
		want int
	}{
		{"all", FindingQuery{}, 3},
		{"scan", FindingQuery{ScanID: id}, 3},
		{"rule", FindingQuery{Rule: "accounts.uid0"}, 1},
		{"rule glob", FindingQuery{Rule: "persistence.*"}, 2},
		{"severity", FindingQuery{MinSeverity: model.High}, 2},
		{"path glob", FindingQuery{Path: "/home/**"}, 1},
		{"state", FindingQuery{State: StateGone}, 0},
		{"target", FindingQuery{TargetKey: "host:other"}, 0},
		{"limit", FindingQuery{Limit: 1}, 1},
	}
	for _, tc := range tests {
		recs, err := s.Findings(ctx, tc.q)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(recs) != tc.want {
			t.Errorf("%s: %d records, want %d", tc.name, len(recs), tc.want)
		}
	}
	recs, _ := s.Findings(ctx, FindingQuery{})
	if recs[0].Finding.Severity != model.Critical {
		t.Errorf("not sorted most severe first: %v", recs[0].Finding.Severity)
	}
	fp := fs[2].Fingerprint
	if got, err := s.ResolveFingerprint(ctx, fp[:8]); err != nil || got != fp {
		t.Errorf("ResolveFingerprint(%s) = %q, %v", fp[:8], got, err)
	}
	if _, err := s.ResolveFingerprint(ctx, "ffffffff"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown prefix: %v", err)
	}
}

func TestReferenceAndPrevious(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	if _, ok, err := s.Reference(ctx, model.KindScan, storetest.Target.ID(), 0); ok || err != nil {
		t.Fatalf("empty store has a reference: %v %v", ok, err)
	}
	s1 := save(t, s, storetest.Result(t0, nil), false)
	if ref, ok, _ := s.Reference(ctx, model.KindScan, storetest.Target.ID(), 0); !ok || ref.ID != s1.ID {
		t.Fatalf("without a baseline the reference is the previous scan: %+v", ref)
	}
	s2 := save(t, s, storetest.Result(t0.Add(time.Hour), nil), true)
	s3 := save(t, s, storetest.Result(t0.Add(2*time.Hour), nil), false)
	if ref, _, _ := s.Reference(ctx, model.KindScan, storetest.Target.ID(), 0); ref.ID != s2.ID {
		t.Errorf("reference = scan %d, want the baseline %d", ref.ID, s2.ID)
	}
	if ref, _, _ := s.Reference(ctx, model.KindScan, storetest.Target.ID(), s2.ID); ref.ID != s1.ID {
		t.Errorf("reference before the baseline = scan %d, want %d", ref.ID, s1.ID)
	}
	if prev, ok, _ := s.Previous(ctx, s3.ID); !ok || prev.ID != s2.ID {
		t.Errorf("previous of %d = %d", s3.ID, prev.ID)
	}
	if _, ok, _ := s.Previous(ctx, s1.ID); ok {
		t.Error("the first scan has a previous one")
	}
	list, err := s.Scans(ctx, ScanQuery{Limit: 2})
	if err != nil || len(list) != 2 || list[0].ID != s3.ID {
		t.Fatalf("Scans newest first: %+v %v", list, err)
	}
}

// TestRunKinds: runs of one kind are history of each other only, and a run
// closes only the findings a run of its own kind saw last.
func TestRunKinds(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	of := func(r *model.Result, kind string) *model.Result { r.Meta.Kind = kind; return r }
	whole := storetest.Finding("webshell.php", "/srv/old/x.php", model.High, "files")
	scan1 := save(t, s, storetest.Result(t0, nil, "files"), false)
	sweep := save(t, s, of(storetest.Result(t0.Add(time.Hour), []model.Finding{whole}, "files"), model.KindFiles), false)
	if sweep.Kind != model.KindFiles {
		t.Fatalf("saved kind %q", sweep.Kind)
	}
	scan2 := save(t, s, storetest.Result(t0.Add(2*time.Hour), nil, "files"), false)
	if ref, ok, _ := s.Reference(ctx, model.KindScan, storetest.Target.ID(), 0); !ok || ref.ID != scan2.ID {
		t.Errorf("scan reference = %+v, want scan %d", ref, scan2.ID)
	}
	if ref, ok, _ := s.Reference(ctx, model.KindFiles, storetest.Target.ID(), 0); !ok || ref.ID != sweep.ID {
		t.Errorf("files reference = %+v, want run %d", ref, sweep.ID)
	}
	if prev, ok, _ := s.Previous(ctx, scan2.ID); !ok || prev.ID != scan1.ID {
		t.Errorf("previous of scan %d = %+v, want scan %d (not the files run)", scan2.ID, prev, scan1.ID)
	}
	if _, ok, _ := s.OtherTargetReference(ctx, model.KindHarden, storetest.Target.Key(), "root:/x"); ok {
		t.Error("a harden reference out of scans and files runs")
	}
	// The scan's files check ran "ok" without the whole-disk finding: it stays open.
	recs, err := s.Findings(ctx, FindingQuery{TargetKey: storetest.Target.ID()})
	if err != nil || len(recs) != 1 || recs[0].State != "open" {
		t.Fatalf("the sweep's finding after a scan: %+v %v", recs, err)
	}
	// The next sweep without it closes it.
	save(t, s, of(storetest.Result(t0.Add(3*time.Hour), nil, "files"), model.KindFiles), false)
	if recs, _ = s.Findings(ctx, FindingQuery{TargetKey: storetest.Target.ID()}); len(recs) != 1 || recs[0].State != "gone" {
		t.Errorf("the sweep's finding after a sweep without it: %+v", recs)
	}
}
