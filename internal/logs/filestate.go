package logs

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"syscall"
	"time"

	"github.com/vigil-ir/vigil/internal/target"
)

// FileState is one file of a log as a run saw it: enough to tell, at the
// next run, whether the file shrank, was rewritten or went away, and
// whether a rotation explains it (see Compare).
type FileState struct {
	Log      string // the log's name (Source.Name)
	Path     string
	Rotation int
	Dev, Ino uint64
	Size     int64
	// Head is the SHA-256 (hex) of the first HeadLen bytes of the file's
	// content (decompressed for .gz), HeadLen at most HeadMax: the part of
	// a log that a rotation moves along and that appending never changes.
	Head    string
	HeadLen int
	ModTime time.Time
	Seen    time.Time // when the run looked
	Run     string    // the run's id ("" before it is saved)

	head []byte // the head bytes themselves (this run's states only)
}

// HeadMax is how much of a file's beginning its Head covers.
const HeadMax = 1024

// Remembered reports whether files of format are remembered between runs:
// logs that are only ever appended to and rotated (text logs, wtmp, btmp).
// Tables (utmp, lastlog), databases (wtmpdb), journals (journald's own
// files) and histories (shells rewrite them to their size limit) change
// otherwise, and are not.
func Remembered(format string) bool {
	switch format {
	case FormatUtmp, FormatLastlog, FormatWtmpdb, FormatJournal, FormatHistory, FormatShellRC:
		return false
	}
	return Supported(format)
}

// States returns what src's files are now (seen at now). Files that cannot
// be opened are left out: the reader records why.
func States(t *target.Target, src Source, now time.Time) []FileState {
	if !Remembered(src.Format) || src.Name == "-" {
		return nil
	}
	var out []FileState
	for _, f := range src.Files {
		if f.Path == "-" || f.Disabled != "" {
			continue
		}
		if st, ok := stateOf(t, src.Name, f, now); ok {
			out = append(out, st)
		}
	}
	return out
}

func stateOf(t *target.Target, log string, f File, now time.Time) (FileState, bool) {
	fh, err := t.Open(f.Path)
	if err != nil {
		return FileState{}, false
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return FileState{}, false
	}
	st := FileState{Log: log, Path: f.Path, Rotation: f.Rotation, Size: fi.Size(), ModTime: fi.ModTime().UTC(), Seen: now.UTC()}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.Dev, st.Ino = uint64(sys.Dev), sys.Ino //nolint:unconvert // Dev is uint32 on some platforms
	}
	var r io.Reader = fh
	if f.Gzip {
		zr, err := gzip.NewReader(fh)
		if err != nil {
			return st, true // no head: compared by inode and size only
		}
		defer zr.Close()
		r = zr
	}
	buf := make([]byte, HeadMax)
	n, _ := io.ReadFull(r, buf) // a short or cut file: what was read is its head
	st.head = buf[:n]
	st.Head, st.HeadLen = hashHead(st.head), n
	return st, true
}

func hashHead(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// holds reports whether c's content begins with the head p had: c is p's
// content (grown, rotated, copied), not another.
func (c *FileState) holds(p FileState) bool {
	return p.HeadLen > 0 && len(c.head) >= p.HeadLen && hashHead(c.head[:p.HeadLen]) == p.Head
}
