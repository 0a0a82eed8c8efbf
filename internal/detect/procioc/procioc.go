// Package procioc is the check behind `vigil files --ioc` on a live host
// for running programs: the executable of every process (through
// /proc/PID/exe, so a program deleted from disk after it started is still
// read) is hashed once per file and looked up in the indicator lists'
// hashes (internal/ioc). A hit names the processes, the digest and the
// list entry.
package procioc

import (
	"context"
	"os"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/files/memscan"
	"github.com/vigil-ir/vigil/internal/ioc"
	"github.com/vigil-ir/vigil/internal/model"
)

// Detector checks the running executables against hash indicators.
type Detector struct {
	set func() (*ioc.Set, error)
}

// New returns the check; set gives the loaded lists (shared with the file
// walk's indicator matcher, loaded once).
func New(set func() (*ioc.Set, error)) *Detector { return &Detector{set: set} }

// Name implements engine.Detector.
func (*Detector) Name() string { return "process-ioc" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 1 }

// NeedsLive implements engine.Detector: there are no processes in an image.
func (*Detector) NeedsLive() bool { return true }

// Rules implements engine.Detector.
func (*Detector) Rules() []string { return []string{ioc.RuleProcess} }

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	set, err := d.set()
	if err != nil {
		return err
	}
	skip := map[int]bool{os.Getpid(): true}
	res := ioc.ScanExecutables(ctx, env.Target, set, skip)
	self, _ := os.Executable()
	for _, h := range res.Hits {
		if self != "" && strings.TrimSuffix(h.Exe, " (deleted)") == self {
			continue // Vigil never reports itself
		}
		env.Emit(Finding(h))
	}
	if len(res.Denied) > 0 {
		env.GapMsg(model.GapError, "/proc", model.Msg("ioc.gap.exe-denied", len(res.Denied), pidList(res.Denied)))
	}
	for pid, e := range res.Errors {
		env.GapMsg(model.GapError, "/proc/"+strconv.Itoa(pid)+"/exe", model.Msg("ioc.gap.exe-error", e))
	}
	return ctx.Err()
}

// Finding turns a hit into a finding: the first process as pid and
// subject, every process and the list entry in the evidence. Its identity
// is the executable's path and digest, not the pid, so a restarted
// program is the same finding.
func Finding(h ioc.ExeHit) model.Finding {
	exe := strings.TrimSuffix(h.Exe, " (deleted)")
	ex := ioc.Extra(h.Indicator)
	ex["pids"] = pidList(h.PIDs)
	ex["matched_digest"] = h.Digest
	if h.Deleted {
		ex["deleted"] = "true"
	}
	return model.Finding{
		RuleID:  ioc.RuleProcess,
		Subject: "pid " + strconv.Itoa(h.PIDs[0]) + " (" + h.Exe + ")",
		Key:     ioc.RuleProcess + "\x00" + exe + "\x00" + h.SHA256,
		Evidence: model.Evidence{
			PID: h.PIDs[0], Path: exe, SHA256: h.SHA256, When: "running",
			Text: string(h.Indicator.Type) + " " + h.Indicator.Value, Extra: ex,
		},
	}
}

func pidList(pids []int) string { return memscan.PIDList(pids, 20) }
