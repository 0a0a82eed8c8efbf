package logtamper

import (
	"errors"
	"fmt"
	"io"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vigil-ir/vigil/internal/target"
)

// lastlogDataLimit bounds the lastlog bytes read. The file is sparse and
// indexed by uid: a uid near 2^32 (nfsnobody) gives it a terabyte size
// with a few kilobytes of data, so only the data extents are read.
const lastlogDataLimit = 64 << 20

// readLastlog reads the data extents of the lastlog file at p.
func readLastlog(t *target.Target, p string) ([]LastlogEntry, error) {
	f, err := t.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	fd := int(f.Fd())
	var out []LastlogEntry
	read := int64(0)
	for off := int64(0); off < size; {
		data, err := unix.Seek(fd, off, unix.SEEK_DATA)
		if errors.Is(err, unix.ENXIO) {
			break // no data after off
		}
		if err != nil {
			// No SEEK_DATA (old filesystem): read from the start, bounded.
			data = off
		}
		hole, err := unix.Seek(fd, data, unix.SEEK_HOLE)
		if err != nil || hole <= data {
			hole = size
		}
		// Start on a record boundary so that records are whole.
		start := data - data%LastlogSize
		end := hole
		if rem := end % LastlogSize; rem != 0 && end < size {
			end += LastlogSize - rem
		}
		if end > size {
			end = size
		}
		n := end - start
		if read+n > lastlogDataLimit {
			return out, fmt.Errorf("read %s: %w (%d data bytes)", p, target.ErrTooLarge, lastlogDataLimit)
		}
		buf := make([]byte, n)
		if _, err := f.ReadAt(buf, start); err != nil && !errors.Is(err, io.EOF) {
			return out, fmt.Errorf("read %s: %w", p, err)
		}
		read += n
		out = append(out, ParseLastlog(buf, start)...)
		if end <= off {
			break
		}
		off = end
	}
	return out, nil
}

// statTimes returns the modification, change and birth times of the host
// path hp (not following a final symlink). Birth time is zero where the
// filesystem does not record it.
func statTimes(hp string) (m, c, b time.Time, ok bool) {
	var stx unix.Statx_t
	err := unix.Statx(unix.AT_FDCWD, hp, unix.AT_SYMLINK_NOFOLLOW|unix.AT_STATX_DONT_SYNC,
		unix.STATX_MTIME|unix.STATX_CTIME|unix.STATX_BTIME, &stx)
	if err != nil {
		return
	}
	ts := func(t unix.StatxTimestamp) time.Time { return time.Unix(t.Sec, int64(t.Nsec)).UTC() }
	m, c = ts(stx.Mtime), ts(stx.Ctime)
	if stx.Mask&unix.STATX_BTIME != 0 && stx.Btime.Sec != 0 {
		b = ts(stx.Btime)
	}
	return m, c, b, true
}
