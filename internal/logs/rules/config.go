package rules

import "time"

// Config tunes the rules. The zero value of a field means its default
// (Defaults); Normalize fills them.
type Config struct {
	// BruteThreshold failed logins within BruteWindow from one source
	// address (or against one account) make a brute-force finding.
	BruteThreshold int
	BruteWindow    time.Duration
	// SprayUsers distinct accounts tried from one source within
	// SprayWindow make a password-spraying finding.
	SprayUsers  int
	SprayWindow time.Duration
	// SuccessAfter failures from a source, the last of them at most
	// SuccessWindow before a successful login from it, make that login a
	// likely compromise.
	SuccessAfter  int
	SuccessWindow time.Duration
	// LearnFor is how long, from the first event, the stream only learns
	// which addresses and accounts log in (first-seen rules) and at which
	// hours each account logs in (UnusualMin logins at least before an
	// hour is judged).
	LearnFor   time.Duration
	UnusualMin int
	// GapMin is the shortest silence in a busy log (GapDense events in the
	// hour before it) reported as a gap in time.
	GapMin   time.Duration
	GapDense int
	// MaxKeys caps every per-key map (sources, users, folded findings).
	MaxKeys int
	// Web tunes the web rules.
	Web WebConfig
}

// Defaults returns the default configuration.
func Defaults() Config {
	return Config{
		BruteThreshold: 10, BruteWindow: 10 * time.Minute,
		SprayUsers: 5, SprayWindow: 30 * time.Minute,
		SuccessAfter: 5, SuccessWindow: time.Hour,
		LearnFor: 72 * time.Hour, UnusualMin: 20,
		GapMin: 6 * time.Hour, GapDense: 30,
		MaxKeys: 50_000,
		Web:     defaultWeb(),
	}
}

// Normalize returns c with every unset field at its default.
func (c Config) Normalize() Config {
	d := Defaults()
	setInt := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	setDur := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	setInt(&c.BruteThreshold, d.BruteThreshold)
	setDur(&c.BruteWindow, d.BruteWindow)
	setInt(&c.SprayUsers, d.SprayUsers)
	setDur(&c.SprayWindow, d.SprayWindow)
	setInt(&c.SuccessAfter, d.SuccessAfter)
	setDur(&c.SuccessWindow, d.SuccessWindow)
	setDur(&c.LearnFor, d.LearnFor)
	setInt(&c.UnusualMin, d.UnusualMin)
	setDur(&c.GapMin, d.GapMin)
	setInt(&c.GapDense, d.GapDense)
	setInt(&c.MaxKeys, d.MaxKeys)
	c.Web = c.Web.normalize()
	return c
}
