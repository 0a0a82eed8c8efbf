package network

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
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// Rule ids.
const (
	ruleListen       = "network.listen"
	ruleListenOdd    = "network.listen-unpackaged"
	rulePoolPort     = "network.pool-port"
	ruleNoOwner      = "network.socket-no-owner"
	ruleRawSocket    = "network.raw-socket"
	rulePromisc      = "network.promisc"
	ruleIPForward    = "network.ip-forward"
	ruleReverseShell = "network.reverse-shell"
)

// Indicator ids (texts in rules/indicators.yaml).
const (
	indWritable    = "writable-location"
	indHidden      = "hidden-location"
	indNotPackaged = "not-from-package"
	indDeleted     = "exe-deleted"
	indMemfd       = "memfd-exe"
	indPoolPort    = "pool-port"
	indNoOwner     = "no-socket-owner"
	indSniffer     = "packet-capture"
	indSocketStdio = "shell-on-socket"
	indContainer   = "in-container"
)

// Detector is the socket and interface check.
type Detector struct {
	// RecheckDelay is the wait before a socket without an owner is looked
	// at again (0: DefaultRecheckDelay).
	RecheckDelay time.Duration
	// beforeRecheck, in tests, runs between the first look and the
	// re-check (to simulate a race).
	beforeRecheck func()
}

// DefaultRecheckDelay lets sockets opened or closed during the scan settle.
const DefaultRecheckDelay = 300 * time.Millisecond

// New returns the detector.
func New() *Detector { return &Detector{} }

// Name implements engine.Detector.
func (*Detector) Name() string { return "network" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 1 }

// NeedsLive implements engine.Detector: sockets exist only on a running
// host.
func (*Detector) NeedsLive() bool { return true }

// Rules implements engine.Detector.
func (*Detector) Rules() []string {
	return []string{ruleListen, ruleListenOdd, rulePoolPort, ruleNoOwner, ruleRawSocket, rulePromisc,
		ruleIPForward, ruleReverseShell}
}

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	r := &run{
		env:    env,
		t:      env.Target,
		snap:   engine.Shared(env, "procs", procs.Load),
		tb:     engine.Shared(env, "netsock", netsock.Load),
		pk:     inventory.Packages(env),
		uname:  inventory.Users(env).UserName,
		delay:  d.RecheckDelay,
		hook:   d.beforeRecheck,
		self:   -1,
		ifaces: readIfaces(env.Target, env),
	}
	if r.delay <= 0 {
		r.delay = DefaultRecheckDelay
	}
	if env.Target.Root() == "/" {
		r.self = os.Getpid()
	}
	r.owners = r.snap.SocketOwners()
	r.listenPorts = map[string]bool{}
	for _, s := range r.tb.Sockets {
		if s.Listening() {
			r.listenPorts[portKey(s.NetNS, s.Family(), s.Local.Port())] = true
		}
	}
	steps := []func(){r.listening, r.poolPorts, r.rawSockets, r.reverseShells, r.promisc, r.ipForward}
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		s()
	}
	return r.noOwner(ctx)
}

type run struct {
	env         *engine.Env
	t           *target.Target
	snap        *procs.Snapshot
	tb          *netsock.Table
	pk          pkgdb.View
	uname       func(int) string
	owners      map[uint64][]int
	listenPorts map[string]bool
	delay       time.Duration
	hook        func()
	self        int
	ifaces      []iface
}

func portKey(ns, fam string, port uint16) string {
	return ns + "\x00" + fam + "\x00" + strconv.Itoa(int(port))
}

// owner returns the process holding socket s (the lowest pid: a master
// process rather than its workers), or nil.
func (r *run) owner(s netsock.Socket) *procs.Process {
	pids := r.owners[s.Inode]
	if len(pids) == 0 {
		return nil
	}
	best := -1
	for _, pid := range pids {
		if best < 0 || pid < best {
			best = pid
		}
	}
	return r.snap.Get(best)
}

// pkgOf is the package of p's executable, "" when it cannot be known.
func (r *run) pkgOf(p *procs.Process) string {
	if p == nil || p.Exe == "" || p.Container != "" || p.Memfd {
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

func (r *run) user(p *procs.Process, uid int) string {
	if uid < 0 {
		return ""
	}
	if p != nil && p.Container != "" {
		return strconv.Itoa(uid)
	}
	return r.uname(uid)
}

// program is what the process runs: the script of an interpreter, else the
// executable.
func program(p *procs.Process) string {
	if s := procs.Script(p.Exe, p.Cmdline); s != "" {
		return procs.ResolveIn(p.Cwd, s)
	}
	return p.Exe
}

// oddExe lists why the owner's program is suspicious by where it lives. A
// deleted executable whose path holds a file again is an upgrade waiting
// for a restart, not a sign.
func (r *run) oddExe(p *procs.Process) []string {
	var out []string
	switch {
	case p.Memfd:
		return []string{indMemfd}
	case p.ExeDeleted:
		if _, err := r.t.Stat(procs.ExePath(p)); err != nil {
			out = append(out, indDeleted)
		}
	}
	prog := program(p)
	if places.Temporary(prog) {
		out = append(out, indWritable)
	}
	if places.HiddenDir(prog) != "" {
		out = append(out, indHidden)
	}
	return out
}

// evidence describes socket s and its owner p (nil when unknown).
func (r *run) evidence(s netsock.Socket, p *procs.Process, pkg string) model.Evidence {
	ev := model.Evidence{
		Text:  sockText(s),
		User:  r.user(p, s.UID),
		When:  "running",
		Extra: map[string]string{"proto": s.Proto, "inode": strconv.FormatUint(s.Inode, 10)},
	}
	if s.IsTCP() {
		ev.Extra["state"] = s.StateName()
	}
	if !s.HostNS && s.NetNS != "" {
		ev.Extra["netns"] = s.NetNS
	}
	if p == nil {
		ev.Extra["owner"] = "unknown"
		return ev
	}
	ev.Path, ev.PID, ev.Package = p.Exe, p.PID, pkg
	ev.Extra["name"] = p.Name
	ev.Extra["cmdline"] = textclip.Clip(p.CommandLine(), 512)
	ev.Extra["ppid"] = strconv.Itoa(p.PPID)
	if p.Cwd != "" {
		ev.Extra["cwd"] = p.Cwd
	}
	if !p.Start.IsZero() {
		ev.Extra["started"] = p.Start.UTC().Format(time.RFC3339)
	}
	if p.Container != "" {
		ev.Extra["container"] = p.Container
	}
	if n := len(r.owners[s.Inode]); n > 1 {
		ev.Extra["processes"] = strconv.Itoa(n)
	}
	return ev
}

func sockText(s netsock.Socket) string {
	switch {
	case s.Proto == "packet":
		return fmt.Sprintf("packet type=%d proto=0x%04x ifindex=%d", s.PacketType, s.PacketProto, s.Ifindex)
	case s.IsRaw():
		return fmt.Sprintf("%s protocol=%d", s.Proto, s.Local.Port())
	case s.Remote.Port() != 0:
		return fmt.Sprintf("%s %s -> %s %s", s.Proto, s.Local, s.Remote, s.StateName())
	default:
		return fmt.Sprintf("%s %s %s", s.Proto, s.Local, s.StateName())
	}
}

func exeOrName(p *procs.Process) string {
	if p == nil {
		return "?"
	}
	if p.Exe != "" {
		return p.Exe
	}
	return "[" + p.Name + "]"
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func joinSorted(m map[string]bool) string { return strings.Join(sortedKeys(m), ", ") }
