package files

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-ir/vigil/internal/target"
)

// Skip reasons counted in Coverage.Skipped (each has a gap message
// files.gap.skip.<reason> in rules/messages/files.yaml).
const (
	SkipSymlink    = "symlink"           // a symlink: never followed
	SkipSpecial    = "special"           // FIFO, socket or device: never opened
	SkipOtherFS    = "other-filesystem"  // a mount of another filesystem (without CrossFS)
	SkipPseudoFS   = "pseudo-filesystem" // proc, sysfs, cgroup ...
	SkipMountType  = "mount-type"        // a network or FUSE filesystem of the mount table
	SkipLoop       = "directory-loop"    // a directory met twice (bind mount loop)
	SkipPermission = "permission"        // not readable
	SkipContentCap = "content-cap"       // content beyond ContentCap not matched (still hashed)
	SkipHashCap    = "hash-cap"          // larger than HashCap: not hashed
	SkipSparse     = "sparse"            // mostly holes: not hashed beyond the prefix
	SkipExcluded   = "excluded"          // Vigil's own files, or excluded by request
	SkipBudget     = "budget"            // not read: the walk stopped at a budget
	SkipVanished   = "vanished"          // removed or replaced while walked
	SkipError      = "error"             // could not be read (I/O, other errors)
)

// Coverage says what a walk examined: the mandatory record of what was
// and was not scanned.
type Coverage struct {
	Seen     int64            `json:"seen"`            // regular files met
	Content  int64            `json:"content_scanned"` // files whose content matchers saw
	Hashed   int64            `json:"hashed"`          // files hashed whole
	Bytes    int64            `json:"bytes"`           // bytes read
	Dirs     int64            `json:"dirs"`            // directories entered
	OddNames int64            `json:"odd_names"`       // names that are not valid UTF-8
	Errors   int64            `json:"errors"`          // files or directories that could not be read
	Skipped  map[string]int64 `json:"skipped"`         // by reason (Skip*)
	Hits     int64            `json:"hits"`            // matcher hits
	Duration time.Duration    `json:"duration_ns"`
	// Stopped names the budget that ended the walk early ("bytes",
	// "files", "time") or "cancelled"; empty when the walk completed.
	Stopped string `json:"stopped,omitempty"`
	// EstFiles and EstBytes are, in progress snapshots only, the regular
	// files and the bytes (up to the content limit) an estimate listed
	// ahead of the walk; 0 until it is complete.
	EstFiles int64 `json:"-"`
	EstBytes int64 `json:"-"`
}

// Reasons returns the skip reasons with a count, sorted.
func (c Coverage) Reasons() []string {
	var out []string
	for r, n := range c.Skipped {
		if n > 0 {
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}

// counter is the live, concurrent form of Coverage.
type counter struct {
	seen, content, hashed, bytes, dirs, odd, errors, hits atomic.Int64

	mu      sync.Mutex
	skipped map[string]int64
	example map[string]string
}

func newCounter() *counter {
	return &counter{skipped: map[string]int64{}, example: map[string]string{}}
}

// skip counts a file skipped for reason; the reason's example is the
// first such path in walk order, whichever worker met it.
func (c *counter) skip(reason, p string) {
	c.mu.Lock()
	c.skipped[reason]++
	if ex, ok := c.example[reason]; !ok || target.WalkOrder(p, ex) < 0 {
		c.example[reason] = p
	}
	c.mu.Unlock()
}

// exampleOf is the example path of a skip reason.
func (c *counter) exampleOf(reason string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.example[reason]
}

func (c *counter) snapshot() Coverage {
	c.mu.Lock()
	sk := make(map[string]int64, len(c.skipped))
	for k, v := range c.skipped {
		sk[k] = v
	}
	c.mu.Unlock()
	return Coverage{
		Seen: c.seen.Load(), Content: c.content.Load(), Hashed: c.hashed.Load(), Bytes: c.bytes.Load(),
		Dirs: c.dirs.Load(), OddNames: c.odd.Load(), Errors: c.errors.Load(), Hits: c.hits.Load(), Skipped: sk,
	}
}
