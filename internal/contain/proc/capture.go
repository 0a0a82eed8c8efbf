package proc

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/contain/hostfs"
)

// maxMemory bounds the memory captured per process.
const maxMemory = 256 << 20

// maxProcFile bounds each /proc file copied.
const maxProcFile = 64 << 20

// manifestEntry is one captured file with its digest.
type manifestEntry struct {
	File   string `json:"file"`
	SHA256 string `json:"sha256,omitempty"`
	Error  string `json:"error,omitempty"`
}

// capture writes what a responder needs of a stopped process into dir:
// exe (a copy of the executable, even if deleted on disk), cmdline,
// environ, maps, status, stat, limits, cgroup, fds.txt (each descriptor
// and what it points to), cwd.txt/root.txt/exe.txt, its network tables
// (net/tcp ...), and mem-START-END regions when memory is set. Every file
// that could not be read is listed in manifest.json with the reason:
// an incomplete capture is said, never silent.
func capture(pr Proc, dir string, memory bool) error {
	if err := os.MkdirAll(filepath.Join(dir, "net"), 0o700); err != nil {
		return err
	}
	base := fmt.Sprintf("%s/%d", procRoot, pr.PID)
	var man []manifestEntry
	note := func(name string, sum string, err error) {
		e := manifestEntry{File: name, SHA256: sum}
		if err != nil {
			e.Error = err.Error()
		}
		man = append(man, e)
	}
	copyFile := func(src, name string) {
		b, err := readBounded(src, maxProcFile)
		if err == nil {
			err = hostfs.WriteNew(filepath.Join(dir, name), b, 0o400)
		}
		note(name, hostfs.HashBytes(b), err)
	}
	// /proc/PID/exe is followed on purpose: it opens the program the
	// process runs, even when its file was deleted or replaced on disk.
	if exe, err := os.Open(base + "/exe"); err != nil {
		note("exe", "", err)
	} else {
		sum, err := hostfs.WriteNewFrom(exe, filepath.Join(dir, "exe"), 0o400)
		exe.Close()
		note("exe", sum, err)
	}
	for _, f := range []string{"cmdline", "environ", "maps", "status", "stat", "limits", "cgroup", "mountinfo"} {
		copyFile(base+"/"+f, f)
	}
	for _, f := range []string{"tcp", "tcp6", "udp", "udp6", "raw", "raw6", "unix", "packet"} {
		copyFile(base+"/net/"+f, "net/"+f)
	}
	var links strings.Builder
	for _, l := range []string{"exe", "cwd", "root"} {
		dest, err := os.Readlink(base + "/" + l)
		fmt.Fprintf(&links, "%s\t%s\t%v\n", l, dest, errText(err))
	}
	fds, err := os.ReadDir(base + "/fd")
	for _, fd := range fds {
		dest, err := os.Readlink(base + "/fd/" + fd.Name())
		fmt.Fprintf(&links, "fd/%s\t%s\t%v\n", fd.Name(), dest, errText(err))
	}
	if err != nil {
		fmt.Fprintf(&links, "fd\t\t%v\n", err)
	}
	b := []byte(links.String())
	note("links.txt", hostfs.HashBytes(b), hostfs.WriteNew(filepath.Join(dir, "links.txt"), b, 0o400))
	if memory {
		man = append(man, captureMemory(base, dir)...)
	}
	mb, _ := json.MarshalIndent(man, "", "  ")
	return hostfs.WriteNew(filepath.Join(dir, "manifest.json"), mb, 0o400)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func readBounded(p string, limit int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}

// captureMemory copies the readable regions of maps from mem, up to
// maxMemory in all (the rest listed as not captured).
func captureMemory(base, dir string) []manifestEntry {
	var out []manifestEntry
	maps, err := os.Open(base + "/maps")
	if err != nil {
		return []manifestEntry{{File: "mem", Error: err.Error()}}
	}
	defer maps.Close()
	mem, err := os.Open(base + "/mem")
	if err != nil {
		return []manifestEntry{{File: "mem", Error: err.Error()}}
	}
	defer mem.Close()
	total := int64(0)
	sc := bufio.NewScanner(maps)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || !strings.HasPrefix(f[1], "r") || strings.HasSuffix(sc.Text(), "[vsyscall]") {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		start, e1 := strconv.ParseUint(lo, 16, 64)
		end, e2 := strconv.ParseUint(hi, 16, 64)
		if !ok || e1 != nil || e2 != nil || end <= start {
			continue
		}
		name := "mem-" + lo + "-" + hi
		size := int64(end - start)
		if total+size > maxMemory {
			out = append(out, manifestEntry{File: name, Error: fmt.Sprintf("not captured: over the %d MiB limit", maxMemory>>20)})
			continue
		}
		buf := make([]byte, size)
		n, err := mem.ReadAt(buf, int64(start))
		if n == 0 && err != nil {
			out = append(out, manifestEntry{File: name, Error: err.Error()})
			continue
		}
		total += int64(n)
		werr := hostfs.WriteNew(filepath.Join(dir, name), buf[:n], 0o400)
		out = append(out, manifestEntry{File: name, SHA256: hostfs.HashBytes(buf[:n]), Error: errText(werr)})
	}
	return out
}

// waitGone waits a moment for a killed process to be reaped.
func waitGone(pr Proc) bool {
	for i := 0; i < 50; i++ {
		st, err := readStat(pr.PID)
		if err != nil || st.Start != pr.Start || st.State == 'Z' || st.State == 'X' {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}
