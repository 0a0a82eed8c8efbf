package evidence

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/collect/netsock"
	"github.com/vigil-ir/vigil/internal/collect/procs"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// kernelFiles are read whole from a live host's /proc, in order of
// volatility: clock, network, modules, mounts (processes and their
// executables come from the procs collector in between).
var (
	clockFiles   = []string{"/proc/uptime", "/proc/stat", "/proc/loadavg", "/proc/version", "/proc/cmdline"}
	networkFiles = []string{"/proc/net/tcp", "/proc/net/tcp6", "/proc/net/udp", "/proc/net/udp6", "/proc/net/raw",
		"/proc/net/raw6", "/proc/net/unix", "/proc/net/packet", "/proc/net/route", "/proc/net/ipv6_route",
		"/proc/net/arp", "/proc/net/dev", "/proc/net/if_inet6"}
	userFiles   = []string{"/run/utmp"}
	moduleFiles = []string{"/proc/modules", "/proc/sys/kernel/tainted"}
	mountFiles  = []string{"/proc/1/mountinfo", "/proc/self/mountinfo"}
)

// kernelLimit bounds one kernel file.
const kernelLimit = 256 << 20

// volatileEntry is one piece of the volatile part, read before anything
// else is written: its content in memory, or an open executable.
type volatileEntry struct {
	item Item
	data []byte
	exe  *os.File // a suspicious process's executable, held open from the start
}

// volatileSnapshot reads the live state of t first, in order of
// volatility. On an offline root it records, for each kind, why nothing
// was read: the analysing machine's own state never enters the archive.
func volatileSnapshot(t *target.Target, now time.Time, selfPID int, copyExe bool, rec *Plan) []volatileEntry {
	if !t.IsLive() {
		for _, what := range []string{"clock", "network", "processes", "users", "modules", "mounts"} {
			rec.skip("/proc ("+what+")", SectionVolatile, model.Msg("evidence.skip.offline", what))
		}
		return nil
	}
	var out []volatileEntry
	gaps := &target.GapLog{}
	kernel := func(files []string) {
		for _, p := range files {
			b, err := t.ReadFile(p, kernelLimit)
			if err != nil {
				rec.skip(p, SectionVolatile, target.ErrMessage(err))
				continue
			}
			out = append(out, volatileEntry{item: Item{Name: "files" + p, Path: p, Section: SectionVolatile, Kind: KindKernel, Mode: "0444"}, data: b})
		}
	}
	generated := func(name string, v any) {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return
		}
		out = append(out, volatileEntry{item: Item{Name: "vigil/" + name, Section: SectionVolatile, Kind: KindGenerated, Mode: "0444", Mtime: now}, data: append(b, '\n')})
	}
	kernel(clockFiles)
	generated("clock.json", clockOf(t, now))

	kernel(networkFiles)
	snap := procs.Load(t, gaps)
	socks := netsock.Load(t, gaps)
	generated("sockets.json", socketRecords(socks, snap))

	generated("processes.json", processRecords(snap))
	if copyExe {
		out = append(out, suspectExes(t, snap, selfPID, rec)...)
	}
	kernel(userFiles)
	kernel(moduleFiles)
	kernel(mountFiles)
	for _, g := range gaps.Gaps {
		rec.skip(g.Path, SectionVolatile, g.Msg)
	}
	return out
}

// clock is what vigil/clock.json records: the time of collection by the
// host's clock, its uptime and boot time.
type clock struct {
	CollectedAt time.Time `json:"collected_at"`
	Zone        string    `json:"zone"`
	Uptime      float64   `json:"uptime_seconds"`
	BootTime    time.Time `json:"boot_time,omitzero"`
}

func clockOf(t *target.Target, now time.Time) clock {
	c := clock{CollectedAt: now.UTC()}
	c.Zone, _ = now.Zone()
	if b, err := t.ReadFile("/proc/uptime", 4096); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			c.Uptime, _ = strconv.ParseFloat(f[0], 64)
		}
	}
	if b, err := t.ReadFile("/proc/stat", 4<<20); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "btime "); ok {
				if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
					c.BootTime = time.Unix(n, 0).UTC()
				}
			}
		}
	}
	return c
}

// process is one line of vigil/processes.json.
type process struct {
	PID        int               `json:"pid"`
	PPID       int               `json:"ppid"`
	Name       string            `json:"name"`
	State      string            `json:"state"`
	UID        int               `json:"uid"`
	EUID       int               `json:"euid"`
	Exe        string            `json:"exe,omitempty"`
	ExeDeleted bool              `json:"exe_deleted,omitempty"`
	Memfd      bool              `json:"memfd,omitempty"`
	Cmdline    []string          `json:"cmdline,omitempty"`
	Cwd        string            `json:"cwd,omitempty"`
	Start      time.Time         `json:"start,omitzero"`
	RSS        int64             `json:"rss"`
	Container  string            `json:"container,omitempty"`
	Env        map[string]string `json:"env,omitempty"`
	NetNS      string            `json:"netns,omitempty"`
	Sockets    []uint64          `json:"sockets,omitempty"`
	Kernel     bool              `json:"kernel_thread,omitempty"`
}

func processRecords(s *procs.Snapshot) []process {
	out := make([]process, 0, len(s.Procs))
	for _, p := range s.Procs {
		out = append(out, process{PID: p.PID, PPID: p.PPID, Name: p.Name, State: p.State, UID: p.UID, EUID: p.EUID,
			Exe: p.Exe, ExeDeleted: p.ExeDeleted, Memfd: p.Memfd, Cmdline: p.Cmdline, Cwd: p.Cwd, Start: p.Start,
			RSS: p.RSS, Container: p.Container, Env: p.Env, NetNS: p.NetNS, Sockets: p.Sockets, Kernel: p.Kernel})
	}
	return out
}

// socket is one line of vigil/sockets.json: a socket and the processes
// holding it.
type socket struct {
	Proto  string `json:"proto"`
	Local  string `json:"local"`
	Remote string `json:"remote,omitempty"`
	State  string `json:"state,omitempty"`
	UID    int    `json:"uid"`
	Inode  uint64 `json:"inode"`
	NetNS  string `json:"netns,omitempty"`
	PIDs   []int  `json:"pids,omitempty"`
}

func socketRecords(tb *netsock.Table, s *procs.Snapshot) []socket {
	owners := s.SocketOwners()
	out := make([]socket, 0, len(tb.Sockets))
	for _, so := range tb.Sockets {
		r := socket{Proto: so.Proto, Local: so.Local.String(), UID: so.UID, Inode: so.Inode, NetNS: so.NetNS, PIDs: owners[so.Inode]}
		if so.IsTCP() {
			r.State = so.StateName()
		}
		if so.Remote.IsValid() && !so.Remote.Addr().IsUnspecified() {
			r.Remote = so.Remote.String()
		}
		out = append(out, r)
	}
	return out
}

// Suspect reports why the executable of p is copied: deleted since it
// started, a memfd, or in a place programs are dropped rather than
// installed (grade/places). "" when it is not.
func Suspect(p *procs.Process) string {
	switch {
	case p.Kernel || p.Exe == "":
		return ""
	case p.Memfd:
		return "memfd"
	case p.ExeDeleted:
		return "deleted"
	case places.Odd(p.Exe):
		return "place"
	}
	return ""
}

// suspectExes opens the executables of suspicious processes through
// /proc/PID/exe (which still reads a deleted file).
func suspectExes(t *target.Target, snap *procs.Snapshot, selfPID int, rec *Plan) []volatileEntry {
	var out []volatileEntry
	ps := slices.Clone(snap.Procs)
	slices.SortFunc(ps, func(a, b *procs.Process) int { return a.PID - b.PID })
	for _, p := range ps {
		why := Suspect(p)
		if why == "" || p.PID == selfPID {
			continue
		}
		src := fmt.Sprintf("/proc/%d/exe", p.PID)
		f, err := t.Open(src)
		if err != nil {
			rec.skip(src, SectionVolatile, target.ErrMessage(err))
			continue
		}
		it, err := statItem(f, Item{Name: fmt.Sprintf("vigil/exe/%d-%s", p.PID, path.Base(p.Name)), Path: p.Exe, Section: SectionVolatile, Kind: KindFile})
		if err != nil {
			f.Close()
			rec.skip(src, SectionVolatile, target.ErrMessage(err))
			continue
		}
		m := model.Msg("evidence.note.suspect-exe", p.PID, why)
		it.Note = &m
		out = append(out, volatileEntry{item: it, exe: f})
	}
	return out
}
