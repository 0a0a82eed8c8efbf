package logs

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Why chunks: the parse of a brute-forced host's auth.log (framing, time,
// classification) costs about as much as judging it, and one file is most
// of a log. The syslog formats carry no state from one line to the next
// but the year of year-less stamps, so a large plain file is cut at line
// ends into chunks parsed on every core (see ReadBatches); a compressed
// file cannot be cut and is parsed whole, beside the other files. What a
// chunk cannot know while it is parsed is fixed when it is delivered, in
// order: its line numbers (counted from the chunk's start, the lines of the
// chunks before it are added), its gaps and its coverage. The year is known
// before: a file whose stamps all lie in one year (the plan's start and end
// years agree) places every stamp alike; a file that crosses a New Year is
// scanned once, stamps only, for the year and month at each chunk's start
// (chunkYears).

// chunkSize is the nominal size of the chunks a large file is cut into
// (a variable for the tests). Small, because what a run holds at once is
// what it pays for twice: the first touch of every page of heap is a page
// fault (about 10 µs in a VM), and a parse of 1M lines with 2 MiB chunks,
// 16 batches queued per piece and 64 kept for reuse held 22 MB and took
// 3,500 more faults than it does now.
var chunkSize int64 = 512 << 10

// splitFormats are parsed line by line by syslogMessage: their files can
// be cut at line ends.
var splitFormats = map[string]bool{FormatAuth: true, FormatSyslog: true, FormatCron: true}

// chunk is a byte range [off, end) of a file that starts at a line start,
// with the year tracker's state there.
type chunk struct {
	off, end int64
	years    yearTracker
}

// chunksOf cuts the current file (plain, of a split format) into chunks,
// or returns nil when it is too small to be worth it or cannot be opened.
func (r *reader) chunksOf(f File, plan yearPlan) []chunk {
	if f.Gzip || f.Path == "-" || r.t == nil || !splitFormats[r.src.Format] {
		return nil
	}
	fh, err := r.t.Open(f.Path)
	if err != nil {
		return nil // the parse of the whole file records the gap
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil || st.Size() < 2*chunkSize {
		return nil
	}
	size := st.Size()
	bounds := []int64{0}
	win := make([]byte, 64<<10)
	for p := chunkSize; p < size; {
		b, ok := lineStart(fh, p, size, win)
		if !ok || b >= size {
			break
		}
		bounds = append(bounds, b)
		p = b + chunkSize
	}
	if len(bounds) < 2 {
		return nil
	}
	out := make([]chunk, len(bounds))
	for i, b := range bounds {
		out[i] = chunk{off: b, end: size, years: yearTracker{plan: plan, year: plan.start}}
		if i+1 < len(bounds) {
			out[i].end = bounds[i+1]
		}
	}
	if plan.start != plan.end {
		if !r.chunkYears(fh, out) {
			return nil
		}
	}
	return out
}

// lineStart finds the first line start at or after p (the byte after a
// newline at p-1 or later); false when none is before size.
func lineStart(fh *os.File, p, size int64, win []byte) (int64, bool) {
	for at := p - 1; at < size; at += int64(len(win)) {
		n, err := fh.ReadAt(win, at)
		if i := bytes.IndexByte(win[:n], '\n'); i >= 0 {
			return at + int64(i) + 1, true
		}
		if err != nil {
			return 0, false
		}
	}
	return 0, false
}

// chunkYears scans the file's stamps for the year tracker's state at the
// start of each chunk (a file crossing a New Year): the same lines, cut
// and clipped as lineReader does, through the same tracker as the parse.
func (r *reader) chunkYears(fh *os.File, cs []chunk) bool {
	if _, err := fh.Seek(0, io.SeekStart); err != nil {
		return false
	}
	maxLine := r.opts.MaxLine
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	br := bufio.NewReaderSize(fh, max(maxLine, 4096))
	y := cs[0].years
	var pos int64
	k := 1
	for k < len(cs) {
		line, err := br.ReadSlice('\n')
		n := int64(len(line))
		if n == 0 {
			break
		}
		// The stamp first: the head of a long line is overwritten by the
		// reads of its rest.
		head := trimByte(trimByte(line, '\n'), '\r')
		if s, ok := lineStamp(head[:min(len(head), maxLine)]); ok {
			y.advance(s.month)
		}
		for errors.Is(err, bufio.ErrBufferFull) {
			var more []byte
			more, err = br.ReadSlice('\n')
			n += int64(len(more))
		}
		pos += n
		for k < len(cs) && pos >= cs[k].off {
			if pos != cs[k].off {
				return false
			}
			cs[k].years = y
			k++
		}
		if err != nil {
			break
		}
	}
	return k == len(cs)
}

// parseChunk parses chunk c of the current file: its bytes are read whole
// into buf (the worker's, reused: events copy what they keep of a line),
// the lines cut as lineReader cuts them. Line
// numbers count from the chunk's start; a read error is returned with the
// line it was met at (see delivery in ReadBatches).
func (r *reader) parseChunk(c chunk, buf *[]byte) (readErr error, errLine int, err error) {
	fh, oerr := r.t.Open(r.file.Path)
	if oerr != nil {
		return oerr, 1, nil
	}
	defer fh.Close()
	if int64(cap(*buf)) < c.end-c.off {
		*buf = make([]byte, c.end-c.off)
	}
	n, rerr := fh.ReadAt((*buf)[:c.end-c.off], c.off)
	data := (*buf)[:n]
	if errors.Is(rerr, io.EOF) {
		rerr = nil // the file shrank since it was cut: what is there
	}
	r.years = c.years
	maxLine := r.opts.MaxLine
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	size := max(maxLine, 4096) // lineReader's buffer: longer lines are clipped
	done := r.done()
	line := 0
	for pos := 0; pos < len(data); {
		j := bytes.IndexByte(data[pos:], '\n')
		end, next := pos+j, pos+j+1
		if j < 0 {
			end, next = len(data), len(data)
		}
		l := data[pos:end]
		switch {
		case j >= 0 && len(l)+1 > size || j < 0 && len(l) >= size:
			l = l[:size]
			r.cov.Clipped++
		case j < 0 && r.file.Rotation > 0:
			r.cov.cut(r.file.Path)
		}
		l = trimByte(l, '\r')
		if len(l) > maxLine {
			l = l[:maxLine]
		}
		line++
		if err := r.oneLine(r.src.Format, line, l, syslogMessage); err != nil {
			return nil, 0, err
		}
		if line&4095 == 0 && done != nil {
			select {
			case <-done:
				return nil, 0, errStop{r.opts.Context.Err()}
			default:
			}
		}
		pos = next
	}
	return rerr, line + 1, nil
}

// gapBuf keeps the gaps of one piece of work, recorded in order when the
// piece is delivered.
type gapBuf []struct {
	kind model.GapKind
	path string
	m    model.Message
}

// GapMsg implements target.Recorder.
func (g *gapBuf) GapMsg(kind model.GapKind, path string, m model.Message) {
	*g = append(*g, struct {
		kind model.GapKind
		path string
		m    model.Message
	}{kind, path, m})
}

// replay records the kept gaps on rec.
func (g gapBuf) replay(rec target.Recorder) {
	for _, x := range g {
		rec.GapMsg(x.kind, x.path, x.m)
	}
}

// merge adds the counts of a piece of the same log read after c.
func (c *Coverage) merge(p *Coverage) {
	c.Lines += p.Lines
	c.Parsed += p.Parsed
	c.Unparsed += p.Unparsed
	c.Events += p.Events
	c.Clipped += p.Clipped
	c.Invalid += p.Invalid
	c.Errors += p.Errors
	c.Skipped += p.Skipped
	c.saw(p.First)
	c.saw(p.Last)
	for _, s := range p.Samples {
		if len(c.Samples) < maxSamples {
			c.Samples = append(c.Samples, s)
		}
	}
	for _, f := range p.Cut {
		c.cut(f)
	}
}
