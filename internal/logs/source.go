package logs

import (
	"errors"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// File is one file of a log: the live file or one of its rotated siblings.
type File struct {
	Path     string    // target path ("-" for stdin)
	Rotation int       // 0 for the live file; 1, 2 ... for .1, .2.gz; dated siblings by age
	Gzip     bool      // gzip-compressed (.gz), streamed
	ModTime  time.Time // modification time (zero for stdin)
	Size     int64
	// Disabled says why a history path cannot keep a history ("symlink to
	// /dev/null", "device file"); such a File is read as one
	// history.disabled event.
	Disabled string
}

// Source is one log to read: its files, oldest first (so events come out in
// order), and the format of every line of them.
type Source struct {
	Name   string // the live file's path (the log's name), "-" for stdin
	Format string // a format of Formats()
	Files  []File
	// LogFormat is the configured line layout of a web access log (an nginx
	// log_format or Apache LogFormat string); empty for combined/common.
	LogFormat string
	// Skipped are files of the log that are there but are not log files:
	// a FIFO, a device or a directory in a log's place, a symlink whose
	// destination is missing (or lies outside the root). A read records
	// each as a gap: a log that cannot be read must not read as quiet.
	Skipped []Skipped
}

// Skipped is a file of a log that was not read, and why.
type Skipped struct {
	Path string
	Why  model.Message
}

// Rotated returns the log at p with its rotated siblings, oldest first: the
// live file p and, beside it, p.N, p.N.gz, p-YYYYMMDD, p-YYYYMMDD.gz and
// p.gz. Missing files are left out; files there that are not regular files
// are listed in Skipped; ok is false when no regular file exists (the
// Source still carries what was skipped). Every look goes through the
// target.
func Rotated(t *target.Target, p, format string) (Source, bool) {
	p = target.Clean(p)
	dir, base := path.Split(p)
	src := Source{Name: p, Format: format}
	ents, err := t.ReadDir(dir)
	if err != nil {
		return src, false
	}
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, base) {
			continue
		}
		rot, gz, ok := rotationOf(name[len(base):])
		if !ok {
			continue
		}
		fp := path.Join(dir, name)
		st, err := t.Stat(fp)
		if err != nil || !st.Mode().IsRegular() {
			src.Skipped = append(src.Skipped, Skipped{Path: fp, Why: whyNotRead(t, fp, err)})
			continue
		}
		src.Files = append(src.Files, File{Path: fp, Rotation: rot, Gzip: gz, ModTime: st.ModTime(), Size: st.Size()})
	}
	if len(src.Files) == 0 {
		return src, false
	}
	sort.SliceStable(src.Files, func(i, j int) bool { return older(src.Files[i], src.Files[j]) })
	return src, true
}

// older orders rotated files: numbered siblings by number (higher is older),
// dated ones by date, the live file last; dated and numbered siblings of one
// log (a mix after a logrotate configuration change) by modification time.
func older(a, b File) bool {
	if a.Rotation == 0 || b.Rotation == 0 {
		return b.Rotation == 0 && a.Rotation != 0
	}
	da, db := a.Rotation >= dated, b.Rotation >= dated
	switch {
	case da && db:
		return a.Rotation < b.Rotation // YYYYMMDD: smaller is older
	case !da && !db:
		return a.Rotation > b.Rotation
	default:
		return a.ModTime.Before(b.ModTime)
	}
}

// dated marks a -YYYYMMDD rotation: Rotation holds the date as a number.
const dated = 19000000

// rotationOf parses what follows a log's name in a sibling's name: "" (the
// live file), ".N", ".N.gz", "-YYYYMMDD[.gz]", "-YYYYMMDDHH[.gz]", ".gz".
func rotationOf(suffix string) (rot int, gz bool, ok bool) {
	if s, found := strings.CutSuffix(suffix, ".gz"); found {
		suffix, gz = s, true
	}
	switch {
	case suffix == "":
		if gz {
			return 1, true, true // app.log.gz: an old single-generation rotation
		}
		return 0, false, true
	case suffix[0] == '.':
		n, err := strconv.Atoi(suffix[1:])
		if err != nil || n < 1 || n > 100000 {
			return 0, false, false
		}
		return n, gz, true
	case suffix[0] == '-' && (len(suffix) == 9 || len(suffix) == 11) && allDigits(suffix[1:]):
		n, _ := strconv.Atoi(suffix[1:9])
		if n < dated {
			return 0, false, false
		}
		return n, gz, true
	}
	return 0, false, false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// whyNotRead says why the file fp of a log, listed in its directory, is
// not read: err from following it, or (nil) not a regular file.
func whyNotRead(t *target.Target, fp string, err error) model.Message {
	if err == nil {
		return target.ErrMessage(target.ErrNotRegular)
	}
	if errors.Is(err, fs.ErrNotExist) {
		if dest, lerr := t.Readlink(fp); lerr == nil {
			return model.Msg("logparse.gap.dangling", dest)
		}
	}
	return target.ErrMessage(err)
}
