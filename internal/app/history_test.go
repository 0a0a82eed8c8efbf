package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/report"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/store/storetest"
	"github.com/vigil-ir/vigil/internal/suppress"
	"github.com/vigil-ir/vigil/internal/target"
)

var t0 = time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)

func TestStorePath(t *testing.T) {
	env := func(v string) func(string) string { return func(string) string { return v } }
	tests := []struct{ flag, env, want string }{
		{"", "", DefaultStorePath},
		{"", "/media/usb/v.db", "/media/usb/v.db"},
		{"/x.db", "/media/usb/v.db", "/x.db"},
	}
	for _, tc := range tests {
		if got := StorePath(tc.flag, env(tc.env)); got != tc.want {
			t.Errorf("StorePath(%q, env %q) = %q, want %q", tc.flag, tc.env, got, tc.want)
		}
	}
}

func TestCheckStoreOutsideTarget(t *testing.T) {
	root := t.TempDir()
	other := t.TempDir()
	link := filepath.Join(other, "into-root")
	if err := os.Symlink(root, link); err != nil {
		t.Fatal(err)
	}
	tgt := target.NewUnchecked(root, false)
	tests := []struct {
		path string
		ok   bool
	}{
		{filepath.Join(other, "vigil.db"), true},
		{filepath.Join(other, "new/dir/vigil.db"), true},
		{filepath.Join(root, "var/lib/vigil/vigil.db"), false},
		{filepath.Join(link, "vigil.db"), false}, // through a symlink
		{root, false},
		{root + "-sibling/vigil.db", true},
	}
	for _, tc := range tests {
		err := CheckStoreOutsideTarget(tc.path, tgt)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok=%v", tc.path, err, tc.ok)
		}
	}
	if err := CheckStoreOutsideTarget(DefaultStorePath, target.Live()); err != nil {
		t.Errorf("live host: %v", err)
	}
}

func TestViewVerdict(t *testing.T) {
	f := storetest.Finding("persistence.cron.download-exec", "/etc/cron.d/a", model.High, "schedule")
	f.Evidence.Extra = map[string]string{"k": "v"}
	f.Indicators = make([]string, 1, 4)
	f.Indicators[0] = "download-exec"
	other := storetest.Finding("accounts.uid0", "/etc/passwd", model.Critical, "accounts")
	set, err := suppress.NewSet([]suppress.Suppression{{ID: 4, Rule: "persistence.*", Reason: "lab host"}}, func() time.Time { return t0 })
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		view ViewOptions
		f    model.Finding
		want Verdict
	}{
		{"plain", ViewOptions{}, other, Show},
		{"below threshold", ViewOptions{MinSeverity: model.Critical}, f, Filtered},
		{"suppressed", ViewOptions{Suppressions: set}, f, Hide},
		{"show suppressed", ViewOptions{Suppressions: set, ShowSuppressed: true}, f, ShowSuppressed},
		{"known (--new)", ViewOptions{Known: map[string]bool{other.Fingerprint: true}}, other, Filtered},
		{"new (--new)", ViewOptions{Known: map[string]bool{f.Fingerprint: true}}, other, Show},
	}
	for _, tc := range tests {
		g := tc.f
		if got := tc.view.Verdict(&g); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	// Marking must not touch what the stored copy shares.
	g := f
	ViewOptions{Suppressions: set, ShowSuppressed: true}.Verdict(&g)
	if len(f.Evidence.Extra) != 1 || f.Indicators[:2][1] != "" {
		t.Fatalf("marking changed the original: %+v", f)
	}
	if g.Evidence.Extra[SuppressedExtra] != "#4: lab host" || g.Indicators[1] != SuppressedIndicator {
		t.Fatalf("not marked: %+v", g)
	}
}

type emitter struct{ findings []model.Finding }

func (emitter) Name() string      { return "fake" }
func (emitter) Version() int      { return 1 }
func (emitter) NeedsLive() bool   { return false }
func (e emitter) Rules() []string { return []string{"a.b"} }
func (e emitter) Run(_ context.Context, env *engine.Env) error {
	for _, f := range e.findings {
		env.Emit(f)
	}
	return nil
}

type failingStore struct{ store.Store }

func (failingStore) SaveScan(context.Context, *model.Result, store.SaveOptions) (store.ScanInfo, error) {
	return store.ScanInfo{}, errors.New("disk on fire")
}

// The store sees every finding (suppressed or not) and the output is
// complete even when saving fails.
func TestScanRecordsEverything(t *testing.T) {
	fs := []model.Finding{
		model.Finding{RuleID: "a.b", Subject: "/x"}.WithSeverity(model.Critical),
		model.Finding{RuleID: "a.b", Subject: "/y"}.WithSeverity(model.Low),
	}
	opt := ScanOptions{
		Target:    target.NewUnchecked(t.TempDir(), false),
		Detectors: []engine.Detector{emitter{fs}},
		View: func(f *model.Finding) Verdict {
			if f.Severity < model.High {
				return Hide
			}
			return Show
		},
	}
	path := filepath.Join(t.TempDir(), "v.db")
	st, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rec := NewRecorder(context.Background(), st, store.SaveOptions{Baseline: true})
	opt.Record = rec
	var shown report.Collector
	sum, err := Scan(context.Background(), opt, &shown)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Total != 1 || sum.Suppressed != 1 || len(shown.Result.Findings) != 1 {
		t.Fatalf("shown: %+v", sum)
	}
	saved, err := st.Result(context.Background(), rec.Saved().ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(saved.Findings) != 2 || saved.Summary.Counts[model.Low] != 1 || !rec.Saved().Baseline || saved.Meta.Finished.IsZero() {
		t.Fatalf("saved: %+v", saved)
	}

	opt.Record = NewRecorder(context.Background(), failingStore{st}, store.SaveOptions{})
	shown = report.Collector{}
	sum, err = Scan(context.Background(), opt, &shown)
	var re *RecordError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("err = %v, want a RecordError", err)
	}
	if sum.Total != 1 || len(shown.Result.Findings) != 1 || shown.Result.Summary.Total != 1 {
		t.Fatalf("output incomplete after a store failure: %+v", shown.Result)
	}
}

// BenchmarkDiffStored10000 loads two stored scans of 10,000 findings and
// diffs them, as 'vigil diff' does (goal: well under a second).
func BenchmarkDiffStored10000(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "v.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.SaveScan(ctx, storetest.Result(t0, storetest.Many(10000, "a"), "check"), store.SaveOptions{}); err != nil {
		b.Fatal(err)
	}
	cur := storetest.Result(t0.Add(time.Hour), append(storetest.Many(5000, "a"), storetest.Many(5000, "b")...), "check")
	if _, err := st.SaveScan(ctx, cur, store.SaveOptions{}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		rep, err := DiffScans(ctx, st, nil, ViewOptions{}, false)
		if err != nil || len(rep.Added) != 5000 || len(rep.Gone) != 5000 {
			b.Fatalf("%v %d %d", err, len(rep.Added), len(rep.Gone))
		}
	}
}

func TestSuppressedIndicatorInCatalog(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{catalog.English, catalog.Chinese} {
		if got := cat.Indicator(SuppressedIndicator, lang); got == "" || got == SuppressedIndicator {
			t.Errorf("indicator %q has no %s text (got %q)", SuppressedIndicator, lang, got)
		}
	}
}
