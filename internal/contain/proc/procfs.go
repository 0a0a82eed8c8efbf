package proc

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// procRoot is where /proc is read (tests keep the real one).
var procRoot = "/proc"

// pflagKthread marks a kernel thread in /proc/PID/stat's flags.
const pflagKthread = 0x00200000

// stat is what Vigil needs of /proc/PID/stat.
type stat struct {
	PID     int
	Comm    string
	State   byte
	PPID    int
	Session int
	Flags   uint64
	Start   uint64 // start time in clock ticks since boot: with the pid, the process's identity
}

// readStat parses /proc/PID/stat. The command name is between the first
// '(' and the last ')' (it may hold spaces and parentheses).
func readStat(pid int) (stat, error) {
	b, err := os.ReadFile(fmt.Sprintf("%s/%d/stat", procRoot, pid))
	if err != nil {
		return stat{}, err
	}
	return parseStat(pid, string(b))
}

func parseStat(pid int, s string) (stat, error) {
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return stat{}, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(s[end+1:])
	// After the name: state(0) ppid(1) pgrp(2) session(3) tty(4) tpgid(5)
	// flags(6) ... starttime(19).
	if len(f) < 20 || len(f[0]) != 1 {
		return stat{}, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	st := stat{PID: pid, Comm: s[open+1 : end], State: f[0][0]}
	var err error
	num := func(x string) uint64 {
		v, e := strconv.ParseUint(x, 10, 64)
		if e != nil && err == nil {
			err = fmt.Errorf("/proc/%d/stat: %q: %w", pid, x, e)
		}
		return v
	}
	st.PPID, st.Session, st.Flags, st.Start = int(num(f[1])), int(num(f[3])), num(f[6]), num(f[19])
	return st, err
}

// uidOf is the real uid of pid (the Uid: line of its status).
func uidOf(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("%s/%d/status", procRoot, pid))
	if err != nil {
		return -1, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "Uid:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				return strconv.Atoi(f[0])
			}
		}
	}
	return -1, fmt.Errorf("/proc/%d/status: no Uid line", pid)
}

// allPIDs lists the processes of /proc.
func allPIDs() []int {
	ents, _ := os.ReadDir(procRoot)
	var out []int
	for _, e := range ents {
		if pid, err := strconv.Atoi(e.Name()); err == nil && pid > 0 {
			out = append(out, pid)
		}
	}
	return out
}

// descendants returns pid's children, grandchildren ... (from a snapshot
// of /proc; processes forked later are not in it: the tree is stopped
// first, so none can be forked by it after the snapshot).
func descendants(pid int) []int {
	children := map[int][]int{}
	for _, p := range allPIDs() {
		if st, err := readStat(p); err == nil {
			children[st.PPID] = append(children[st.PPID], p)
		}
	}
	var out []int
	queue := []int{pid}
	seen := map[int]bool{pid: true}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
				queue = append(queue, c)
			}
		}
	}
	return out
}

// protected returns the processes Vigil must not stop without --force:
// itself and its ancestors (the operator's shell, sshd session, sudo ...)
// and every process of the operator's session, with the reason.
func protected() (map[int]string, int) {
	out := map[int]string{1: "pid 1 (init)"}
	self := os.Getpid()
	sess := 0
	for p, depth := self, 0; p > 1 && depth < 4096; depth++ {
		st, err := readStat(p)
		if err != nil {
			break
		}
		if p == self {
			sess = st.Session
			out[p] = "vigil itself"
		} else {
			out[p] = "an ancestor of vigil (the operator's session)"
		}
		p = st.PPID
	}
	return out, sess
}
