package memscan

import "time"

// Duty is a CPU duty cycle: after each stretch of work the scan sleeps so
// that work takes at most Percent of the wall time (the rest is left to the
// server's services). Memory scanning is one thread, so Percent is a share
// of one CPU. The zero value (or 100 and more) never sleeps.
//
// Nice and ionice (internal/lowprio) only yield to busier processes; on an
// idle CPU they do not lower the scan's load, which monitoring and CPU
// credits on cloud hosts still count. The duty cycle does.
type Duty struct {
	Percent int
	// MaxSleep bounds one pause (a huge region's scan must not put the
	// scan to sleep for minutes at once); DefaultMaxSleep when 0.
	MaxSleep time.Duration
}

// DefaultMaxSleep bounds one pause of the duty cycle.
const DefaultMaxSleep = 5 * time.Second

// Active reports whether the duty cycle ever sleeps.
func (d Duty) Active() bool { return d.Percent > 0 && d.Percent < 100 }

// Sleep is how long to pause after work took the given time: work ×
// (100 − Percent) / Percent, so that work / (work + sleep) = Percent/100.
func (d Duty) Sleep(work time.Duration) time.Duration {
	if !d.Active() || work <= 0 {
		return 0
	}
	s := time.Duration(int64(work) * int64(100-d.Percent) / int64(d.Percent))
	maxSleep := d.MaxSleep
	if maxSleep <= 0 {
		maxSleep = DefaultMaxSleep
	}
	return min(s, maxSleep)
}

// pacer applies a Duty around units of work: Done after each unit sleeps
// what the duty cycle owes. now and sleep are the clock (replaced in tests,
// which check the sleeps asked for and never measure time).
type pacer struct {
	duty  Duty
	now   func() time.Time
	sleep func(time.Duration)
	start time.Time
	slept time.Duration // total pause, for the result
}

func newPacer(d Duty) *pacer {
	return &pacer{duty: d, now: time.Now, sleep: time.Sleep}
}

// Begin marks the start of a unit of work.
func (p *pacer) Begin() {
	if p.duty.Active() {
		p.start = p.now()
	}
}

// Done ends the unit of work and pauses for its share.
func (p *pacer) Done() {
	if !p.duty.Active() || p.start.IsZero() {
		return
	}
	if s := p.duty.Sleep(p.now().Sub(p.start)); s > 0 {
		p.sleep(s)
		p.slept += s
	}
	p.start = time.Time{}
}
