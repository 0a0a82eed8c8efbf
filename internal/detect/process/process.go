package process

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/collect/netsock"
	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/collect/procs"
	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// Rule ids.
const (
	ruleHidden      = "process.hidden"
	ruleFileless    = "process.fileless"
	ruleDeleted     = "process.exe-deleted"
	ruleOddPlace    = "process.exe-odd-place"
	ruleFakeKthread = "process.fake-kernel-thread"
	ruleMiner       = "process.miner"
	ruleCmdline     = "process.cmdline"
	ruleHighCPU     = "process.high-cpu"
	rulePreload     = "process.ld-preload"
	ruleRWX         = "process.memory-rwx"
	ruleMapFile     = "process.memory-odd-file"
	ruleOrphan      = "process.orphan-odd-place"
)

// Indicator ids (texts in rules/indicators.yaml).
const (
	indWritable    = "writable-location"
	indHidden      = "hidden-location"
	indNotPackaged = "not-from-package"
	indMissing     = "missing-file"
	indPreload     = "ld-preload"
	indMiner       = "miner"
	indDeleted     = "exe-deleted"
	indMemfd       = "memfd-exe"
	indFakeKthread = "fake-kernel-thread"
	indHighCPU     = "high-cpu"
	indPoolPort    = "pool-port"
	indRWX         = "rwx-memory"
	indHiddenProc  = "hidden-process"
	indOrphan      = "orphan-process"
	indContainer   = "in-container"
)

// Detector is the running process check.
type Detector struct {
	// Lister replaces the target's /proc for the hidden process probe
	// (tests simulate a rootkit with it). nil: the target's own.
	Lister procs.Lister
	// RecheckDelay is the wait before a hidden process candidate is
	// checked again (0: procs.DefaultRecheckDelay).
	RecheckDelay time.Duration
}

// New returns the detector.
func New() *Detector { return &Detector{} }

// Name implements engine.Detector.
func (*Detector) Name() string { return "process" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 1 }

// NeedsLive implements engine.Detector: processes exist only on a running
// host.
func (*Detector) NeedsLive() bool { return true }

// Rules implements engine.Detector.
func (*Detector) Rules() []string {
	return []string{ruleHidden, ruleFileless, ruleDeleted, ruleOddPlace, ruleFakeKthread, ruleMiner,
		ruleCmdline, ruleHighCPU, rulePreload, ruleRWX, ruleMapFile, ruleOrphan}
}

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	r := &run{
		env:   env,
		t:     env.Target,
		snap:  engine.Shared(env, "procs", procs.Load),
		socks: engine.Shared(env, "netsock", netsock.Load),
		pk:    inventory.Packages(env),
		uname: inventory.Users(env).UserName,
		self:  -1,
		acc:   map[string]*group{},
	}
	if env.Target.Root() == "/" {
		r.self = os.Getpid()
	}
	for _, p := range r.snap.Procs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if p.PID == r.self {
			continue
		}
		r.check(p)
	}
	r.preloads()
	r.flush()
	return r.hidden(ctx, d)
}

type run struct {
	env   *engine.Env
	t     *target.Target
	snap  *procs.Snapshot
	socks *netsock.Table
	pk    pkgdb.View
	uname func(int) string
	self  int
	acc   map[string]*group
	order []string
	pre   []*procs.Process // processes with LD_PRELOAD, judged together
}

// group is one finding standing for every process it fits (nginx workers,
// a session's children): the first process is the evidence.
type group struct {
	f    model.Finding
	pids []int
}

// add queues f for the process pid; findings with the same rule and key
// are merged.
func (r *run) add(f model.Finding, pid int) {
	k := f.RuleID + "\x00" + f.Key
	g, ok := r.acc[k]
	if !ok {
		g = &group{f: f}
		r.acc[k] = g
		r.order = append(r.order, k)
	}
	g.pids = append(g.pids, pid)
}

func (r *run) flush() {
	for _, k := range r.order {
		g := r.acc[k]
		if len(g.pids) > 1 {
			if g.f.Evidence.Extra == nil {
				g.f.Evidence.Extra = map[string]string{}
			}
			g.f.Evidence.Extra["processes"] = strconv.Itoa(len(g.pids))
			g.f.Evidence.Extra["pids"] = joinPIDs(g.pids, 20)
		}
		r.env.Emit(g.f)
	}
}

func joinPIDs(pids []int, most int) string {
	sort.Ints(pids)
	var b strings.Builder
	for i, p := range pids {
		if i == most {
			fmt.Fprintf(&b, " ... (%d more)", len(pids)-most)
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(p))
	}
	return b.String()
}

// user names uid, or its number inside a container (whose accounts are
// not the host's).
func (r *run) user(p *procs.Process, uid int) string {
	if uid < 0 {
		return ""
	}
	if p.Container != "" {
		return strconv.Itoa(uid)
	}
	return r.uname(uid)
}

// pkgOf is the package owning the process's executable: "" when it cannot
// be known (a container's file system, a deleted or memfd executable).
func (r *run) pkgOf(p *procs.Process) string {
	if p.Exe == "" || p.Container != "" || p.Memfd {
		return ""
	}
	if p.ExeDeleted {
		// Upgraded under the running process: the path holds the package's
		// new file. Gone altogether: nothing to look up.
		if _, err := r.t.Stat(procs.ExePath(p)); err != nil {
			return ""
		}
	}
	return r.pk.Owner(p.Exe)
}

// program is what the process runs: the script for an interpreter
// (python /tmp/x.py), else the executable.
func program(p *procs.Process) string {
	if s := procs.Script(p.Exe, p.Cmdline); s != "" {
		return procs.ResolveIn(p.Cwd, s)
	}
	return p.Exe
}

const textLimit = 512

// finding builds a finding about p with the shared evidence.
func (r *run) finding(rule string, p *procs.Process, pkg string, inds ...string) model.Finding {
	ev := model.Evidence{
		Path:    p.Exe,
		Text:    textclip.Clip(p.CommandLine(), textLimit),
		PID:     p.PID,
		User:    r.user(p, p.UID),
		Package: pkg,
		When:    "running",
		Extra:   map[string]string{"ppid": strconv.Itoa(p.PPID), "name": p.Name},
	}
	if p.Cwd != "" {
		ev.Extra["cwd"] = p.Cwd
	}
	if !p.Start.IsZero() {
		ev.Extra["started"] = p.Start.UTC().Format(time.RFC3339)
	}
	if p.Container != "" {
		ev.Extra["container"] = p.Container
		inds = append(inds, indContainer)
	}
	if p.EUID >= 0 && p.EUID != p.UID {
		ev.Extra["effective_user"] = r.user(p, p.EUID)
	}
	if p.Runtime > 0 {
		ev.Extra["cpu_lifetime"] = fmt.Sprintf("%.0f%%", p.CPUShare()*100)
	}
	if p.RSS > 0 {
		ev.Extra["rss_kb"] = strconv.FormatInt(p.RSS/1024, 10)
	}
	if ev.Path == "" && p.Memfd {
		ev.Path = p.Exe
	}
	subject := p.Exe
	if subject == "" {
		subject = textclip.Clip(p.CommandLine(), 120)
	}
	return model.Finding{
		RuleID:     rule,
		Subject:    fmt.Sprintf("%s (pid %d)", subject, p.PID),
		Indicators: inds,
		Evidence:   ev,
		Key:        p.Exe + "\x00" + strings.Join(p.Cmdline, " "),
	}
}
