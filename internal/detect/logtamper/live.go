package logtamper

import (
	"path"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// maxFDs bounds the open-file links read on a live host.
const maxFDs = 200000

// rotatedName matches the names logrotate and journald give to copies they
// delete on their own (name.1, name.2.gz, name-20240101, system@...journal).
var rotatedName = lazyre.New(`(?:\.\d+(?:\.gz|\.xz|\.bz2|\.zst)?|-\d{8}(?:\.gz|\.xz|\.bz2|\.zst)?|\.gz|\.xz|\.bz2|\.zst|\.old|@.*|~)$`)

// deletedOpen lists, on a live host, log files that a process still holds
// open after they were deleted: the writer keeps logging into a file no
// one can see, the classic trace of "rm /var/log/auth.log".
func (r *run) deletedOpen() {
	if !r.t.IsLive() {
		return
	}
	procs, err := r.t.ReadDir("/proc")
	if err != nil {
		target.Record(r.env, "/proc", err)
		return
	}
	seen := 0
	reported := map[string]bool{}
	for _, pe := range procs {
		pid, err := strconv.Atoi(pe.Name())
		if err != nil {
			continue
		}
		fdDir := "/proc/" + pe.Name() + "/fd"
		fds, err := r.t.ReadDir(fdDir)
		if err != nil {
			continue // exited, or a kernel thread
		}
		for _, fe := range fds {
			seen++
			if seen > maxFDs {
				r.env.GapMsg(model.GapSkipped, "/proc", model.Msg("logtamper.gap.fds", maxFDs))
				return
			}
			dest, err := r.t.Readlink(fdDir + "/" + fe.Name())
			if err != nil {
				continue
			}
			p, deleted := strings.CutSuffix(dest, " (deleted)")
			if !deleted || !strings.HasPrefix(p, "/var/log/") || rotatedName.MatchString(path.Base(p)) || reported[p] {
				continue
			}
			if _, err := r.t.Lstat(p); err == nil {
				continue // a new file of that name exists: rotated, not erased
			}
			reported[p] = true
			comm, _ := r.t.ReadFile("/proc/"+pe.Name()+"/comm", 4096)
			name := strings.TrimSpace(string(comm))
			sev := model.High
			if !securityLogs[p] && !strings.HasPrefix(p, "/var/log/journal/") && !strings.HasPrefix(p, "/var/log/audit/") {
				sev = model.Medium
			}
			r.emitKey(ruleDeletedOpen, p, p, model.Evidence{
				Path: p, PID: pid, When: "running",
				Note:  model.Msg("logs.note.deleted-open", p, pid, name),
				Extra: map[string]string{"process": name, "fd": fe.Name()},
			}, sev, model.ConfHigh)
		}
	}
}
