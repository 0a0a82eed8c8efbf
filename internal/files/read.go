package files

import (
	"context"
	"crypto/md5"  //nolint:gosec // MD5 is asked for by hash indicator lists, not for security
	"crypto/sha1" //nolint:gosec // likewise
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// chunk is the streaming read size for hashing beyond the content prefix.
const chunk = 256 << 10

// reader is one worker's reusable buffers: memory is Workers × (ContentCap
// + chunk) at most, whatever the tree holds.
type reader struct {
	content []byte
	tail    []byte
	buf     []byte
	sha     hash.Hash
	md5     hash.Hash
	sha1    hash.Hash
}

func newReader(opt Options) *reader {
	return &reader{buf: make([]byte, chunk), sha: sha256.New(), md5: md5.New(), sha1: sha1.New()} //nolint:gosec
}

// contentBuf returns a buffer of n bytes, grown only as files need it:
// at least doubled (from 64 KiB, up to 16 MiB), so that a walk meeting
// ever larger files allocates (and faults in) a few buffers, not one for
// each new largest file.
func (r *reader) contentBuf(n int64) []byte {
	if c := int64(cap(r.content)); c < n {
		r.content = make([]byte, max(n, min(2*c, 16<<20), 64<<10))
	}
	return r.content[:n]
}

// errer is what a read asks before each chunk: whether it may go on.
type errer interface{ Err() error }

// liveness is the walk's context, ended early by the scan's budgets.
type liveness struct {
	walk   context.Context
	budget context.Context
}

func (c liveness) Err() error {
	if err := c.walk.Err(); err != nil {
		return err
	}
	return c.budget.Err()
}

// readerPool holds the readers' buffers of the workers that read at the
// moment: memory is bounded by the walk's workers, whatever the tree.
type readerPool struct {
	mu   sync.Mutex
	free []*reader
	opt  Options
}

func (p *readerPool) get() *reader {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		r := p.free[n-1]
		p.free = p.free[:n-1]
		return r
	}
	return newReader(p.opt)
}

func (p *readerPool) put(r *reader) {
	p.mu.Lock()
	p.free = append(p.free, r)
	p.mu.Unlock()
}

// ctxReader stops a long read when the walk is cancelled or out of time.
type ctxReader struct {
	ctx errer
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// readPath reads a start path that is a file (not met by the walk of
// directories): its metadata, the matchers' wants, then the file.
func (w *walker) readPath(ctx context.Context, p string) {
	w.last.Store(time.Now().UnixNano())
	fi, err := w.t.Lstat(p)
	if err != nil {
		w.countErr(p, err)
		return
	}
	w.cov.seen.Add(1)
	if !utf8.ValidString(p) {
		w.cov.odd.Add(1)
	}
	j := w.wants(w.meta(p, p, fi))
	if j == nil {
		return
	}
	f, err := w.t.Open(p)
	if err != nil {
		w.openErr(p, err)
		return
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !sameFile(statOf(st), j.meta) {
		// Replaced between the lstat and the open (perhaps by a symlink
		// that the target resolved): not the file met.
		w.cov.skip(SkipVanished, p)
		return
	}
	r := w.readers.get()
	defer w.readers.put(r)
	w.read(ctx, r, j, f)
}

func sameFile(st *syscall.Stat_t, m Meta) bool {
	return st != nil && uint64(st.Ino) == m.Ino && uint64(st.Dev) == m.Dev
}

// read reads and hashes one file (opened by the walk: the file it listed)
// once, then runs the matchers that wanted it. walkCtx is the walk's.
func (w *walker) read(walkCtx context.Context, r *reader, j *job, f *os.File) {
	live := liveness{walk: walkCtx, budget: w.budget}
	if live.Err() != nil {
		w.readErr(live, j.meta.Path, live.Err())
		return
	}
	fi, err := f.Stat()
	if err != nil {
		w.openErr(j.meta.Path, err)
		return
	}
	size := fi.Size()
	file := File{Meta: j.meta}
	file.Size = size

	hashWhole := true
	switch {
	case size > w.opt.ContentCap && j.meta.Blocks*512 < size/8:
		// Mostly holes (a huge sparse file): reading it whole would be
		// reading zeros for minutes.
		hashWhole = false
		w.cov.skip(SkipSparse, j.meta.Path)
	case size > w.opt.HashCap:
		hashWhole = false
		w.cov.skip(SkipHashCap, j.meta.Path)
	}
	// The digests are computed while reading when a matcher needs them to
	// judge (hash indicators, Want.Digest / Hashes); otherwise only for
	// the evidence of a file that got a hit, after matching (the content
	// in memory, then the rest of the file): a walk of content matchers
	// alone does not hash, nor read past the content limit, what is clean.
	digestNow := j.want.Digest || j.want.Hashes != 0 || !j.want.Content
	src := ctxReader{ctx: live, r: f}
	var n int64
	if j.want.Content {
		want := min(size, w.opt.ContentCap)
		buf := r.contentBuf(want)
		got, err := io.ReadFull(src, buf)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			w.readErr(live, j.meta.Path, err)
			return
		}
		n = int64(got)
		file.Content = buf[:got]
		file.Truncated = size > n
		if file.Truncated && size > w.opt.ContentCap {
			w.cov.skip(SkipContentCap, j.meta.Path)
		}
		w.cov.content.Add(1)
	}
	if hashWhole && digestNow {
		m, err := w.hash(r, &file, src, j.want.Hashes)
		n += m
		if err != nil {
			w.cov.bytes.Add(n)
			w.readErr(live, j.meta.Path, err)
			return
		}
	}
	if file.Truncated && w.opt.TailCap > 0 {
		n += w.readTail(f, r, &file, hashWhole && digestNow)
	}
	w.addBytes(n)
	rep := &lockedReporter{w: w, f: &file, hold: !digestNow}
	for _, i := range j.which {
		if file.Content == nil && file.SHA256 == "" {
			break // nothing was read that a matcher could judge
		}
		w.matchers[i].Match(&file, rep)
	}
	if len(rep.held) == 0 {
		return
	}
	if hashWhole {
		// A hit's evidence carries the file's digest.
		rest := io.NewSectionReader(f, int64(len(file.Content)), max(size-int64(len(file.Content)), 0))
		m, err := w.hash(r, &file, ctxReader{ctx: live, r: rest}, j.want.Hashes)
		w.addBytes(m)
		if err != nil {
			w.readErr(live, j.meta.Path, err)
		}
	}
	rep.flush()
}

// hash computes the digests of file: its content prefix (already read),
// then the rest from rest. It returns the bytes read from rest.
func (w *walker) hash(r *reader, file *File, rest io.Reader, hashes Hash) (int64, error) {
	r.sha.Reset()
	hs := []io.Writer{r.sha}
	if hashes&MD5 != 0 {
		r.md5.Reset()
		hs = append(hs, r.md5)
	}
	if hashes&SHA1 != 0 {
		r.sha1.Reset()
		hs = append(hs, r.sha1)
	}
	hw := io.MultiWriter(hs...)
	hw.Write(file.Content)
	m, err := io.CopyBuffer(hw, rest, r.buf)
	if err != nil {
		return m, err
	}
	file.SHA256 = hex.EncodeToString(r.sha.Sum(nil))
	if hashes&MD5 != 0 {
		file.MD5 = hex.EncodeToString(r.md5.Sum(nil))
	}
	if hashes&SHA1 != 0 {
		file.SHA1 = hex.EncodeToString(r.sha1.Sum(nil))
	}
	w.cov.hashed.Add(1)
	return m, nil
}

// addBytes counts bytes read and stops the walk at its byte budget.
func (w *walker) addBytes(n int64) {
	if total := w.cov.bytes.Add(n); w.opt.MaxBytes > 0 && total >= w.opt.MaxBytes {
		w.stop("bytes")
	}
}

// readTail reads the end of a file larger than the content limit into
// file.Tail (pread: the streamed hash has just passed it through the page
// cache). It returns the bytes newly read: none when the hash read them.
func (w *walker) readTail(f io.ReaderAt, r *reader, file *File, hashed bool) int64 {
	n := min(w.opt.TailCap, file.Size-int64(len(file.Content)))
	if n <= 0 {
		return 0
	}
	if int64(cap(r.tail)) < n {
		r.tail = make([]byte, n)
	}
	off := file.Size - n
	got, _ := f.ReadAt(r.tail[:n], off)
	if got <= 0 {
		return 0 // shrunk or unreadable since: the head and the hash stand
	}
	file.Tail, file.TailOffset = r.tail[:got], off
	if hashed {
		return 0
	}
	return int64(got)
}

// openErr counts a file that could not be opened.
func (w *walker) openErr(p string, err error) {
	if errors.Is(err, target.ErrNotRegular) {
		w.cov.skip(SkipSpecial, p)
		return
	}
	w.countErr(p, err)
}

// readErr counts a read that failed; a read cut by a budget or by the
// walk's end is a budget skip.
func (w *walker) readErr(ctx errer, p string, err error) {
	if ctx.Err() != nil {
		if !w.spent() {
			w.stop("cancelled")
		}
		w.cov.skip(SkipBudget, p)
		return
	}
	w.cov.errors.Add(1)
	w.cov.skip(SkipError, p)
	w.gap(p, err)
}

// clipText is a hit's text as evidence: one line of at most MaxText bytes.
func clipText(s string) string {
	s = strings.ReplaceAll(s, "\r", " ")
	s = strings.ReplaceAll(s, "\n", " ")
	return textclip.Trim(s, MaxText)
}
