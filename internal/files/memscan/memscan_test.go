package memscan

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/collect/procs"
	"github.com/vigil-ir/vigil/internal/files/yara"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// marker is built at run time so that no other process (this test's own
// binary included) holds it as a constant.
func marker() string { return strings.Join([]string{"vigil", "mem", "marker", "51c7"}, "-") }

func markerRules(t *testing.T) *yara.Rules {
	t.Helper()
	r, bad, err := yara.Compile([]yara.Source{{Name: "m.yar", Text: []byte(`rule Mem_Marker { meta: severity = "high" technique = "T1620" strings: $m = "` + marker() + `" condition: $m }`)}})
	if err != nil {
		t.Fatal(err, bad)
	}
	return r
}

// child starts a throw-away shell that keeps the marker in its memory and
// sleeps.
func child(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", "M="+marker()+"; sleep 60; echo $M")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitState(t, cmd.Process.Pid, 'S')
	return cmd
}

func state(pid int) byte {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 || i+2 >= len(b) {
		return 0
	}
	return b[i+2]
}

func waitState(t *testing.T, pid int, want byte) {
	t.Helper()
	for i := 0; i < 200; i++ {
		if state(pid) == want {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("pid %d never reached state %c (is %c)", pid, want, state(pid))
}

func TestFindsMarkerInChild(t *testing.T) {
	cmd := child(t)
	pid := cmd.Process.Pid
	res, err := Scan(context.Background(), target.Live(), markerRules(t), Options{PIDs: []int{pid}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Scanned != 1 || len(res.Hits) != 1 {
		t.Fatalf("%s; hits %+v", res.Describe(), res.Hits)
	}
	h := res.Hits[0]
	if h.PID != pid || h.Match.Rule.Name != "Mem_Marker" || !strings.HasSuffix(h.Exe, "sh") || len(h.Match.Strings) == 0 || uint64(h.Match.Strings[0].Offset) < h.Address {
		t.Errorf("%+v", h)
	}
	f := Finding(h)
	if f.RuleID != RuleMemory || f.Evidence.PID != pid || f.Severity != model.High || !f.SeveritySet || f.Technique != "T1620" ||
		!strings.Contains(f.Evidence.Text, marker()) || strings.Contains(f.Key, strconv.Itoa(pid)+"\x00") {
		t.Errorf("%+v", f)
	}
	if res.Skipped["kernel"] == 0 {
		t.Errorf("[vvar]/[vdso] not skipped: %v", res.Skipped)
	}
}

// TestSleepingChildStaysAsleep: reading memory never stops the process
// (no ptrace): sampled during and after repeated scans, its state is S.
func TestSleepingChildStaysAsleep(t *testing.T) {
	cmd := child(t)
	pid := cmd.Process.Pid
	rules := markerRules(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 20; i++ {
			if _, err := Scan(context.Background(), target.Live(), rules, Options{PIDs: []int{pid}}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	samples := 0
	for {
		select {
		case <-done:
			if s := state(pid); s != 'S' {
				t.Fatalf("after the scans: state %c", s)
			}
			if samples == 0 {
				t.Log("no sample taken during the scans")
			}
			return
		default:
			if s := state(pid); s != 'S' && s != 'R' {
				t.Fatalf("during a scan: state %c", s)
			}
			samples++
			time.Sleep(time.Millisecond)
		}
	}
}

func TestExitedProcessIsNotAnError(t *testing.T) {
	cmd := exec.Command("/bin/true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	res, err := Scan(context.Background(), target.Live(), markerRules(t), Options{PIDs: []int{cmd.Process.Pid, 1 << 30}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Exited) != 2 || len(res.Errors) != 0 || res.Scanned != 0 {
		t.Errorf("%+v", res)
	}
	var gaps target.GapLog
	res.Gaps(&gaps)
	if len(gaps.Gaps) != 1 || gaps.Gaps[0].Msg.ID != "memscan.gap.exited" || gaps.Gaps[0].Kind != model.GapSkipped {
		t.Errorf("%+v", gaps.Gaps)
	}
}

func TestCapsAndSelf(t *testing.T) {
	cmd := child(t)
	res, err := Scan(context.Background(), target.Live(), markerRules(t), Options{PIDs: []int{os.Getpid(), cmd.Process.Pid}, MaxProcessBytes: 4096, MaxRegionBytes: 4096})
	if err != nil {
		t.Fatal(err)
	}
	if res.Scanned != 1 || res.Bytes > 4096 || len(res.Truncated) != 1 {
		t.Errorf("%s %+v", res.Describe(), res.Truncated)
	}
}

func TestOnlyLive(t *testing.T) {
	if _, err := Scan(context.Background(), target.NewUnchecked(t.TempDir(), false), markerRules(t), Options{}); err == nil {
		t.Error("a --root target has no processes to scan")
	}
}

func TestSkipReason(t *testing.T) {
	tg := target.Live()
	for _, tc := range []struct {
		m     procs.Mapping
		flags string
		want  string
	}{
		{procs.Mapping{Perms: "r--p", Path: "[vvar]"}, "", "kernel"},
		{procs.Mapping{Perms: "r-xp", Path: "[vsyscall]"}, "", "kernel"},
		{procs.Mapping{Perms: "rw-s", Path: "/dev/dri/card0"}, "", "device"},
		{procs.Mapping{Perms: "rw-s", Path: "/dev/mem"}, "", "device"},
		{procs.Mapping{Perms: "rw-p", Path: ""}, "rd wr mr mw me io pf", "io"},
		{procs.Mapping{Perms: "---p", Path: ""}, "", "unreadable"},
		{procs.Mapping{Perms: "rw-p", Path: ""}, "rd wr mr mw me ac", ""},
		{procs.Mapping{Perms: "rw-p", Path: "[heap]"}, "", ""},
		{procs.Mapping{Perms: "r-xp", Path: "/bin/sh"}, "", "file-on-disk"},
		{procs.Mapping{Perms: "r-xp", Path: "/tmp/gone", Deleted: true}, "", ""},
		{procs.Mapping{Perms: "r-xp", Path: "/memfd:x"}, "", ""},
		{procs.Mapping{Perms: "rw-s", Path: "/dev/shm/x"}, "", ""},
	} {
		if got := skipReason(tc.m, tc.flags, tg); got != tc.want {
			t.Errorf("%+v %q: %q, want %q", tc.m, tc.flags, got, tc.want)
		}
	}
}
