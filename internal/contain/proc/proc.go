// Package proc is the containment action on processes: stop (SIGSTOP) a
// process and, on request, its tree; capture what a responder needs
// before anything is killed (a copy of the executable, cmdline,
// environment, memory maps, open files, sockets, status, and on request
// the readable memory regions) into an evidence directory; then kill the
// tree on request. PID 1, kernel threads, Vigil itself, its ancestors and
// the operator's session are refused unless forced. A process is named by
// pid and start time, so a reused pid is never signalled. Undo continues
// a stopped process; a killed one cannot be brought back (the plan says
// so, and the evidence stays).
package proc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/vigil-ir/vigil/internal/contain"
)

// KindName is the journal id of the action.
const KindName = "process.stop"

// Options say what to do with the processes.
type Options struct {
	Tree     bool   // the process's descendants too
	Kill     bool   // kill after the capture (else they stay stopped)
	Memory   bool   // capture readable memory regions too
	Force    bool   // allow protected processes
	Evidence string // host directory for the evidence (outside any target)
}

// Proc is one process, by pid and start time.
type Proc struct {
	PID   int    `json:"pid"`
	Start uint64 `json:"start"`
	Comm  string `json:"comm"`
}

// Params of the action.
type Params struct {
	Procs    []Proc `json:"procs"`
	Kill     bool   `json:"kill"`
	Memory   bool   `json:"memory"`
	Evidence string `json:"evidence"` // this action's evidence directory
}

// Plan plans stopping pids (with their trees when o.Tree) on the live host.
func Plan(t contain.Target, pids []int, o Options) (*contain.Action, error) {
	if !t.IsLive() {
		return nil, errors.New("processes exist only on the live host: --root cannot be used here")
	}
	prot, sess := protected()
	a := &contain.Action{UID: contain.NewUID(), Kind: KindName, Target: t}
	p := Params{Kill: o.Kill, Memory: o.Memory}
	seen := map[int]bool{}
	var add func(pid int, root bool) error
	add = func(pid int, root bool) error {
		if seen[pid] {
			return nil
		}
		seen[pid] = true
		st, err := readStat(pid)
		if err != nil {
			return fmt.Errorf("process %d: %w", pid, err)
		}
		if why, ok := prot[pid]; ok && (!o.Force || pid == 1 || pid == os.Getpid()) {
			return fmt.Errorf("refusing to stop process %d (%s): it is %s", pid, st.Comm, why)
		}
		if st.Flags&pflagKthread != 0 {
			return fmt.Errorf("refusing to stop process %d (%s): it is a kernel thread", pid, st.Comm)
		}
		if st.Session == sess && sess != 0 && !o.Force {
			return fmt.Errorf("refusing to stop process %d (%s): it is in the operator's session (use --force if you mean it)", pid, st.Comm)
		}
		p.Procs = append(p.Procs, Proc{PID: pid, Start: st.Start, Comm: st.Comm})
		if o.Tree && root {
			for _, c := range descendants(pid) {
				if err := add(c, false); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, pid := range pids {
		if err := add(pid, true); err != nil {
			return nil, err
		}
	}
	if len(p.Procs) == 0 {
		return nil, errors.New("no process to stop")
	}
	p.Evidence = filepath.Join(o.Evidence, a.UID)
	a.Subject = fmt.Sprintf("pid %d (%s)", p.Procs[0].PID, p.Procs[0].Comm)
	for _, pr := range p.Procs {
		a.Step("contain.plan.proc-stop", pr.PID, pr.Comm)
	}
	a.Step("contain.plan.proc-capture", p.Evidence)
	if o.Memory {
		a.Step("contain.plan.proc-memory", maxMemory>>20)
	}
	if o.Kill {
		a.Step("contain.plan.proc-kill", len(p.Procs))
		a.Note("contain.note.proc-kill-final")
	} else {
		a.Note("contain.note.proc-stopped")
	}
	return a, a.SetParams(p)
}

// same reports whether pid is still the process that was planned.
func same(pr Proc) bool {
	st, err := readStat(pr.PID)
	return err == nil && st.Start == pr.Start
}

// signal sends sig to the planned process if it is still that process.
func signal(pr Proc, sig syscall.Signal) error {
	if !same(pr) {
		return nil // gone (or the pid is someone else's now): nothing to signal
	}
	if err := unix.Kill(pr.PID, sig); err != nil && !errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("signalling %d: %w", pr.PID, err)
	}
	return nil
}

// Kind implements contain.Kind.
type Kind struct{}

// Name implements contain.Kind.
func (Kind) Name() string { return KindName }

// Apply stops every process first (so none can react or fork), captures
// the evidence, then kills when asked.
func (Kind) Apply(_ context.Context, a *contain.Action) error {
	var p Params
	if err := a.Decode(&p, nil); err != nil {
		return err
	}
	for _, pr := range p.Procs {
		if err := signal(pr, unix.SIGSTOP); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(p.Evidence, 0o700); err != nil {
		return err
	}
	for _, pr := range p.Procs {
		if same(pr) {
			if err := capture(pr, filepath.Join(p.Evidence, strconv.Itoa(pr.PID)), p.Memory); err != nil {
				return fmt.Errorf("capturing process %d: %w", pr.PID, err)
			}
		}
	}
	if p.Kill {
		for _, pr := range p.Procs {
			if err := signal(pr, unix.SIGKILL); err != nil {
				return err
			}
		}
	}
	return nil
}

// Verify checks each process is stopped, or gone when killed.
func (Kind) Verify(_ context.Context, a *contain.Action) error {
	var p Params
	if err := a.Decode(&p, nil); err != nil {
		return err
	}
	for _, pr := range p.Procs {
		st, err := readStat(pr.PID)
		if err != nil || st.Start != pr.Start {
			continue // gone
		}
		switch {
		case p.Kill && st.State != 'Z' && st.State != 'X':
			if waitGone(pr) {
				continue
			}
			return fmt.Errorf("process %d is still running after SIGKILL (state %c)", pr.PID, st.State)
		case !p.Kill && st.State != 'T' && st.State != 't':
			return fmt.Errorf("process %d is not stopped (state %c)", pr.PID, st.State)
		}
	}
	return nil
}

// Undo continues stopped processes. Killed ones are gone for good: there
// is nothing to undo, and the evidence stays.
func (Kind) Undo(_ context.Context, a *contain.Action) error {
	var p Params
	if err := a.Decode(&p, nil); err != nil {
		return err
	}
	var errs []error
	for _, pr := range p.Procs {
		errs = append(errs, signal(pr, unix.SIGCONT))
	}
	return errors.Join(errs...)
}

// PIDsOfUser lists the processes whose real uid is uid (an account's
// sessions and everything it runs).
func PIDsOfUser(uid int) []int {
	var out []int
	for _, p := range allPIDs() {
		if u, err := uidOf(p); err == nil && u == uid {
			out = append(out, p)
		}
	}
	return out
}
