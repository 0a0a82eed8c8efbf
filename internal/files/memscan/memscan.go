// Package memscan scans the memory of running processes with the YARA
// rules of the file scan, on the live host only.
//
// It never attaches to a process (no ptrace: PTRACE_ATTACH stops the
// target, and scanners that used it left sshd and syslogd stopped): it reads
// /proc/PID/maps and smaps and then /proc/PID/mem with pread, which the
// kernel serves without stopping the process (the caller needs the same
// access as ptrace's read mode: root, or the process's owner). Regions are
// filtered before reading: only readable anonymous memory, heap, stack,
// writable or deleted file mappings and memfd regions are read (a
// read-only mapping of a file that is still on disk is the file scan's
// business); [vvar], [vsyscall], [vdso], device mappings (/dev/...) and
// every region the kernel flags VM_IO or VM_PFNMAP (smaps VmFlags io, pf)
// are never touched, since reading device memory has crashed hosts. Bytes
// are capped per region and per process. A process that exits during its
// scan is recorded as exited, not as an error.
//
// The caller lowers the scan's CPU and I/O priority (internal/lowprio) as
// for any live scan; Options.Duty caps its CPU share with a duty cycle
// (work, then a pause in proportion: --max-cpu), and Options.Pause adds a
// pause between processes.
package memscan

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vigil-ir/vigil/internal/collect/procs"
	"github.com/vigil-ir/vigil/internal/files/yara"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/target"
)

// Defaults of Options.
const (
	DefaultMaxProcessBytes = 256 << 20
	DefaultMaxRegionBytes  = 64 << 20
)

// Options bound a memory scan.
type Options struct {
	PIDs            []int         // the processes to scan; empty: every process
	MaxProcessBytes int64         // bytes read per process (DefaultMaxProcessBytes)
	MaxRegionBytes  int64         // bytes read per region (DefaultMaxRegionBytes); the rest is skipped and counted
	Timeout         time.Duration // YARA timeout per region (yara.DefaultTimeout)
	Pause           time.Duration // pause between processes (low impact)
	Skip            []int         // pids never scanned (Vigil itself is always skipped)
	// Duty caps the scan's CPU: after reading and matching each region it
	// pauses so that work is at most Duty.Percent of the time (--max-cpu).
	Duty Duty

	pacer *pacer // tests: a clock that records the pauses
}

// Hit is a rule that matched a process's memory.
type Hit struct {
	PID     int
	Exe     string // /proc/PID/exe target ("" when unreadable); " (deleted)" kept
	Comm    string
	Match   yara.Match // string offsets are addresses in the process
	Region  string     // the mapping's path, or [heap], [stack], "" for anonymous
	Address uint64     // start of the region
}

// Result is what a memory scan did.
type Result struct {
	Hits      []Hit
	Scanned   int            // processes whose memory was read
	Exited    []int          // processes gone before or during their scan (not errors)
	Denied    []int          // processes whose memory could not be read (permission)
	Errors    map[int]string // other failures, by pid
	Bytes     int64          // bytes read
	Regions   int            // regions read
	Skipped   map[string]int // regions not read, by reason (device, io, vvar, file-on-disk, cap, unreadable)
	Truncated []int          // processes whose byte cap stopped the scan
	Paused    time.Duration  // time the duty cycle (Options.Duty) paused the scan
}

// Scan scans the memory of the processes of the live target t with rules.
func Scan(ctx context.Context, t *target.Target, rules *yara.Rules, opt Options) (*Result, error) {
	if !t.IsLive() || t.Root() != "/" {
		return nil, errors.New("process memory can only be scanned on the live host")
	}
	if opt.MaxProcessBytes <= 0 {
		opt.MaxProcessBytes = DefaultMaxProcessBytes
	}
	if opt.MaxRegionBytes <= 0 {
		opt.MaxRegionBytes = DefaultMaxRegionBytes
	}
	sc, err := rules.NewScanner(opt.Timeout)
	if err != nil {
		return nil, err
	}
	defer sc.Close()
	pids := opt.PIDs
	if len(pids) == 0 {
		pids = allPIDs(t)
	}
	skip := map[int]bool{os.Getpid(): true}
	// Other Vigil processes hold the decompressed rules in their memory:
	// Vigil never reports itself.
	self, _ := os.Readlink("/proc/self/exe")
	for _, p := range opt.Skip {
		skip[p] = true
	}
	res := &Result{Errors: map[int]string{}, Skipped: map[string]int{}}
	buf := make([]byte, 0, 1<<20)
	pace := opt.pacer
	if pace == nil {
		pace = newPacer(opt.Duty)
	}
	defer func() { res.Paused = pace.slept }()
	for i, pid := range pids {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		if skip[pid] {
			continue
		}
		if exe, err := t.Readlink("/proc/" + strconv.Itoa(pid) + "/exe"); err == nil && self != "" && exe == self {
			res.Skipped["vigil"]++
			continue
		}
		if i > 0 && opt.Pause > 0 {
			time.Sleep(opt.Pause)
		}
		buf = scanProcess(t, sc, pid, opt, res, buf, pace)
	}
	sort.Ints(res.Exited)
	return res, nil
}

func allPIDs(t *target.Target) []int {
	pids, _ := procs.ListPIDs(t)
	return pids
}

// gone reports errors that mean the process no longer exists.
func gone(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH)
}

func denied(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EPERM)
}

func scanProcess(t *target.Target, sc *yara.Scanner, pid int, opt Options, res *Result, buf []byte, pace *pacer) []byte {
	dir := "/proc/" + strconv.Itoa(pid)
	mapsB, err := t.ReadFile(dir+"/maps", 64<<20)
	if err != nil {
		classify(res, pid, err)
		return buf
	}
	maps, _ := procs.ParseMaps(mapsB)
	if len(maps) == 0 {
		return buf // a kernel thread: no user memory
	}
	flags := vmFlags(t, dir)
	exe, _ := t.Readlink(dir + "/exe")
	comm, _ := t.ReadFile(dir+"/comm", 4096)
	mem, err := t.Open(dir + "/mem")
	if err != nil {
		classify(res, pid, err)
		return buf
	}
	defer mem.Close()
	res.Scanned++
	var read int64
	seen := map[string]bool{} // one hit per rule per process
	for _, m := range maps {
		if why := skipReason(m, flags[m.Start], t); why != "" {
			res.Skipped[why]++
			continue
		}
		size := int64(m.End - m.Start)
		if size > opt.MaxRegionBytes {
			size = opt.MaxRegionBytes
			res.Skipped["region-cap"]++
		}
		if read+size > opt.MaxProcessBytes {
			res.Truncated = append(res.Truncated, pid)
			break
		}
		if int64(cap(buf)) < size {
			buf = make([]byte, size)
		}
		b := buf[:size]
		pace.Begin()
		n, err := mem.ReadAt(b, int64(m.Start))
		if n == 0 && err != nil {
			pace.Done()
			if gone(err) {
				res.Exited = append(res.Exited, pid)
				res.Scanned--
				return buf
			}
			res.Skipped["unreadable"]++ // EIO: pages the kernel will not give (guard pages)
			continue
		}
		read += int64(n)
		res.Regions++
		res.Bytes += int64(n)
		ms, _ := sc.Scan(b[:n], yara.FileInfo{Path: strings.TrimSuffix(exe, " (deleted)")}, int64(m.Start))
		pace.Done()
		for _, match := range ms {
			key := match.Rule.Namespace + "\x00" + match.Rule.Name
			if seen[key] {
				continue
			}
			seen[key] = true
			res.Hits = append(res.Hits, Hit{PID: pid, Exe: exe, Comm: strings.TrimSpace(string(comm)), Match: match, Region: regionName(m), Address: m.Start})
		}
	}
	if _, err := t.Lstat(dir); gone(err) { // exited while we read: its results stand, but say so
		res.Exited = append(res.Exited, pid)
	}
	return buf
}

func classify(res *Result, pid int, err error) {
	switch {
	case gone(err):
		res.Exited = append(res.Exited, pid)
	case denied(err):
		res.Denied = append(res.Denied, pid)
	default:
		res.Errors[pid] = err.Error()
	}
}

func regionName(m procs.Mapping) string {
	if m.Deleted {
		return m.Path + " (deleted)"
	}
	return m.Path
}

// skipReason says why a region is not read, or "" to read it.
func skipReason(m procs.Mapping, flags string, t *target.Target) string {
	switch {
	case !m.Readable():
		return "unreadable"
	case strings.HasPrefix(m.Path, "[") && m.Path != "[heap]" && !strings.HasPrefix(m.Path, "[stack"):
		return "kernel" // [vvar], [vsyscall], [vdso], [uprobes] ...
	case hasFlag(flags, "io"), hasFlag(flags, "pf"):
		return "io"
	case strings.HasPrefix(m.Path, "/dev/") && !strings.HasPrefix(m.Path, "/dev/shm/") && !strings.HasPrefix(m.Path, "/dev/zero"):
		return "device"
	case m.Anonymous(), m.Deleted, m.Writable(), strings.Contains(m.Path, "memfd:"), strings.HasPrefix(m.Path, "/dev/"):
		return ""
	}
	if _, err := t.Lstat(m.Path); err != nil {
		return "" // a mapped file that is no longer where it was: read the memory
	}
	return "file-on-disk"
}

func hasFlag(flags, f string) bool {
	for _, x := range strings.Fields(flags) {
		if x == f {
			return true
		}
	}
	return false
}

// vmFlags reads the VmFlags of each region of /proc/PID/smaps, by the
// region's start address. Missing (an older kernel, a read error) means
// no flags: the other filters still apply.
func vmFlags(t *target.Target, dir string) map[uint64]string {
	out := map[uint64]string{}
	f, err := t.Open(dir + "/smaps")
	if err != nil {
		return out
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	var start uint64
	for s.Scan() {
		line := s.Bytes()
		if v, ok := bytes.CutPrefix(line, []byte("VmFlags:")); ok {
			out[start] = string(v)
			continue
		}
		if i := bytes.IndexByte(line, '-'); i > 0 && i < 17 {
			if n, err := strconv.ParseUint(string(line[:i]), 16, 64); err == nil {
				start = n
			}
		}
	}
	return out
}

// Describe is a one-line summary for debug logs.
func (r *Result) Describe() string {
	return fmt.Sprintf("%d processes scanned, %d exited, %d denied, %d errors, %d regions, %d bytes, skipped %v",
		r.Scanned, len(r.Exited), len(r.Denied), len(r.Errors), r.Regions, r.Bytes, r.Skipped)
}

// Subject names a process for a finding: "pid 42 (/usr/bin/x)".
func (h Hit) Subject() string {
	name := h.Exe
	if name == "" {
		name = h.Comm
	}
	return "pid " + strconv.Itoa(h.PID) + " (" + path.Clean(name) + ")"
}

// SelectPIDs merges the processes --memory=suspicious scans: the pids
// that findings of the latest stored scan carry (flagged; a pid that has
// ended since, whose /proc directory is gone, is dropped) and those
// SuspiciousPIDs judges now by their program. Sorted, each once.
func SelectPIDs(t *target.Target, flagged []int) []int {
	seen := map[int]bool{}
	var out []int
	add := func(pid int) {
		if pid > 0 && !seen[pid] {
			seen[pid] = true
			out = append(out, pid)
		}
	}
	for _, pid := range flagged {
		if _, err := t.Lstat("/proc/" + strconv.Itoa(pid)); err == nil {
			add(pid)
		}
	}
	for _, pid := range SuspiciousPIDs(t) {
		add(pid)
	}
	sort.Ints(out)
	return out
}

// SuspiciousPIDs are the processes worth a memory scan when not all are
// scanned: those whose program was deleted from disk, runs from a memfd, or
// lives in a temporary, hidden or masquerading place (grade/places).
func SuspiciousPIDs(t *target.Target) []int {
	var out []int
	for _, pid := range allPIDs(t) {
		exe, err := t.Readlink("/proc/" + strconv.Itoa(pid) + "/exe")
		if err != nil || exe == "" {
			continue
		}
		if strings.HasSuffix(exe, " (deleted)") || strings.HasPrefix(exe, "/memfd:") || places.Odd(exe) {
			out = append(out, pid)
		}
	}
	return out
}
