package procs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Process is one process of the target.
type Process struct {
	PID, PPID  int
	Name       string // comm, as the kernel knows it (15 bytes at most)
	State      string // one letter: R S D Z T I ...
	UID, EUID  int    // real and effective uid; -1 when unknown
	Threads    int
	Kernel     bool   // a kernel thread
	Exe        string // executable path; "" when there is none or it was unreadable
	ExeDeleted bool   // the file was deleted (or replaced) after the process started
	Memfd      bool   // the executable is an anonymous memfd: nothing on disk
	ExeDenied  bool   // the exe link could not be read (permission)
	Cmdline    []string
	Cwd        string
	Start      time.Time     // zero when unknown
	Runtime    time.Duration // how long it has run
	CPUTime    time.Duration // user + system time over its life
	RSS        int64         // resident memory in bytes
	Cgroup     string
	Container  string            // container id, "" on the host
	Env        map[string]string // LD_*, SSH_CONNECTION ... (see ParseEnviron)
	NetNS      string            // "net:[4026531840]"
	Sockets    []uint64          // inodes of the sockets it holds
	StdFDs     [3]string         // link targets of fds 0, 1 and 2 ("socket:[123]", "/dev/pts/0" ...)
}

// CommandLine is the command line joined with spaces, or "[name]" for a
// process without one (kernel threads, zombies), as ps shows it.
func (p *Process) CommandLine() string {
	if len(p.Cmdline) == 0 {
		return "[" + p.Name + "]"
	}
	return strings.Join(p.Cmdline, " ")
}

// CPUShare is the lifetime average CPU use: 1.0 is one core busy all the
// time (multi-threaded programs can exceed it).
func (p *Process) CPUShare() float64 {
	if p.Runtime <= 0 {
		return 0
	}
	return float64(p.CPUTime) / float64(p.Runtime)
}

// SocketInode returns the inode of the socket fd n (0..2) points at.
func (p *Process) SocketInode(n int) (uint64, bool) {
	if n < 0 || n > 2 {
		return 0, false
	}
	return ParseSocketLink(p.StdFDs[n])
}

// ParseSocketLink reads the inode of an fd link "socket:[12345]".
func ParseSocketLink(link string) (uint64, bool) {
	s, ok := strings.CutPrefix(link, "socket:[")
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, "]")
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 10, 64)
	return v, err == nil
}

// Snapshot is every process listed in the target's /proc at one moment.
type Snapshot struct {
	Procs    []*Process // sorted by pid
	Listed   map[int]bool
	BootTime time.Time // zero when /proc/stat has no btime
	// FDsComplete is false when some process's fd table could not be read:
	// socket owners are then incomplete and "no owner" proves nothing.
	FDsComplete bool
	byPID       map[int]*Process
}

// Get returns the process with pid, or nil.
func (s *Snapshot) Get(pid int) *Process {
	if s == nil {
		return nil
	}
	return s.byPID[pid]
}

// SocketOwners maps each socket inode to the pids holding it.
func (s *Snapshot) SocketOwners() map[uint64][]int {
	out := map[uint64][]int{}
	for _, p := range s.Procs {
		for _, ino := range p.Sockets {
			out[ino] = append(out[ino], p.PID)
		}
	}
	return out
}

// Limits on what one process may cost.
const (
	cmdlineLimit = 1 << 20
	environLimit = 1 << 20
	smallLimit   = 64 << 10
	// MaxFDs bounds the fds read per process; a larger table is a gap.
	MaxFDs = 1 << 18
)

// denied counts permission failures, reported once per kind.
type denied struct{ exe, fd, env int }

// Load reads every process of a live target. On an offline root it returns
// an empty snapshot: there are no processes to read.
func Load(t *target.Target, rec target.Recorder) *Snapshot {
	s := &Snapshot{Listed: map[int]bool{}, FDsComplete: true, byPID: map[int]*Process{}}
	if !t.IsLive() {
		return s
	}
	pids, err := ListPIDs(t)
	if err != nil {
		target.Record(rec, "/proc", err)
		s.FDsComplete = false
		return s
	}
	boot, uptime := clock(t, rec)
	s.BootTime = boot
	var d denied
	for _, pid := range pids {
		s.Listed[pid] = true
		p, err := readProcess(t, rec, pid, boot, uptime, &d)
		if err != nil {
			if !gone(t, pid) {
				target.Record(rec, procDir(pid), err)
			}
			continue
		}
		if p == nil {
			continue
		}
		s.Procs = append(s.Procs, p)
		s.byPID[pid] = p
	}
	// A process whose exe or fds are denied even to root (an LSM, another
	// user namespace) may hold sockets Vigil cannot see.
	if d.fd > 0 || d.exe > 0 {
		s.FDsComplete = false
	}
	who := "" // the ids end in ".root" when even root was refused
	if os.Geteuid() == 0 {
		who = ".root"
	}
	if d.fd > 0 {
		rec.GapMsg(model.GapError, "/proc/*/fd", model.Msg("procs.gap.fd"+who, d.fd))
	}
	if d.exe > 0 {
		rec.GapMsg(model.GapError, "/proc/*/exe", model.Msg("procs.gap.exe"+who, d.exe))
	}
	if d.env > 0 {
		rec.GapMsg(model.GapError, "/proc/*/environ", model.Msg("procs.gap.environ"+who, d.env))
	}
	return s
}

// ListPIDs returns the numeric entries of the target's /proc directory,
// sorted.
func ListPIDs(t *target.Target) ([]int, error) {
	ents, err := t.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	var pids []int
	for _, e := range ents {
		if pid, ok := parsePID(e.Name()); ok {
			pids = append(pids, pid)
		}
	}
	sort.Ints(pids)
	return pids, nil
}

func parsePID(name string) (int, bool) {
	if name == "" || name[0] < '1' || name[0] > '9' {
		return 0, false
	}
	pid, err := strconv.Atoi(name)
	return pid, err == nil && pid > 0
}

func procDir(pid int) string { return "/proc/" + strconv.Itoa(pid) }

// gone reports whether the process directory no longer exists: the process
// exited while it was read, which is normal churn.
func gone(t *target.Target, pid int) bool {
	_, err := t.Lstat(procDir(pid))
	return errors.Is(err, fs.ErrNotExist)
}

func isDenied(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EPERM)
}

// clock returns the boot time and the uptime of the target's kernel.
func clock(t *target.Target, rec target.Recorder) (time.Time, time.Duration) {
	var boot time.Time
	if b, ok := t.ReadFileRec(rec, "/proc/stat", 4<<20); ok {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "btime "); ok {
				if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
					boot = time.Unix(n, 0).UTC()
				}
			}
		}
	}
	var up time.Duration
	if b, ok := t.ReadFileRec(rec, "/proc/uptime", smallLimit); ok {
		if f := strings.Fields(string(b)); len(f) > 0 {
			if v, err := strconv.ParseFloat(f[0], 64); err == nil && v >= 0 {
				up = time.Duration(v * float64(time.Second))
			}
		}
	}
	return boot, up
}

func ticks(n uint64) time.Duration { return time.Duration(n) * time.Second / ClockTicks }

// readProcess reads one process. It returns nil, nil for a process that
// exited meanwhile, and an error when the process is there but unreadable.
func readProcess(t *target.Target, rec target.Recorder, pid int, boot time.Time, uptime time.Duration, d *denied) (*Process, error) {
	dir := procDir(pid)
	b, err := t.ReadFile(dir+"/stat", smallLimit)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH) {
			return nil, nil
		}
		return nil, fmt.Errorf("read %s/stat: %w", dir, err)
	}
	st, err := ParseStat(b)
	if err != nil {
		return nil, fmt.Errorf("%s/stat: %w", dir, err)
	}
	p := &Process{PID: pid, PPID: st.PPID, Name: st.Comm, State: st.State, UID: -1, EUID: -1, Threads: st.Threads}
	p.CPUTime = ticks(st.UTime + st.STime)
	start := ticks(st.StartTime)
	if !boot.IsZero() {
		p.Start = boot.Add(start)
	}
	if uptime > start {
		p.Runtime = uptime - start
	}
	kthread := st.Flags&pfKthread != 0
	if b, err := t.ReadFile(dir+"/status", smallLimit); err == nil {
		if ss, err := ParseStatus(b); err == nil {
			p.Name, p.UID, p.EUID = ss.Name, ss.UID[0], ss.UID[1]
			if ss.Threads > 0 {
				p.Threads = ss.Threads
			}
			p.RSS = ss.RSSKB * 1024
			if ss.Kthread == 1 {
				kthread = true
			}
		}
	}
	if b, err := readHead(t, dir+"/cmdline", cmdlineLimit); err == nil {
		p.Cmdline = SplitNUL(b)
	}
	if link, err := t.Readlink(dir + "/exe"); err == nil {
		p.Exe, p.ExeDeleted, p.Memfd = ParseExeLink(link)
	} else if isDenied(err) {
		p.ExeDenied = true
		d.exe++
	}
	if link, err := t.Readlink(dir + "/cwd"); err == nil {
		p.Cwd, _ = strings.CutSuffix(link, " (deleted)")
	}
	p.Kernel = kthread || ((pid == 2 || p.PPID == 2) && p.Exe == "" && !p.ExeDenied && len(p.Cmdline) == 0)
	if p.Kernel {
		return p, nil
	}
	if b, err := t.ReadFile(dir+"/environ", environLimit); err == nil {
		p.Env = ParseEnviron(b)
	} else if isDenied(err) {
		d.env++
	}
	if b, err := t.ReadFile(dir+"/cgroup", smallLimit); err == nil {
		p.Cgroup, p.Container = ParseCgroup(b)
	}
	if link, err := t.Readlink(dir + "/ns/net"); err == nil {
		p.NetNS = link
	}
	if err := readFDs(t, p); err != nil {
		switch {
		case isDenied(err):
			d.fd++
		case errors.Is(err, errTooManyFDs):
			target.Record(rec, dir+"/fd", err)
		default:
			target.Record(rec, dir+"/fd", err)
		}
	}
	return p, nil
}

// readFDs fills the socket inodes and the standard fds of p.
func readFDs(t *target.Target, p *Process) error {
	dir := procDir(p.PID) + "/fd"
	ents, err := t.ReadDir(dir)
	if err != nil {
		return err
	}
	var tooMany error
	if n := len(ents); n > MaxFDs {
		tooMany = fmt.Errorf("%w: read the first %d of %d", errTooManyFDs, MaxFDs, n)
		ents = ents[:MaxFDs]
	}
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		link, err := t.Readlink(dir + "/" + e.Name())
		if err != nil {
			continue // closed meanwhile
		}
		if n >= 0 && n <= 2 {
			p.StdFDs[n] = link
		}
		if ino, ok := ParseSocketLink(link); ok && !slices.Contains(p.Sockets, ino) {
			p.Sockets = append(p.Sockets, ino)
		}
	}
	return tooMany
}

var errTooManyFDs = errors.New("too many open files to read them all")

// FindSocketOwners scans the fd tables of every listed process afresh for
// the given socket inodes. Detectors use it to re-check a socket that had no
// owner in the snapshot before calling it orphaned.
func FindSocketOwners(t *target.Target, inodes map[uint64]bool) map[uint64][]int {
	out := map[uint64][]int{}
	pids, err := ListPIDs(t)
	if err != nil {
		return out
	}
	for _, pid := range pids {
		dir := procDir(pid) + "/fd"
		ents, err := t.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range ents {
			link, err := t.Readlink(dir + "/" + e.Name())
			if err != nil {
				continue
			}
			if ino, ok := ParseSocketLink(link); ok && inodes[ino] {
				out[ino] = append(out[ino], pid)
			}
		}
	}
	return out
}

// ReadOne reads process pid directly, whether or not /proc lists it (a
// hidden process answers direct reads). It returns nil, nil when the
// process does not exist.
func ReadOne(t *target.Target, rec target.Recorder, pid int) (*Process, error) {
	boot, up := clock(t, target.Discard{})
	var d denied
	return readProcess(t, rec, pid, boot, up, &d)
}

// readHead reads at most limit bytes of p: a command line padded past the
// limit (arguments may reach ARG_MAX) is still graded on its start, not
// dropped.
func readHead(t *target.Target, p string, limit int64) ([]byte, error) {
	f, err := t.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}
