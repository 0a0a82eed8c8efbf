package procs

import (
	"strconv"
	"strings"
)

// Mapping is one line of /proc/PID/maps.
type Mapping struct {
	Start, End uint64
	Perms      string // "r-xp"
	Offset     uint64
	Inode      uint64
	Path       string // "" for anonymous memory; " (deleted)" removed
	Deleted    bool
}

// Readable, Writable and Exec report the permission bits.
func (m Mapping) Readable() bool { return len(m.Perms) > 0 && m.Perms[0] == 'r' }

// Writable reports the w bit.
func (m Mapping) Writable() bool { return len(m.Perms) > 1 && m.Perms[1] == 'w' }

// Exec reports the x bit.
func (m Mapping) Exec() bool { return len(m.Perms) > 2 && m.Perms[2] == 'x' }

// Anonymous reports memory backed by no file: no path, or the kernel's
// bracketed names for the heap and stack.
func (m Mapping) Anonymous() bool {
	return m.Path == "" || m.Path == "[heap]" || strings.HasPrefix(m.Path, "[stack")
}

// Pseudo reports kernel objects that show up as mappings but are not files
// a program was loaded from: [vdso], [vvar], /[aio], memfd:, /dev/zero,
// SysV shared memory, anon_inode: regions.
func (m Mapping) Pseudo() bool {
	p := m.Path
	switch {
	case strings.HasPrefix(p, "[") && p != "[heap]" && !strings.HasPrefix(p, "[stack"):
		return true
	case strings.HasPrefix(p, "/[aio]"), strings.HasPrefix(p, "/memfd:"), strings.HasPrefix(p, "memfd:"),
		strings.HasPrefix(p, "/dev/zero"), strings.HasPrefix(p, "/SYSV"), strings.HasPrefix(p, "SYSV"),
		strings.HasPrefix(p, "anon_inode:"), strings.HasPrefix(p, "/anon_hugepage"), strings.HasPrefix(p, "/dev/dri/"):
		return true
	}
	return false
}

// ParseMaps parses /proc/PID/maps. Malformed lines are skipped and counted.
func ParseMaps(b []byte) (maps []Mapping, bad int) {
	for _, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		m, ok := parseMapLine(line)
		if !ok {
			bad++
			continue
		}
		maps = append(maps, m)
	}
	return maps, bad
}

func parseMapLine(line string) (Mapping, bool) {
	var m Mapping
	// address perms offset dev inode [path]; the path starts after the
	// fifth field and may contain spaces.
	rest := line
	var fields [5]string
	for i := range fields {
		rest = strings.TrimLeft(rest, " ")
		j := strings.IndexByte(rest, ' ')
		if j < 0 {
			if i < 4 {
				return m, false
			}
			j = len(rest)
		}
		fields[i], rest = rest[:j], rest[j:]
	}
	lo, hi, ok := strings.Cut(fields[0], "-")
	if !ok {
		return m, false
	}
	var err error
	if m.Start, err = strconv.ParseUint(lo, 16, 64); err != nil {
		return m, false
	}
	if m.End, err = strconv.ParseUint(hi, 16, 64); err != nil {
		return m, false
	}
	if len(fields[1]) != 4 {
		return m, false
	}
	m.Perms = fields[1]
	if m.Offset, err = strconv.ParseUint(fields[2], 16, 64); err != nil {
		return m, false
	}
	if m.Inode, err = strconv.ParseUint(fields[4], 10, 64); err != nil {
		return m, false
	}
	m.Path = strings.TrimLeft(rest, " ")
	m.Path, m.Deleted = strings.CutSuffix(m.Path, " (deleted)")
	return m, true
}
