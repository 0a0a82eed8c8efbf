package procs_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/collect/procs"
	"github.com/vigil-ir/vigil/internal/collect/procs/proctest"
	"github.com/vigil-ir/vigil/internal/target"
)

// fakeLister serves a scripted /proc: each List call returns the next
// listing; exists and tgids answer direct probes, per call number.
type fakeLister struct {
	listings []map[int]bool
	exists   func(pid, call int) bool
	tgid     map[int]int
	tasks    map[int][]int
	children map[int][]int
	calls    int
}

func (f *fakeLister) List() (map[int]bool, error) {
	l := f.listings[min(f.calls, len(f.listings)-1)]
	f.calls++
	return l, nil
}
func (f *fakeLister) Exists(pid int) bool { return f.exists(pid, f.calls) }
func (f *fakeLister) Tgid(pid int) int {
	if tg, ok := f.tgid[pid]; ok {
		return tg
	}
	return pid
}
func (f *fakeLister) Tasks(pid int) []int    { return f.tasks[pid] }
func (f *fakeLister) Children(pid int) []int { return f.children[pid] }

func set(pids ...int) map[int]bool {
	m := map[int]bool{}
	for _, p := range pids {
		m[p] = true
	}
	return m
}

func TestFindHidden(t *testing.T) {
	base := set(1, 2, 300, 301)
	tests := []struct {
		name string
		l    *fakeLister
		want []int
	}{
		{"getdents-hidden process", &fakeLister{
			listings: []map[int]bool{base, base},
			exists:   func(pid, _ int) bool { return base[pid] || pid == 666 },
		}, []int{666}},
		{"found through its parent's children list", &fakeLister{
			listings: []map[int]bool{base, base},
			exists:   func(pid, _ int) bool { return base[pid] || pid == 40000 },
			children: map[int][]int{1: {300, 40000}},
		}, []int{40000}},
		{"born during the probe: listed on the re-check", &fakeLister{
			listings: []map[int]bool{base, set(1, 2, 300, 301, 302)},
			exists:   func(pid, _ int) bool { return base[pid] || pid == 302 },
		}, nil},
		{"exited before the re-check", &fakeLister{
			listings: []map[int]bool{base, base},
			exists:   func(pid, call int) bool { return base[pid] || (pid == 305 && call < 2) },
		}, nil},
		{"threads answer but are never listed", &fakeLister{
			listings: []map[int]bool{base, base},
			exists:   func(pid, _ int) bool { return base[pid] || pid == 310 || pid == 311 },
			tasks:    map[int][]int{300: {300, 310}},
			tgid:     map[int]int{311: 301},
		}, nil},
		{"thread of a hidden process is not a second finding", &fakeLister{
			listings: []map[int]bool{base, base},
			exists:   func(pid, _ int) bool { return base[pid] || pid == 500 || pid == 501 },
			tgid:     map[int]int{501: 500},
		}, []int{500}},
	}
	tg := target.NewUnchecked(proctest.Root(t, "-- proc/sys/kernel/pid_max --\n32768\n"), true)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var g gaps
			hs, err := procs.FindHidden(context.Background(), tg, &g, procs.HiddenOptions{Lister: tc.l, Delay: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, h := range hs {
				got = append(got, h.PID)
			}
			if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
				t.Errorf("hidden = %v, want %v", got, tc.want)
			}
			if len(g.Gaps) != 0 {
				t.Errorf("gaps: %+v", g.Gaps)
			}
		})
	}
}

// A pid space larger than the budget is a gap, never silence.
func TestFindHiddenBudget(t *testing.T) {
	tg := target.NewUnchecked(proctest.Root(t, "-- proc/sys/kernel/pid_max --\n4194304\n"), true)
	l := &fakeLister{listings: []map[int]bool{set(1, 90000)}, exists: func(pid, _ int) bool { return pid == 1 || pid == 90000 }}
	var g gaps
	if _, err := procs.FindHidden(context.Background(), tg, &g, procs.HiddenOptions{Lister: l, Delay: time.Millisecond, Budget: 50000}); err != nil {
		t.Fatal(err)
	}
	if len(g.Gaps) != 1 {
		t.Fatalf("gaps = %+v, want one budget gap", g.Gaps)
	}
}

// On a real fixture tree nothing is hidden: the listing and the probes agree.
func TestFindHiddenFixture(t *testing.T) {
	tg := target.NewUnchecked(proctest.Host(t), true)
	hs, err := procs.FindHidden(context.Background(), tg, target.Discard{}, procs.HiddenOptions{Delay: time.Millisecond})
	if err != nil || len(hs) != 0 {
		t.Fatalf("hidden on the clean host: %v %v", hs, err)
	}
}
