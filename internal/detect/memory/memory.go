// Package memory is the check behind `vigil files --memory`: the memory of
// running processes scanned with the same YARA rules as the files
// (internal/files/memscan: /proc/PID/mem read with pread, never ptrace).
// Live host only.
package memory

import (
	"context"

	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/files/memscan"
	"github.com/vigil-ir/vigil/internal/files/yara"
)

// Which processes to scan.
const (
	All        = "all"        // every process
	Suspicious = "suspicious" // processes a scan flagged, deleted, memfd or oddly placed programs
)

// Detector scans process memory.
type Detector struct {
	rules func() (*yara.Rules, error)
	which string
	opt   memscan.Options
	// flagged gives the pids that findings of the target's latest stored
	// scan name (the CLI reads the store; a detector never does).
	flagged func(context.Context) []int
}

// WithFlagged sets where Suspicious takes the pids a scan flagged.
func (d *Detector) WithFlagged(f func(context.Context) []int) *Detector {
	d.flagged = f
	return d
}

// New returns the check: rules gives the compiled set (shared with the
// file scan), which is All, Suspicious or ignored when opt.PIDs is set.
func New(rules func() (*yara.Rules, error), which string, opt memscan.Options) *Detector {
	return &Detector{rules: rules, which: which, opt: opt}
}

// Name implements engine.Detector.
func (*Detector) Name() string { return "memory" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 1 }

// NeedsLive implements engine.Detector: there are no processes in an image.
func (*Detector) NeedsLive() bool { return true }

// Rules implements engine.Detector.
func (*Detector) Rules() []string { return []string{memscan.RuleMemory} }

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	rules, err := d.rules()
	if err != nil {
		return err
	}
	opt := d.opt
	if len(opt.PIDs) == 0 && d.which == Suspicious {
		if opt.PIDs = d.suspicious(ctx, env); len(opt.PIDs) == 0 {
			return nil
		}
	}
	res, err := memscan.Scan(ctx, env.Target, rules, opt)
	if res != nil {
		for _, h := range res.Hits {
			env.Emit(memscan.Finding(h))
		}
		res.Gaps(env)
	}
	return err
}

// suspicious are the processes worth a memory scan when not all are: the
// pids that findings of the latest stored scan of this host carry (a
// reverse shell, a miner, a process with a deleted program ...) and still
// running, and those memscan.SuspiciousPIDs judges by their program
// (deleted from disk, run from a memfd, in a temporary, hidden or
// masquerading place).
func (d *Detector) suspicious(ctx context.Context, env *engine.Env) []int {
	var flagged []int
	if d.flagged != nil {
		flagged = d.flagged(ctx)
	}
	return memscan.SelectPIDs(env.Target, flagged)
}
