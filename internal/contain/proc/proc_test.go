package proc

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/contain"
)

// throwaway starts a process of its own (its own session, so it is not
// the operator's), optionally as uid, and reaps it when the test ends.
func throwaway(t *testing.T, uid int, script string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if uid > 0 {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		syscall.Kill(cmd.Process.Pid, syscall.SIGKILL)
		<-done
	})
	// Wait until the shell has started its children.
	for i := 0; i < 100 && len(descendants(cmd.Process.Pid)) == 0 && strings.Contains(script, "&"); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	return cmd
}

func state(pid int) byte {
	st, err := readStat(pid)
	if err != nil {
		return 0
	}
	return st.State
}

func TestStopCaptureContinue(t *testing.T) {
	ctx := context.Background()
	cmd := throwaway(t, 0, "exec sleep 300")
	pid := cmd.Process.Pid
	ev := t.TempDir()
	a, err := Plan(contain.Live(), []int{pid}, Options{Evidence: ev, Memory: true})
	if err != nil {
		t.Fatal(err)
	}
	k := Kind{}
	if err := k.Apply(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := k.Verify(ctx, a); err != nil {
		t.Fatal(err)
	}
	if s := state(pid); s != 'T' {
		t.Errorf("state %c, want stopped", s)
	}
	dir := filepath.Join(ev, a.UID, strconv.Itoa(pid))
	for _, f := range []string{"exe", "cmdline", "environ", "maps", "links.txt", "manifest.json", "net/tcp"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("evidence %s: %v", f, err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "cmdline")); !strings.Contains(string(b), "sleep") {
		t.Errorf("cmdline %q", b)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "mem-*")); len(m) == 0 {
		t.Error("no memory region captured")
	}
	if err := k.Undo(ctx, a); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50 && state(pid) == 'T'; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if s := state(pid); s == 'T' {
		t.Error("undo did not continue the process")
	}
}

func TestKillTree(t *testing.T) {
	ctx := context.Background()
	cmd := throwaway(t, 0, "sleep 300 & sleep 301 & wait")
	pid := cmd.Process.Pid
	// The shell forks its two children after it starts: wait for them.
	kids := descendants(pid)
	for i := 0; i < 250 && len(kids) < 2; i++ {
		time.Sleep(20 * time.Millisecond)
		kids = descendants(pid)
	}
	if len(kids) < 2 {
		t.Fatalf("children %v", kids)
	}
	a, err := Plan(contain.Live(), []int{pid}, Options{Evidence: t.TempDir(), Tree: true, Kill: true})
	if err != nil {
		t.Fatal(err)
	}
	var p Params
	a.Decode(&p, nil)
	if len(p.Procs) != 3 {
		t.Fatalf("planned %+v", p.Procs)
	}
	k := Kind{}
	if err := k.Apply(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := k.Verify(ctx, a); err != nil {
		t.Fatal(err)
	}
	for _, c := range append(kids, pid) {
		if s := state(c); s != 0 && s != 'Z' {
			t.Errorf("process %d alive (state %c)", c, s)
		}
	}
}

func TestEndUserSessions(t *testing.T) {
	const uid = 54321 // a uid no account of this machine has
	cmd := throwaway(t, uid, "exec sleep 300")
	pids := PIDsOfUser(uid)
	if len(pids) != 1 || pids[0] != cmd.Process.Pid {
		t.Fatalf("processes of uid %d: %v", uid, pids)
	}
	a, err := Plan(contain.Live(), pids, Options{Evidence: t.TempDir(), Kill: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := (Kind{}).Apply(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	if err := (Kind{}).Verify(context.Background(), a); err != nil {
		t.Fatal(err)
	}
}

func TestRefusals(t *testing.T) {
	mine := exec.Command("sleep", "300") // in the test's (the operator's) session
	if err := mine.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { mine.Process.Kill(); mine.Wait() }()
	cases := []struct {
		name string
		pid  int
	}{
		{"pid 1", 1},
		{"vigil itself", os.Getpid()},
		{"parent", os.Getppid()},
	}
	// Kernel threads are not visible inside a pid namespace.
	if k := kernelThread(); k != 0 {
		cases = append(cases, struct {
			name string
			pid  int
		}{"kernel thread", k})
	} else {
		t.Logf("no kernel thread visible in this pid namespace")
	}
	// A session whose leader lives outside this pid namespace reads as 0 (CI
	// containers): no session can be named then, only the ancestors are kept.
	if st, err := readStat(os.Getpid()); err == nil && st.Session != 0 {
		cases = append(cases, struct {
			name string
			pid  int
		}{"operator's session", mine.Process.Pid})
	} else {
		t.Logf("this test runs in session 0: the operator's-session refusal is not testable here")
	}
	for _, tc := range cases {
		if _, err := Plan(contain.Live(), []int{tc.pid}, Options{Evidence: t.TempDir(), Kill: true}); err == nil {
			t.Errorf("%s (%d) was planned", tc.name, tc.pid)
		}
	}
	if _, err := Plan(contain.Target{Root: t.TempDir()}, []int{mine.Process.Pid}, Options{}); err == nil {
		t.Error("processes planned on a root directory")
	}
	if _, err := Plan(contain.Live(), []int{mine.Process.Pid}, Options{Evidence: t.TempDir(), Force: true}); err != nil {
		t.Errorf("--force: %v", err)
	}
}

func TestPIDReuseIsNotSignalled(t *testing.T) {
	cmd := throwaway(t, 0, "exec sleep 300")
	st, _ := readStat(cmd.Process.Pid)
	if err := signal(Proc{PID: cmd.Process.Pid, Start: st.Start + 1}, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if s := state(cmd.Process.Pid); s == 0 || s == 'Z' {
		t.Error("a process with another start time was killed")
	}
}

func FuzzParseStat(f *testing.F) {
	f.Add("1 (systemd) S 0 1 1 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 12 1 2")
	f.Add("9 (a) b) (c) R 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20")
	f.Fuzz(func(t *testing.T, s string) {
		parseStat(1, s)
	})
}

// kernelThread returns the pid of a kernel thread visible here, or 0.
func kernelThread() int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, err := readStat(pid); err == nil && st.Flags&pflagKthread != 0 {
			return pid
		}
	}
	return 0
}
