package evidence

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// ImageOptions tune Image.
type ImageOptions struct {
	BlockSize  int  // bytes read at once; default 4 MiB
	SectorSize int  // unit of retry and of the bad-sector record; default 512
	MD5        bool // also compute MD5 (for tools that want it)
	// Progress, when set, is called after each block with the bytes done,
	// the total, and the number of unreadable sectors so far.
	Progress func(done, total int64, bad int)
}

// BadRange is a run of unreadable sectors, written as zeros.
type BadRange struct {
	Offset int64 `json:"offset"`
	Length int64 `json:"length"`
}

// ImageResult is what Image copied.
type ImageResult struct {
	Bytes      int64      `json:"bytes"`
	SHA256     string     `json:"sha256"`
	MD5        string     `json:"md5,omitempty"`
	BadSectors int        `json:"bad_sectors"`
	Bad        []BadRange `json:"unreadable"` // zero-filled in the image
	SectorSize int        `json:"sector_size"`
}

// block is one block read by the reader goroutine.
type block struct {
	buf []byte
	n   int
	bad int // unreadable sectors so far
	err error
}

// Image copies size bytes of src to dst like dd conv=noerror,sync: a block
// that cannot be read is retried sector by sector, and each unreadable
// sector is written as zeros and recorded, so offsets in the image match
// the source. The SHA-256 (and MD5) of what was written is computed while
// streaming. Reading runs ahead of hashing and writing in its own
// goroutine (dd | sha256sum overlap the same way).
func Image(ctx context.Context, src io.ReaderAt, size int64, dst io.Writer, o ImageOptions) (*ImageResult, error) {
	if o.BlockSize <= 0 {
		o.BlockSize = 4 << 20
	}
	if o.SectorSize <= 0 {
		o.SectorSize = 512
	}
	res := &ImageResult{SectorSize: o.SectorSize, Bad: []BadRange{}}
	const depth = 4
	free := make(chan []byte, depth)
	for range depth {
		free <- make([]byte, o.BlockSize)
	}
	full := make(chan block, depth)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rec := &ImageResult{Bad: []BadRange{}} // the reader's own: handed over when it is done
	go func() {
		defer close(full)
		for off := int64(0); off < size; off += int64(o.BlockSize) {
			var buf []byte
			select {
			case buf = <-free:
			case <-ctx.Done():
				return
			}
			want := int(min(int64(o.BlockSize), size-off))
			n, err := src.ReadAt(buf[:want], off)
			if err != nil && !(errors.Is(err, io.EOF) && n == want) {
				n, err = readSectors(src, buf[:want], off, o.SectorSize, rec)
			}
			select {
			case full <- block{buf: buf, n: n, bad: rec.BadSectors, err: err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	sha := sha256.New()
	hashes := []hash.Hash{sha}
	var md hash.Hash
	if o.MD5 {
		md = md5.New()
		hashes = append(hashes, md)
	}
	var readErr error
	for b := range full {
		if b.err != nil {
			readErr = b.err
			break
		}
		for _, h := range hashes {
			h.Write(b.buf[:b.n])
		}
		if _, err := dst.Write(b.buf[:b.n]); err != nil {
			cancel()
			return res, err
		}
		res.Bytes += int64(b.n)
		res.BadSectors = b.bad
		free <- b.buf
		if o.Progress != nil {
			o.Progress(res.Bytes, size, res.BadSectors)
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
	}
	for range full { // the reader stops after an error; let it finish
	}
	res.Bad, res.BadSectors = rec.Bad, rec.BadSectors
	if readErr != nil {
		return res, readErr
	}
	res.SHA256 = hex.EncodeToString(sha.Sum(nil))
	if md != nil {
		res.MD5 = hex.EncodeToString(md.Sum(nil))
	}
	return res, nil
}

// readSectors reads buf sector by sector, zero-filling and recording each
// sector that fails. It is called from the reader goroutine only; res.Bad
// is read by the caller after the reader is done. An end of the source
// before the expected size is an error (the source shrank).
func readSectors(src io.ReaderAt, buf []byte, off int64, sector int, res *ImageResult) (int, error) {
	for i := 0; i < len(buf); i += sector {
		s := buf[i:min(i+sector, len(buf))]
		n, err := src.ReadAt(s, off+int64(i))
		if err == nil || (errors.Is(err, io.EOF) && n == len(s)) {
			continue
		}
		if errors.Is(err, io.EOF) {
			return i + n, fmt.Errorf("the source ended at byte %d, before its size", off+int64(i+n))
		}
		clear(s)
		res.BadSectors++
		at := off + int64(i)
		if k := len(res.Bad) - 1; k >= 0 && res.Bad[k].Offset+res.Bad[k].Length == at {
			res.Bad[k].Length += int64(len(s))
		} else {
			res.Bad = append(res.Bad, BadRange{Offset: at, Length: int64(len(s))})
		}
	}
	return len(buf), nil
}

// SourceSize is the size of an open file or block device.
func SourceSize(f *os.File) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if fi.Mode().IsRegular() {
		return fi.Size(), nil
	}
	if fi.Mode()&os.ModeDevice != 0 && fi.Mode()&os.ModeCharDevice == 0 {
		return f.Seek(0, io.SeekEnd)
	}
	return 0, fmt.Errorf("%s is neither a regular file nor a block device", f.Name())
}

// ErrOntoSource refuses an image that would be written onto its source.
var ErrOntoSource = errors.New("the output would be written onto the source")

// CheckNotOntoSource refuses an output that is the source itself (same
// device and inode, also through links), or that lies on a filesystem of
// the source block device (the device itself, one of its partitions, or a
// device-mapper or md device built on it).
func CheckNotOntoSource(source, out string) error {
	var ss unix.Stat_t
	if err := unix.Stat(source, &ss); err != nil {
		return err
	}
	var os_ unix.Stat_t
	if err := unix.Stat(out, &os_); err == nil && os_.Dev == ss.Dev && os_.Ino == ss.Ino {
		return fmt.Errorf("%w: %s is %s", ErrOntoSource, out, source)
	}
	if ss.Mode&unix.S_IFMT == unix.S_IFBLK && os_.Mode&unix.S_IFMT == unix.S_IFBLK && os_.Rdev == ss.Rdev {
		return fmt.Errorf("%w: %s is the device %s", ErrOntoSource, out, source)
	}
	if ss.Mode&unix.S_IFMT != unix.S_IFBLK {
		return nil
	}
	// The filesystem the output goes to.
	var ds unix.Stat_t
	if err := unix.Stat(filepath.Dir(out), &ds); err != nil {
		return err
	}
	for _, d := range underlying(ds.Dev) {
		if d == ss.Rdev {
			return fmt.Errorf("%w: %s is on a filesystem of %s", ErrOntoSource, out, source)
		}
	}
	return nil
}

// underlying lists dev and every block device under it, from sysfs: the
// disk of a partition, the slaves of a device-mapper or md device.
func underlying(dev uint64) []uint64 {
	out := []uint64{dev}
	seen := map[uint64]bool{dev: true}
	for i := 0; i < len(out) && i < 64; i++ {
		sys, err := filepath.EvalSymlinks(fmt.Sprintf("/sys/dev/block/%d:%d", unix.Major(out[i]), unix.Minor(out[i])))
		if err != nil {
			continue
		}
		var next []string
		if _, err := os.Stat(filepath.Join(sys, "partition")); err == nil {
			next = append(next, filepath.Dir(sys))
		}
		if ents, err := os.ReadDir(filepath.Join(sys, "slaves")); err == nil {
			for _, e := range ents {
				next = append(next, filepath.Join(sys, "slaves", e.Name()))
			}
		}
		for _, n := range next {
			b, err := os.ReadFile(filepath.Join(n, "dev"))
			if err != nil {
				continue
			}
			var maj, mnr uint32
			if _, err := fmt.Sscanf(strings.TrimSpace(string(b)), "%d:%d", &maj, &mnr); err != nil {
				continue
			}
			d := unix.Mkdev(maj, mnr)
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	return out
}

// ImageRecord is the record written beside an image: what was copied,
// from where, by whom, when, its digests and the unreadable sectors.
type ImageRecord struct {
	Format   string       `json:"format"`
	Tool     string       `json:"tool"`
	Version  string       `json:"version"`
	Command  []string     `json:"command"`
	Source   string       `json:"source"`
	Output   string       `json:"output"`
	Case     string       `json:"case,omitempty"`
	Operator Collector    `json:"collector"`
	Started  time.Time    `json:"started"`
	Finished time.Time    `json:"finished"`
	Result   *ImageResult `json:"result"`
}
