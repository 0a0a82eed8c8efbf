package procioc

import (
	"crypto/md5" //nolint:gosec // the lists' digest
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/ioc"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// program copies sleep with bytes of its own appended (the loader ignores
// them), so its digests are this test's alone, starts it twice and deletes
// it from disk: the processes run a deleted program.
func program(t *testing.T) (pids []int, sha, md string) {
	t.Helper()
	src, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep")
	}
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, []byte("vigil-procioc-"+strconv.FormatInt(time.Now().UnixNano(), 10))...)
	p := filepath.Join(t.TempDir(), "kworkerd")
	if err := os.WriteFile(p, b, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		cmd := exec.Command(p, "60")
		if err := cmd.Start(); err != nil {
			t.Skip("cannot run a program from the temporary directory:", err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		pids = append(pids, cmd.Process.Pid)
	}
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	m := md5.Sum(b) //nolint:gosec
	return pids, hex.EncodeToString(s[:]), hex.EncodeToString(m[:])
}

func run(t *testing.T, list string) enginetest.Result {
	t.Helper()
	p := filepath.Join(t.TempDir(), "case.txt")
	if err := os.WriteFile(p, []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	set := func() (*ioc.Set, error) { return ioc.Load([]string{p}) }
	return enginetest.RunTarget(t, New(set), target.Live(), engine.Options{MaxPerRule: -1})
}

// TestRunningDeletedProgram: the listed digest (SHA-256, or MD5) of a
// program deleted after it started is found through /proc/PID/exe, one
// finding for the two processes running it, with pid and hash; a list of
// other digests finds nothing.
func TestRunningDeletedProgram(t *testing.T) {
	pids, sha, md := program(t)
	for _, list := range []string{sha + " # case 7 dropper\n", "# md5 only\n" + md + "\n"} {
		r := run(t, list)
		fs := r.Find(ioc.RuleProcess)
		if len(fs) != 1 {
			t.Fatalf("list %q: %s", list, enginetest.Dump(r.Findings))
		}
		f := fs[0]
		want := strconv.Itoa(pids[0]) + ", " + strconv.Itoa(pids[1])
		if pids[1] < pids[0] {
			want = strconv.Itoa(pids[1]) + ", " + strconv.Itoa(pids[0])
		}
		e := f.Evidence
		if e.PID == 0 || e.SHA256 != sha || e.Extra["pids"] != want || e.Extra["deleted"] != "true" || e.Extra["ioc_line"] == "" ||
			filepath.Base(e.Path) != "kworkerd" || f.Severity != model.Critical {
			t.Errorf("finding: %+v %+v", f, e)
		}
	}
	other := sha256.Sum256([]byte("not running anywhere"))
	enginetest.Quiet(t, run(t, hex.EncodeToString(other[:])+"\n").Findings, model.Info)
}

func TestRulesInCatalog(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	enginetest.CheckRules(t, cat, New(nil))
}

func BenchmarkRunningExecutables(b *testing.B) {
	sum := sha256.Sum256([]byte("nothing"))
	set := &ioc.Set{}
	set.Parse("bench.txt", []byte(hex.EncodeToString(sum[:])+"\n"))
	tg := target.Live()
	for b.Loop() {
		ioc.ScanExecutables(b.Context(), tg, set, nil)
	}
}
