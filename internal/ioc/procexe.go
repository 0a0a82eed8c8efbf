package ioc

import (
	"context"
	"crypto/md5"  //nolint:gosec // MD5 is what indicator lists give, not a security use
	"crypto/sha1" //nolint:gosec // likewise
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/vigil-ir/vigil/internal/collect/procs"
	"github.com/vigil-ir/vigil/internal/target"
)

// RuleProcess is the catalog rule of a running process whose executable's
// digest is listed. Its id is under process. so that contain --from-scan
// answers it with the process (contain process PID), not a file.
const RuleProcess = "process.exe.ioc-hash"

// MaxExeBytes bounds the executable hashed for one process.
const MaxExeBytes = 1 << 30

// ExeHit is a listed digest of a running executable: every process running
// that one file (same device and inode, deleted or not) in one hit.
type ExeHit struct {
	PIDs      []int  // sorted
	Exe       string // /proc/PID/exe's target, " (deleted)" kept
	Deleted   bool
	SHA256    string
	Digest    string // the listed digest that matched (SHA-256, SHA-1 or MD5)
	Indicator Indicator
}

// ExeResult is what a scan of the running executables did.
type ExeResult struct {
	Hits      []ExeHit
	Processes int            // processes whose executable was hashed
	Files     int            // distinct executables hashed
	Denied    []int          // processes whose executable could not be opened (permission)
	Errors    map[int]string // other failures, by pid
}

// ScanExecutables hashes the executable of every running process of the
// live target t once per file (through /proc/PID/exe, so a program deleted
// from disk is still read) and looks the digests up in s. skip are pids
// never looked at (Vigil itself). Processes that exit meanwhile and kernel
// threads (no executable) are passed over.
func ScanExecutables(ctx context.Context, t *target.Target, s *Set, skip map[int]bool) *ExeResult {
	res := &ExeResult{Errors: map[int]string{}}
	if !t.IsLive() || s == nil || !(s.HasHashes(MD5) || s.HasHashes(SHA1) || s.HasHashes(SHA256)) {
		return res
	}
	type fileID struct{ dev, ino uint64 }
	byFile := map[fileID]*ExeHit{}
	done := map[fileID]bool{}
	h := newDigests(s)
	pids, _ := procs.ListPIDs(t)
	for _, pid := range pids {
		if ctx.Err() != nil || skip[pid] {
			continue
		}
		dir := "/proc/" + strconv.Itoa(pid)
		exe, err := t.Readlink(dir + "/exe")
		if err != nil || exe == "" {
			continue // a kernel thread, or gone
		}
		f, err := t.Open(dir + "/exe")
		if err != nil {
			exeErr(res, pid, err)
			continue
		}
		var id fileID
		if fi, err := f.Stat(); err == nil {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				id = fileID{uint64(st.Dev), st.Ino}
			}
		}
		if done[id] && id != (fileID{}) {
			f.Close()
			if hit := byFile[id]; hit != nil {
				hit.PIDs = append(hit.PIDs, pid)
			}
			res.Processes++
			continue
		}
		sums, err := h.sum(f)
		f.Close()
		if err != nil {
			exeErr(res, pid, err)
			continue
		}
		done[id] = true
		res.Processes++
		res.Files++
		for _, d := range []string{sums[0], sums[1], sums[2]} {
			if d == "" {
				continue
			}
			if ind, ok := s.LookupHash(d); ok {
				hit := &ExeHit{PIDs: []int{pid}, Exe: exe, Deleted: strings.HasSuffix(exe, " (deleted)"), SHA256: sums[0], Digest: d, Indicator: ind}
				byFile[id] = hit
				break
			}
		}
	}
	for _, hit := range byFile {
		sort.Ints(hit.PIDs)
		res.Hits = append(res.Hits, *hit)
	}
	sort.Slice(res.Hits, func(i, j int) bool { return res.Hits[i].PIDs[0] < res.Hits[j].PIDs[0] })
	return res
}

func exeErr(res *ExeResult, pid int, err error) {
	switch {
	case os.IsNotExist(err) || strings.Contains(err.Error(), "no such process"):
	case os.IsPermission(err):
		res.Denied = append(res.Denied, pid)
	default:
		res.Errors[pid] = err.Error()
	}
}

// digests computes SHA-256 and, when the set lists them, MD5 and SHA-1 of
// a file in one read.
type digests struct {
	sha, md, sh1 hash.Hash
	buf          []byte
}

func newDigests(s *Set) *digests {
	d := &digests{sha: sha256.New(), buf: make([]byte, 256<<10)}
	if s.HasHashes(MD5) {
		d.md = md5.New() //nolint:gosec
	}
	if s.HasHashes(SHA1) {
		d.sh1 = sha1.New() //nolint:gosec
	}
	return d
}

// sum returns the hex SHA-256, SHA-1 and MD5 ("" for those not asked).
func (d *digests) sum(r io.Reader) ([3]string, error) {
	ws := []io.Writer{d.sha}
	d.sha.Reset()
	for _, h := range []hash.Hash{d.sh1, d.md} {
		if h != nil {
			h.Reset()
			ws = append(ws, h)
		}
	}
	var out [3]string
	if _, err := io.CopyBuffer(io.MultiWriter(ws...), io.LimitReader(r, MaxExeBytes), d.buf); err != nil {
		return out, err
	}
	out[0] = hex.EncodeToString(d.sha.Sum(nil))
	if d.sh1 != nil {
		out[1] = hex.EncodeToString(d.sh1.Sum(nil))
	}
	if d.md != nil {
		out[2] = hex.EncodeToString(d.md.Sum(nil))
	}
	return out, nil
}
