package evidence

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Process memory (live host, chosen pids): the readable regions of
// /proc/PID/maps read from /proc/PID/mem, each an archive entry with its
// SHA-256, first of all (memory changes fastest). A region that cannot be
// read (a guard page, a device mapping, [vvar]) is a gap in the manifest's
// memory section, never a silent hole; a region that fails part way is
// padded with zeros to its size and its item says so. Whole-memory
// acquisition is not done by Vigil: LiME and AVML are looked for and the
// manifest says how to run the one found, or that none was.

// SectionMemory holds process memory dumps.
const SectionMemory = "memory"

// KindMemory is an item copied from a process's memory.
const KindMemory = "memory"

// DefaultMemoryLimit bounds the memory copied per process.
const DefaultMemoryLimit = 1 << 30

// region is one line of /proc/PID/maps.
type region struct {
	start, end uint64
	perms      string
	path       string
}

// parseMaps reads /proc/PID/maps; malformed lines are left out.
func parseMaps(b []byte) []region {
	var out []region
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		s, err1 := strconv.ParseUint(lo, 16, 64)
		e, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || e <= s || len(f[1]) < 4 {
			continue
		}
		r := region{start: s, end: e, perms: f[1]}
		if len(f) >= 6 {
			r.path = strings.Join(f[5:], " ")
		}
		out = append(out, r)
	}
	return out
}

// memTask is one process's planned dump.
type memTask struct {
	pid     int
	maps    []byte
	regions []region
}

// planMemory reads the maps of pids and chooses the regions to copy
// (readable, not the kernel's [vvar]/[vsyscall], within limit bytes per
// process); everything left out is recorded in memory notes. Offline
// roots have no processes.
func planMemory(t *target.Target, pids []int, selfPID int, limit int64, notes *[]Skipped) ([]memTask, int64) {
	if limit <= 0 {
		limit = DefaultMemoryLimit
	}
	var tasks []memTask
	var total int64
	for _, pid := range pids {
		where := "/proc/" + strconv.Itoa(pid) + "/mem"
		switch {
		case !t.IsLive():
			*notes = append(*notes, Skipped{Path: where, Section: SectionMemory, Reason: model.Msg("evidence.memory.offline")})
			continue
		case pid == selfPID:
			*notes = append(*notes, Skipped{Path: where, Section: SectionMemory, Reason: model.Msg("evidence.memory.self")})
			continue
		}
		maps, err := t.ReadFile("/proc/"+strconv.Itoa(pid)+"/maps", kernelLimit)
		if err != nil {
			*notes = append(*notes, Skipped{Path: where, Section: SectionMemory, Reason: target.ErrMessage(err)})
			continue
		}
		task := memTask{pid: pid, maps: maps}
		var used int64
		for _, r := range parseMaps(maps) {
			size := int64(r.end - r.start)
			switch {
			case r.perms[0] != 'r' || r.path == "[vvar]" || r.path == "[vvar_vclock]" || r.path == "[vsyscall]" || r.start > 1<<62:
				continue // not readable by design: not a gap
			case used+size > limit:
				*notes = append(*notes, Skipped{Path: regionName(pid, r), Section: SectionMemory, Reason: model.Msg("evidence.memory.limit", size, limit)})
				continue
			}
			used += size
			task.regions = append(task.regions, r)
		}
		tasks = append(tasks, task)
		total += used
	}
	return tasks, total
}

func regionName(pid int, r region) string {
	return fmt.Sprintf("/proc/%d/mem@%x-%x %s %s", pid, r.start, r.end, r.perms, r.path)
}

// dumpMemory writes each task's maps and readable regions. A region whose
// first byte cannot be read is a gap; the count of regions and bytes per
// process is a note.
func dumpMemory(t *target.Target, aw *archiveWriter, tasks []memTask, notes *[]Skipped) error {
	for _, task := range tasks {
		dir := "memory/" + strconv.Itoa(task.pid) + "/"
		proc := "/proc/" + strconv.Itoa(task.pid)
		if err := aw.addBytes(Item{Name: dir + "maps", Path: proc + "/maps", Section: SectionMemory, Kind: KindKernel}, task.maps); err != nil {
			return err
		}
		f, err := t.Open(proc + "/mem")
		if err != nil {
			*notes = append(*notes, Skipped{Path: proc + "/mem", Section: SectionMemory, Reason: target.ErrMessage(err)})
			continue
		}
		var n int
		var bytes int64
		one := make([]byte, 1)
		for _, r := range task.regions {
			size := int64(r.end - r.start)
			if _, err := f.ReadAt(one, int64(r.start)); err != nil {
				*notes = append(*notes, Skipped{Path: regionName(task.pid, r), Section: SectionMemory, Reason: model.Msg("evidence.memory.unreadable", err.Error())})
				continue
			}
			it := Item{Name: fmt.Sprintf("%s%016x-%016x", dir, r.start, r.end), Path: regionName(task.pid, r),
				Section: SectionMemory, Kind: KindMemory, Size: size, Mode: r.perms}
			if _, err := aw.addStream(it, io.NewSectionReader(f, int64(r.start), size)); err != nil {
				f.Close()
				return err
			}
			n++
			bytes += size
		}
		f.Close()
		*notes = append(*notes, Skipped{Path: proc + "/mem", Section: SectionMemory, Reason: model.Msg("evidence.memory.process", task.pid, n, bytes)})
	}
	return nil
}

// Whole-memory acquisition tools looked for on the target (never run).
var (
	limePlaces = []string{"/lib/modules/*/extra/lime*.ko", "/lib/modules/*/updates/lime*.ko", "/lib/modules/*/misc/lime*.ko",
		"/usr/local/lib/lime*.ko", "/opt/lime*/lime*.ko", "/opt/LiME/src/lime*.ko", "/root/lime*.ko"}
	avmlPlaces = []string{"/usr/local/bin/avml", "/usr/local/sbin/avml", "/usr/bin/avml", "/usr/sbin/avml", "/opt/avml/avml", "/root/avml"}
)

// acquisitionTools says which whole-memory tool the host has and how to
// run it, or records the gap "no memory acquisition tool".
func acquisitionTools(t *target.Target) []Skipped {
	if !t.IsLive() {
		return []Skipped{{Path: "memory", Section: SectionMemory, Reason: model.Msg("evidence.memory.offline")}}
	}
	var out []Skipped
	found := func(places []string, id string) {
		for _, pat := range places {
			for _, p := range t.Glob(pat) {
				if fi, err := t.Stat(p); err == nil && fi.Mode().IsRegular() {
					out = append(out, Skipped{Path: p, Section: SectionMemory, Reason: model.Msg(id, p)})
					return
				}
			}
		}
	}
	found(avmlPlaces, "evidence.memory.avml")
	found(limePlaces, "evidence.memory.lime")
	if len(out) == 0 {
		out = append(out, Skipped{Path: "memory", Section: SectionMemory, Reason: model.Msg("evidence.memory.no-tool")})
	}
	return out
}
