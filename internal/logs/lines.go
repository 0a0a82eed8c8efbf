package logs

import (
	"bufio"
	"errors"
	"io"
)

// DefaultMaxLine is the longest line kept whole; longer lines are clipped
// to it (and counted), the rest of them skipped without being held in
// memory.
const DefaultMaxLine = 64 << 10

// lineReader yields the lines of r without their line ends, in bounded
// memory: a line longer than max is clipped. Bytes are passed through as
// they are (NULs, invalid UTF-8).
type lineReader struct {
	br      *bufio.Reader
	max     int
	n       int   // lines read
	clipped int64 // lines longer than max
	buf     []byte
	err     error // first read error other than io.EOF
	// unterminated: the input ended inside a line (its last line has no
	// line end): a file cut at an arbitrary offset.
	unterminated bool
}

func newLineReader(r io.Reader, max int) *lineReader {
	if max <= 0 {
		max = DefaultMaxLine
	}
	size := max
	if size < 4096 {
		size = 4096
	}
	return &lineReader{br: bufio.NewReaderSize(r, size), max: max}
}

// next returns the next line, valid until the following call, and false at
// the end of input or on a read error (kept in err).
func (lr *lineReader) next() ([]byte, bool) {
	if lr.err != nil {
		return nil, false
	}
	line, err := lr.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		// A line longer than the buffer: keep its head, drop the rest.
		lr.buf = append(lr.buf[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = lr.br.ReadSlice('\n')
		}
		lr.clipped++
		line = lr.buf
		if err != nil && err != io.EOF {
			lr.err = err
		}
		err = nil
	}
	if err != nil {
		if err != io.EOF {
			lr.err = err
		}
		if len(line) == 0 {
			return nil, false
		}
		lr.unterminated = true
	}
	lr.n++
	line = trimByte(trimByte(line, '\n'), '\r')
	if len(line) > lr.max {
		line = line[:lr.max]
	}
	return line, true
}
