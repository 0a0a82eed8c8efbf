package memscan

import (
	"context"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/target"
)

func TestDutySleep(t *testing.T) {
	ms := time.Millisecond
	for _, c := range []struct {
		duty Duty
		work time.Duration
		want time.Duration
	}{
		{Duty{}, 10 * ms, 0},
		{Duty{Percent: 100}, 10 * ms, 0},
		{Duty{Percent: 150}, 10 * ms, 0},
		{Duty{Percent: -5}, 10 * ms, 0},
		{Duty{Percent: 50}, 10 * ms, 10 * ms},
		{Duty{Percent: 25}, 10 * ms, 30 * ms},
		{Duty{Percent: 10}, 10 * ms, 90 * ms},
		{Duty{Percent: 1}, 10 * ms, 990 * ms},
		{Duty{Percent: 10}, 0, 0},
		{Duty{Percent: 1}, time.Minute, DefaultMaxSleep},
		{Duty{Percent: 10, MaxSleep: 20 * ms}, 10 * ms, 20 * ms},
	} {
		if got := c.duty.Sleep(c.work); got != c.want {
			t.Errorf("%+v.Sleep(%s) = %s, want %s", c.duty, c.work, got, c.want)
		}
	}
}

// fakeClock advances by step at every reading and records the pauses
// asked for: the duty cycle is tested on the pauses it computes, never by
// measuring time.
type fakeClock struct {
	now    time.Time
	step   time.Duration
	sleeps []time.Duration
}

func (c *fakeClock) pacer(d Duty) *pacer {
	p := newPacer(d)
	p.now = func() time.Time { c.now = c.now.Add(c.step); return c.now }
	p.sleep = func(s time.Duration) { c.sleeps = append(c.sleeps, s) }
	return p
}

// TestDutyCyclePausesEachRegion: with --max-cpu 20, every region read and
// matched (10 ms of work on the fake clock) is followed by a 40 ms pause;
// without a cap there is none.
func TestDutyCyclePausesEachRegion(t *testing.T) {
	cmd := child(t)
	for _, pct := range []int{0, 20} {
		clk := &fakeClock{now: time.Unix(0, 0), step: 10 * time.Millisecond}
		opt := Options{PIDs: []int{cmd.Process.Pid}, Duty: Duty{Percent: pct}}
		opt.pacer = clk.pacer(opt.Duty)
		res, err := Scan(context.Background(), target.Live(), markerRules(t), opt)
		if err != nil {
			t.Fatal(err)
		}
		if pct == 0 {
			if len(clk.sleeps) != 0 || res.Paused != 0 {
				t.Errorf("no cap: paused %v", clk.sleeps)
			}
			continue
		}
		if res.Regions == 0 || len(clk.sleeps) < res.Regions {
			t.Fatalf("%d regions read, %d pauses", res.Regions, len(clk.sleeps))
		}
		var total time.Duration
		for _, s := range clk.sleeps {
			if s != 40*time.Millisecond {
				t.Errorf("pause %s, want 40ms (10ms of work at 20%%)", s)
			}
			total += s
		}
		if res.Paused != total {
			t.Errorf("Result.Paused %s, pauses %s", res.Paused, total)
		}
	}
}
