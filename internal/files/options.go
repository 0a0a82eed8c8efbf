package files

import (
	"runtime"
	"time"
)

// Defaults of Options.
const (
	// DefaultContentCap bounds the content prefix a matcher sees (THOR's
	// default limit is of this order; webshells and droppers are small).
	DefaultContentCap = 8 << 20
	// DefaultTailCap is how much of the end of a file larger than the
	// content limit is matched too: payloads are appended to big images
	// and archives (a PHP shell after a 20 MiB JPEG's end marker).
	DefaultTailCap = 1 << 20
	// DefaultHashCap bounds the files hashed whole: a larger file is still
	// matched on its prefix, and its missing digest is counted.
	DefaultHashCap = 2 << 30
	// MaxText bounds a hit's matched text.
	MaxText = 240
	// maxErrorGaps is how many unreadable files get a gap of their own;
	// the rest are counted in one gap.
	maxErrorGaps = 20
)

// FileID is a file's identity on the host (st_dev, st_ino).
type FileID struct{ Dev, Ino uint64 }

// Options bound and steer a walk.
type Options struct {
	// Roots are the target paths to walk (directories or files); default "/".
	Roots []string
	// ContentCap is the largest content prefix read for matchers
	// (DefaultContentCap when 0).
	ContentCap int64
	// TailCap is how many last bytes of a file larger than ContentCap are
	// matched as well (File.Tail; DefaultTailCap when 0, none when < 0).
	TailCap int64
	// HashCap is the largest file hashed whole (DefaultHashCap when 0).
	HashCap int64
	// MaxBytes, MaxFiles and MaxTime are budgets of the whole walk (0: none):
	// bytes read, files read, wall time. Reaching one stops the walk and is
	// recorded (Coverage.Stopped and a gap).
	MaxBytes int64
	MaxFiles int64
	MaxTime  time.Duration
	// CrossFS lets the walk leave the filesystem of each start path
	// (network and FUSE mounts of the mount table stay excluded).
	CrossFS bool
	// Workers is how many files are read at once (GOMAXPROCS when 0).
	Workers int
	// Exclude are target paths (and everything under them) never walked:
	// Vigil's own output, store and rules.
	Exclude []string
	// ExcludeIDs are files never read or reported, by identity: Vigil's own
	// binary.
	ExcludeIDs []FileID
	// Progress, when set, is called about once a second with the coverage
	// so far (from another goroutine).
	Progress func(Coverage)
	// ProgressEvery is the progress period (one second when 0).
	ProgressEvery time.Duration
}

func (o Options) withDefaults() Options {
	if o.ContentCap <= 0 {
		o.ContentCap = DefaultContentCap
	}
	if o.TailCap == 0 {
		o.TailCap = DefaultTailCap
	}
	if o.HashCap <= 0 {
		o.HashCap = DefaultHashCap
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if len(o.Roots) == 0 {
		o.Roots = []string{"/"}
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = time.Second
	}
	return o
}
