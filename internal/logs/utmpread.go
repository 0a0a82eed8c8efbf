package logs

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"

	"golang.org/x/sys/unix"

	"github.com/vigil-ir/vigil/internal/target"
)

// UtmpReadLimit bounds the bytes of a utmp-family file read at once (a
// busy wtmp is tens of MB).
const UtmpReadLimit = 256 << 20

// ReadUtmp reads the utmp-family file at p (gzip-decompressed when
// compressed, which needs a .gz name), at most UtmpReadLimit bytes, and
// returns its bytes and its size (the decompressed size for gzip).
func ReadUtmp(t *target.Target, p string, compressed bool) ([]byte, int64, error) {
	f, err := t.Open(p)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	var src io.Reader = f
	if compressed {
		if len(p) < 3 || p[len(p)-3:] != ".gz" {
			return nil, 0, fmt.Errorf("%s: %w (only gzip rotations are read)", p, target.ErrNotRegular)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", p, err)
		}
		defer zr.Close()
		src = zr
	}
	b, err := io.ReadAll(io.LimitReader(src, UtmpReadLimit+1))
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", p, err)
	}
	if len(b) > UtmpReadLimit {
		return nil, 0, fmt.Errorf("read %s: %w (%d bytes)", p, target.ErrTooLarge, UtmpReadLimit)
	}
	size := st.Size()
	if compressed {
		size = int64(len(b))
	}
	return b, size, nil
}

// lastlogDataLimit bounds the lastlog bytes read. The file is sparse and
// indexed by uid: a uid near 2^32 (nfsnobody) gives it a terabyte size
// with a few kilobytes of data, so only the data extents are read.
const lastlogDataLimit = 64 << 20

// ReadLastlog reads the records of the lastlog file at p, reading only its
// data extents (SEEK_DATA/SEEK_HOLE), at most lastlogDataLimit bytes.
func ReadLastlog(t *target.Target, p string) ([]LastlogEntry, error) {
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
