package memscan

import (
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/files/yara"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// RuleMemory is the catalog rule of a YARA rule matching process memory.
const RuleMemory = "files.memory.yara"

// Finding turns a hit into a finding: the rule's grade and technique as
// for a file, the process as subject and pid, the region and its address in
// the evidence. Its identity is the rule and the executable, not the pid, so
// the same program matching again after a restart is the same finding.
func Finding(h Hit) model.Finding {
	f := yara.Finding(h.Match, h.Exe)
	f.RuleID = RuleMemory
	f.Subject = h.Subject()
	f.Evidence.PID = h.PID
	f.Evidence.When = "running"
	f.Evidence.Extra["region"] = h.Region
	f.Evidence.Extra["region_address"] = "0x" + strconv.FormatUint(h.Address, 16)
	if h.Comm != "" {
		f.Evidence.Extra["comm"] = h.Comm
	}
	f.Key = RuleMemory + "\x00" + h.Match.Rule.Namespace + ":" + h.Match.Rule.Name + "\x00" + strings.TrimSuffix(h.Exe, " (deleted)")
	return f
}

// Gaps records what the scan could not cover: processes it was denied,
// failures, processes that exited (not errors, but not fully scanned) and
// processes whose byte cap stopped their scan.
func (r *Result) Gaps(rec target.Recorder) {
	list := func(pids []int) string { return PIDList(pids, 10) }
	if len(r.Denied) > 0 {
		rec.GapMsg(model.GapError, "/proc", model.Msg("memscan.gap.denied", len(r.Denied), list(r.Denied)))
	}
	for pid, e := range r.Errors {
		rec.GapMsg(model.GapError, "/proc/"+strconv.Itoa(pid)+"/mem", model.Msg("memscan.gap.error", e))
	}
	if len(r.Exited) > 0 {
		rec.GapMsg(model.GapSkipped, "/proc", model.Msg("memscan.gap.exited", len(r.Exited), list(r.Exited)))
	}
	if len(r.Truncated) > 0 {
		rec.GapMsg(model.GapSkipped, "/proc", model.Msg("memscan.gap.cap", len(r.Truncated), list(r.Truncated)))
	}
}

// PIDList writes pids for a message: at most max of them, then "…".
func PIDList(pids []int, max int) string {
	var s []string
	for i, p := range pids {
		if i == max {
			s = append(s, "…")
			break
		}
		s = append(s, strconv.Itoa(p))
	}
	return strings.Join(s, ", ")
}
