package procs

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Lister is how FindHidden sees /proc: the directory listing (what ps and a
// getdents-hooking rootkit's victims see) and direct look-ups of one pid
// (what such a rootkit usually forgets).
type Lister interface {
	List() (map[int]bool, error) // pids in the /proc listing
	Exists(pid int) bool         // /proc/PID answers when asked directly
	Tgid(pid int) int            // thread group of pid from its status, -1 when unreadable
	Tasks(pid int) []int         // thread ids in /proc/PID/task
	Children(pid int) []int      // child pids from /proc/PID/task/*/children
}

// TargetLister is the Lister of a target's own /proc.
type TargetLister struct{ T *target.Target }

// List implements Lister.
func (l TargetLister) List() (map[int]bool, error) {
	pids, err := ListPIDs(l.T)
	if err != nil {
		return nil, err
	}
	out := make(map[int]bool, len(pids))
	for _, p := range pids {
		out[p] = true
	}
	return out, nil
}

// Exists implements Lister.
func (l TargetLister) Exists(pid int) bool {
	_, err := l.T.Lstat(procDir(pid))
	return err == nil
}

// Tgid implements Lister.
func (l TargetLister) Tgid(pid int) int {
	b, err := l.T.ReadFile(procDir(pid)+"/status", smallLimit)
	if err != nil {
		return -1
	}
	st, err := ParseStatus(b)
	if err != nil {
		return -1
	}
	return st.Tgid
}

// Tasks implements Lister.
func (l TargetLister) Tasks(pid int) []int {
	ents, err := l.T.ReadDir(procDir(pid) + "/task")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range ents {
		if tid, ok := parsePID(e.Name()); ok {
			out = append(out, tid)
		}
	}
	return out
}

// Children implements Lister.
func (l TargetLister) Children(pid int) []int {
	var out []int
	for _, tid := range l.Tasks(pid) {
		b, err := l.T.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, tid), smallLimit)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if c, ok := parsePID(f); ok {
				out = append(out, c)
			}
		}
	}
	return out
}

// HiddenOptions tune FindHidden.
type HiddenOptions struct {
	Lister Lister        // nil: TargetLister of the target
	Delay  time.Duration // wait before the re-check; 0 means DefaultRecheckDelay
	Budget int           // most pids probed; 0 means ProbeBudget
}

// DefaultRecheckDelay is how long FindHidden waits before it re-checks a
// candidate, so that processes born or exiting during the probe settle.
const DefaultRecheckDelay = 300 * time.Millisecond

// ProbeBudget bounds the pids probed one by one (a few seconds of stat
// calls). pid_max can be 4194304; a larger range is recorded as a gap.
const ProbeBudget = 1 << 21

// Hidden is a process that answers when asked for by pid but is missing
// from the /proc listing.
type Hidden struct {
	PID    int
	Parent int    // the listed process that names it as a child, 0 if found by probing
	Via    string // "children" or "probe"
}

// FindHidden returns the processes hidden from the /proc listing. A
// candidate counts only if, after a delay, it still answers, is still not
// listed, and is its own thread group (a thread's /proc/TID answers but is
// never listed).
func FindHidden(ctx context.Context, t *target.Target, rec target.Recorder, opt HiddenOptions) ([]Hidden, error) {
	l := opt.Lister
	if l == nil {
		l = TargetLister{T: t}
	}
	if opt.Delay <= 0 {
		opt.Delay = DefaultRecheckDelay
	}
	if opt.Budget <= 0 {
		opt.Budget = ProbeBudget
	}
	listed, err := l.List()
	if err != nil {
		return nil, fmt.Errorf("list /proc: %w", err)
	}
	known := make(map[int]bool, len(listed)*2)
	cands := map[int]Hidden{}
	maxPID := 0
	for pid := range listed {
		known[pid] = true
		maxPID = max(maxPID, pid)
	}
	for pid := range listed {
		for _, tid := range l.Tasks(pid) {
			known[tid] = true
		}
	}
	for pid := range listed {
		for _, c := range l.Children(pid) {
			if !known[c] {
				cands[c] = Hidden{PID: c, Parent: pid, Via: "children"}
			}
		}
	}
	hi := min(pidMax(t), maxPID+1000)
	if hi > opt.Budget {
		rec.GapMsg(model.GapSkipped, "/proc", model.Msg("procs.gap.probe-budget", opt.Budget, hi))
		hi = opt.Budget
	}
	for pid := 1; pid <= hi; pid++ {
		if pid&0xfff == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if known[pid] {
			continue
		}
		if _, ok := cands[pid]; !ok && l.Exists(pid) {
			cands[pid] = Hidden{PID: pid, Via: "probe"}
		}
	}
	for pid := range cands {
		if tg := l.Tgid(pid); tg > 0 && tg != pid {
			delete(cands, pid) // a thread
		}
	}
	if len(cands) == 0 {
		return nil, nil
	}
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(opt.Delay):
	}
	relisted, err := l.List()
	if err != nil {
		return nil, fmt.Errorf("list /proc again: %w", err)
	}
	var out []Hidden
	for pid, h := range cands {
		if relisted[pid] || !l.Exists(pid) {
			continue // born during the probe, or gone: churn
		}
		if tg := l.Tgid(pid); tg > 0 && tg != pid {
			continue
		}
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PID < out[j].PID })
	return out, nil
}

// pidMax reads /proc/sys/kernel/pid_max (4194304, the kernel's ceiling,
// when unreadable).
func pidMax(t *target.Target) int {
	if b, err := t.ReadFile("/proc/sys/kernel/pid_max", smallLimit); err == nil {
		if v, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && v > 0 {
			return v
		}
	}
	return 1 << 22
}
