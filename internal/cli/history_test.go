package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/diff"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/testutil"
)

func fingerprintOf(t *testing.T, res model.Result, path string) string {
	t.Helper()
	for _, f := range res.Findings {
		if f.Evidence.Path == path {
			return f.Fingerprint
		}
	}
	t.Fatalf("no finding on %s in %+v", path, res.Findings)
	return ""
}

// The responder's week: baseline, clean, check what came back.
func TestBaselineNewDiffShow(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot)
	db := filepath.Join(t.TempDir(), "vigil.db")
	scan := func(args ...string) (model.Result, cliResult) {
		r := vigil(t, append([]string{"scan", "--root", root, "--store", db, "--format", "json"}, args...)...)
		if r.code == ExitError {
			t.Fatalf("scan %v: %s", args, r.err)
		}
		return decode[model.Result](t, r), r
	}
	first, _ := scan("--baseline")
	// Cleaned the start-up file; a new preload appeared; the coverage
	// finding got worse.
	setFindings(t, root, "high persistence.ldso.preload /etc/ld.so.preload\nmedium scan.coverage.incomplete /etc/gshadow\n")
	onlyNew, r := scan("--new")
	if len(onlyNew.Findings) != 1 || onlyNew.Findings[0].RuleID != "persistence.ldso.preload" {
		t.Fatalf("--new shows %+v", onlyNew.Findings)
	}
	if onlyNew.Summary.Hidden != 1 || onlyNew.Summary.Suppressed != 0 || onlyNew.Summary.Total != 1 {
		t.Errorf("--new summary: %+v (the known finding counts as hidden, not suppressed)", onlyNew.Summary)
	}
	if r.code != ExitFindings || !strings.Contains(r.err, "the baseline") {
		t.Errorf("--new: exit %d, stderr %q", r.code, r.err)
	}

	rep := decode[diff.Report](t, vigil(t, "diff", "--store", db, "--format", "json"))
	if len(rep.Added) != 1 || len(rep.Gone) != 1 || len(rep.Changed) != 1 ||
		rep.Gone[0].Finding.Fingerprint != fingerprintOf(t, first, "/etc/profile.d/z-update.sh") {
		t.Fatalf("diff: %+v", rep)
	}
	if d := vigil(t, "diff", "1", "2", "--store", db, "--lang", "zh-CN"); d.code != ExitFindings || !strings.Contains(d.out, "已消失（1）") {
		t.Errorf("diff table zh-CN: exit %d\n%s%s", d.code, d.out, d.err)
	}
	if d := vigil(t, "diff", "--store", db, "--fail-on", "critical"); d.code != ExitOK {
		t.Errorf("diff --fail-on critical: exit %d", d.code)
	}
	if d := vigil(t, "diff", "1", "--store", db); d.code != ExitError {
		t.Errorf("diff of the first scan: exit %d", d.code)
	}

	// show replays scan 1 as it was found, in any format.
	replay := decode[model.Result](t, vigil(t, "show", "1", "--store", db, "--format", "json"))
	if len(replay.Findings) != 2 || replay.Meta.ID != first.Meta.ID || replay.Findings[0].Fingerprint != first.Findings[0].Fingerprint {
		t.Fatalf("show 1: %+v", replay)
	}
	if s := vigil(t, "show", "latest", "--store", db, "--lang", "zh-CN"); s.code != ExitFindings || !strings.Contains(s.out, "高危") {
		t.Errorf("show latest zh-CN: exit %d\n%s", s.code, s.out)
	}
	if s := vigil(t, "show", "99", "--store", db); s.code != ExitError {
		t.Errorf("show 99: exit %d", s.code)
	}

	recs := decode[[]app.FindingRow](t, vigil(t, "findings", "--store", db, "--state", "gone", "--format", "json"))
	if len(recs) != 1 || recs[0].Finding.Evidence.Path != "/etc/profile.d/z-update.sh" || recs[0].State != store.StateGone {
		t.Fatalf("findings --state gone: %+v", recs)
	}
	jl := vigil(t, "findings", "--store", db, "--severity", "medium", "--format", "jsonl")
	if n := strings.Count(jl.out, "\n"); n != 3 { // gone findings too
		t.Errorf("findings --severity medium: %d lines\n%s", n, jl.out)
	}
	if f := vigil(t, "findings", "--store", db, "--path", "/etc/ld.so.*", "--lang", "zh-CN"); !strings.Contains(f.out, "存在") || strings.Contains(f.out, "gshadow") {
		t.Errorf("findings --path:\n%s", f.out)
	}
}

func TestIgnoreAuditExportImport(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot)
	db := filepath.Join(t.TempDir(), "vigil.db")
	t.Setenv("SUDO_USER", "alice")
	res := decode[model.Result](t, vigil(t, "scan", "--root", root, "--store", db, "--format", "json"))
	fp := fingerprintOf(t, res, "/etc/profile.d/z-update.sh")

	for _, args := range [][]string{
		{"ignore", fp}, // no reason
		{"ignore", "no.such.rule", "--reason", "x"}, // typo
		{"ignore", fp, "--reason", "x", "--until", "2001-01-01"},
		{"ignore", "remove", "1"},
	} {
		if r := vigil(t, append(args, "--store", db)...); r.code != ExitError {
			t.Errorf("%v: exit %d, want 2", args, r.code)
		}
	}
	if r := vigil(t, "ignore", fp[:8], "--reason", "vendor start-up script, checked", "--store", db); r.code != ExitOK || !strings.Contains(r.out, fp) {
		t.Fatalf("ignore by prefix: %d %s %s", r.code, r.out, r.err)
	}
	if r := vigil(t, "ignore", "scan.*", "--path", "/etc/g*", "--reason", "known", "--until", "30d", "--store", db); r.code != ExitOK {
		t.Fatalf("ignore rule glob: %d %s", r.code, r.err)
	}

	// Both findings are now suppressed: hidden, counted, not failing.
	r := vigil(t, "scan", "--root", root, "--store", db, "--format", "json")
	quiet := decode[model.Result](t, r)
	if r.code != ExitOK || len(quiet.Findings) != 0 || quiet.Summary.Suppressed != 2 {
		t.Fatalf("suppressed scan: exit %d, %+v", r.code, quiet)
	}
	r = vigil(t, "scan", "--root", root, "--store", db, "--format", "json", "--show-suppressed")
	shown := decode[model.Result](t, r)
	if r.code != ExitOK || len(shown.Findings) != 2 || shown.Summary.Total != 0 || shown.Summary.Suppressed != 2 {
		t.Fatalf("--show-suppressed: exit %d, %+v", r.code, shown.Summary)
	}
	for _, f := range shown.Findings {
		if !strings.Contains(strings.Join(f.Indicators, ","), app.SuppressedIndicator) || f.Evidence.Extra[app.SuppressedExtra] == "" {
			t.Errorf("suppressed finding not marked: %+v", f)
		}
	}
	// The store keeps the truth: both findings, unmarked.
	if recs := decode[[]app.FindingRow](t, vigil(t, "findings", "--store", db, "--state", "suppressed", "--format", "json")); len(recs) != 2 || len(recs[0].Finding.Indicators) != 0 {
		t.Fatalf("stored findings: %+v", recs)
	}
	if f := vigil(t, "findings", "--store", db); !strings.Contains(f.out, "2 suppressed findings not listed") {
		t.Errorf("findings does not count hidden ones:\n%s", f.out)
	}

	if r := vigil(t, "ignore", "remove", "1", "--reason", "script replaced", "--store", db); r.code != ExitOK {
		t.Fatalf("remove: %d %s", r.code, r.err)
	}
	if r := vigil(t, "scan", "--root", root, "--store", db, "--format", "json"); r.code != ExitFindings {
		t.Fatalf("after removing the suppression the critical finding must fail the scan: exit %d", r.code)
	}
	list := vigil(t, "ignore", "list", "--all", "--store", db, "--lang", "zh-CN")
	if !strings.Contains(list.out, "已撤销") || !strings.Contains(list.out, "生效") {
		t.Errorf("ignore list --all:\n%s", list.out)
	}
	audit := decode[[]store.AuditEntry](t, vigil(t, "ignore", "audit", "--store", db, "--format", "json"))
	if len(audit) != 3 || audit[0].Actor.SudoUser != "alice" || audit[2].Action != store.ActionRemove || audit[2].Reason != "script replaced" {
		t.Fatalf("audit: %+v", audit)
	}

	// Export from this host, import on another: the team's file.
	file := filepath.Join(t.TempDir(), "team.yaml")
	if r := vigil(t, "ignore", "export", file, "--store", db); r.code != ExitOK {
		t.Fatalf("export: %s", r.err)
	}
	other := filepath.Join(t.TempDir(), "other.db")
	for i, want := range []string{"imported: 1, skipped (already present or expired): 0", "imported: 0, skipped (already present or expired): 1"} {
		if r := vigil(t, "ignore", "import", file, "--store", other); r.code != ExitOK || !strings.Contains(r.out, want) {
			t.Fatalf("import %d: %d %q %s", i, r.code, r.out, r.err)
		}
	}
	got := decode[[]map[string]any](t, vigil(t, "ignore", "list", "--store", other, "--format", "json"))
	if len(got) != 1 || got[0]["rule"] != "scan.*" || got[0]["path"] != "/etc/g*" {
		t.Fatalf("imported: %+v", got)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("version: 1\nsuppressions:\n  - rule: a.b\n"), 0o644)
	if r := vigil(t, "ignore", "import", bad, "--store", other); r.code != ExitError || !strings.Contains(r.err, "reason") {
		t.Errorf("import without reason: %d %s", r.code, r.err)
	}
}

// The real detectors on the minimal root: the whole pipeline saves.
func TestRealDetectorsSave(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot)
	db := filepath.Join(t.TempDir(), "vigil.db")
	var out, errb strings.Builder
	code := Run(t.Context(), []string{"scan", "--root", root, "--store", db}, strings.NewReader(""), &out, &errb)
	if code == ExitError || !strings.Contains(errb.String(), "saved as scan 1") {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
	}
}
