package logs

import (
	"compress/gzip"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// Handler receives each event. ev is valid during the call only (the reader
// reuses it); to keep the event, copy *ev — its strings and Fields map are
// never changed after the call. Fields is read-only: events with the same
// fields may share one map. A non-nil error stops the reading and is
// returned by Read.
type Handler func(ev *model.Event) error

// Options tune a read. The zero value reads with the defaults.
type Options struct {
	// Location is the time zone of timestamps that carry none (RFC 3164
	// syslog, dpkg.log). Nil: the target's zone (/etc/localtime,
	// /etc/timezone), else UTC.
	Location *time.Location
	// Host is put in Event.Host when a record names no host.
	Host string
	// MaxLine is the longest line kept (DefaultMaxLine when 0).
	MaxLine int
	// Stdin is read for a Source named "-".
	Stdin io.Reader
	// Now is the time of reading, for year inference of stdin (time.Now when zero).
	Now time.Time
	// Context stops a read when done (checked every few thousand lines).
	Context context.Context
}

// Coverage is what a read of one Source covered, to show beside the
// findings: a log that parsed badly must not look like a quiet log.
type Coverage struct {
	Name     string `json:"name"`
	Format   string `json:"format"`
	Files    int    `json:"files"`    // files read (of the Source's Files)
	Lines    int64  `json:"lines"`    // lines (records for binary formats) read
	Parsed   int64  `json:"parsed"`   // lines in the format
	Unparsed int64  `json:"unparsed"` // lines not in the format
	Events   int64  `json:"events"`   // events emitted
	Clipped  int64  `json:"clipped"`  // lines longer than MaxLine, clipped
	Invalid  int64  `json:"invalid"`  // lines with invalid UTF-8 (kept as bytes)
	Errors   int64  `json:"errors"`   // files or parts that could not be read (each also a gap)
	Skipped  int64  `json:"skipped"`  // corrupt records skipped (binary formats)
	// Duplicates are events left out as copies of another log's (set by
	// the caller that deduplicates: see Dedup).
	Duplicates int64     `json:"duplicates,omitempty"`
	First      time.Time `json:"first,omitzero"` // earliest event time
	Last       time.Time `json:"last,omitzero"`  // latest event time
	// Samples are a few unparsed lines (clipped), to tune a parser with.
	Samples []string `json:"samples,omitempty"`
	// Cut are the files of the log whose data ends early: a compressed
	// stream cut off, a binary log ending inside a record, or a rotated
	// (closed) text file ending inside a line. Files are cut by
	// truncation, not by logging programs, which write whole lines.
	Cut []string `json:"cut,omitempty"`
}

// cut notes that file p ends early.
func (c *Coverage) cut(p string) {
	if len(c.Cut) < 100 && (len(c.Cut) == 0 || c.Cut[len(c.Cut)-1] != p) {
		c.Cut = append(c.Cut, p)
	}
}

// maxSamples unparsed lines are kept per source, each clipped to sampleLen.
const (
	maxSamples = 5
	sampleLen  = 300
	rawLen     = 4096 // Event.Raw is clipped to this
)

// unparsed counts a line not in the format and keeps it as a sample.
func (c *Coverage) unparsed(line []byte) {
	c.Unparsed++
	if len(c.Samples) < maxSamples {
		c.Samples = append(c.Samples, textclip.Clip(string(line), sampleLen))
	}
}

func (c *Coverage) saw(t time.Time) {
	if t.IsZero() {
		return
	}
	if c.First.IsZero() || t.Before(c.First) {
		c.First = t
	}
	if t.After(c.Last) {
		c.Last = t
	}
}

// errStop wraps the handler's error so parsers can tell it from their own.
type errStop struct{ err error }

func (e errStop) Error() string { return e.err.Error() }

// Read streams the events of src, file by file (oldest first) and in the
// order of each file, to fn. What cannot be read is a gap on rec (a file
// that is not there, a truncated gzip stream) and counted in Coverage.Errors;
// reading carries on with the next file. The error is fn's, or the
// context's; never the input's.
func Read(t *target.Target, rec target.Recorder, src Source, opts Options, fn Handler) (Coverage, error) {
	r, files, err := newReader(t, rec, src, opts, fn)
	if err != nil {
		return *r.cov, err
	}
	cov := r.cov
	p := parsers[src.Format]
	for i, f := range files {
		r.file, r.fileIndex = f, i
		r.next = nil
		if i+1 < len(files) {
			r.next = &files[i+1]
		}
		err := p(r)
		cov.Files++
		var stop errStop
		if errors.As(err, &stop) {
			return *cov, stop.err
		}
		if err != nil {
			return *cov, err
		}
	}
	return *cov, nil
}

// reader is the state of one Read, handed to the format's parser.
type reader struct {
	t    *target.Target
	rec  target.Recorder
	opts Options
	loc  *time.Location
	cov  *Coverage
	fn   Handler
	src  Source
	file File
	next *File // the next newer file of the log, nil for the last
	ev   model.Event

	fileIndex int
	plan      []yearPlan // per file, for year-less timestamps
	years     yearTracker
	strs      map[string]string            // interned host and program names
	web       *[2]webLayout                // access log layouts: the Source's, then common
	stopErr   error                        // the handler's error met by a parser that emits later than it reads
	fieldSets map[string]map[string]string // shared Fields maps by content (fieldsOf)
	keyBuf    []byte
	lastHost  string // the previous line's host and program (reader.last)
	lastProg  string
	// slots, when set, is the batch events are parsed into (its length
	// below its capacity: the handler sends it on when full).
	slots *[]model.Event
}

// parseFunc reads r.file and emits its events.
type parseFunc func(r *reader) error

// open opens the current file through the target (stdin for "-"),
// decompressing gzip. A failure is a gap and counted.
func (r *reader) open() (io.ReadCloser, bool) {
	if r.file.Path == "-" {
		if r.opts.Stdin == nil {
			return nil, false
		}
		return io.NopCloser(r.opts.Stdin), true
	}
	f, err := r.t.Open(r.file.Path)
	if err != nil {
		r.cov.Errors++
		target.Record(r.rec, r.file.Path, err)
		return nil, false
	}
	if !r.file.Gzip {
		return f, true
	}
	rc, ok := r.gunzip(f)
	if !ok {
		r.cov.Errors++
		r.rec.GapMsg(model.GapError, r.file.Path, model.Msg("logparse.gap.gzip"))
	}
	return rc, ok
}

// openFile opens the current file of the target for random access (a
// format read whole or by offset: journal, history); stdin is not one. A
// failure is a gap and counted.
func (r *reader) openFile() (*os.File, fs.FileInfo, bool) {
	if r.t == nil || r.file.Path == "-" {
		return nil, nil, false
	}
	f, err := r.t.Open(r.file.Path)
	if err != nil {
		r.cov.Errors++
		target.Record(r.rec, r.file.Path, err)
		return nil, nil, false
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		r.readErr(err, 1)
		return nil, nil, false
	}
	return f, st, true
}

// gunzip wraps f in a gzip reader (closing f when it is not gzip).
func (r *reader) gunzip(f io.ReadCloser) (io.ReadCloser, bool) {
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, false
	}
	return gzFile{zr, f}, true
}

type gzFile struct {
	*gzip.Reader
	f io.Closer
}

func (g gzFile) Close() error { g.Reader.Close(); return g.f.Close() }

// readErr records a read error met in the middle of a file (a truncated
// gzip stream, an I/O error): what came before it was read.
func (r *reader) readErr(err error, line int) {
	if err == nil {
		return
	}
	r.cov.Errors++
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) {
		r.cov.cut(r.file.Path)
		r.rec.GapMsg(model.GapError, r.file.Path, model.Msg("logparse.gap.truncated", line))
		return
	}
	r.rec.GapMsg(model.GapError, r.file.Path, model.Msg("logparse.gap.read", line, err.Error()))
}

// lineFunc parses one line into ev (reset and pre-filled with File, Line,
// Source, Host); it reports whether the line was in the format and whether
// ev is an event to emit.
type lineFunc func(r *reader, line []byte, ev *model.Event) (parsed, emit bool)

// eachLine runs parse over every line of the current file.
func (r *reader) eachLine(source string, parse lineFunc) error {
	rc, ok := r.open()
	if !ok {
		return nil
	}
	defer rc.Close()
	lr := newLineReader(rc, r.opts.MaxLine)
	done := r.done()
	for {
		line, ok := lr.next()
		if !ok {
			break
		}
		if err := r.oneLine(source, lr.n, line, parse); err != nil {
			return err
		}
		if lr.n&4095 == 0 && done != nil {
			select {
			case <-done:
				return errStop{r.opts.Context.Err()}
			default:
			}
		}
	}
	r.cov.Clipped += lr.clipped
	r.readErr(lr.err, lr.n+1)
	if lr.unterminated && r.file.Rotation > 0 {
		r.cov.cut(r.file.Path)
	}
	return nil
}

// oneLine counts, parses and emits line n of the current file.
func (r *reader) oneLine(source string, n int, line []byte, parse lineFunc) error {
	r.cov.Lines++
	if !utf8.Valid(line) {
		r.cov.Invalid++
	}
	ev := &r.ev
	if r.slots != nil { // parsed in place, in the batch (see batcher.parse)
		b := *r.slots
		*r.slots = b[:len(b)+1]
		ev = &(*r.slots)[len(b)]
	}
	*ev = model.Event{Source: source, File: r.file.Path, Line: n, Host: r.opts.Host}
	parsed, emit := parse(r, line, ev)
	if r.slots != nil && !(parsed && emit) {
		*r.slots = (*r.slots)[:len(*r.slots)-1]
	}
	if r.stopErr != nil {
		return r.stopErr
	}
	if !parsed {
		r.cov.unparsed(line)
		return nil
	}
	r.cov.Parsed++
	if !emit {
		return nil
	}
	return r.emit(ev, line)
}

func (r *reader) done() <-chan struct{} {
	if r.opts.Context == nil {
		return nil
	}
	return r.opts.Context.Done()
}

// emit completes ev (the raw line, clipped) and hands it to the handler.
func (r *reader) emit(ev *model.Event, raw []byte) error {
	if raw != nil {
		if len(raw) > rawLen {
			ev.Raw = textclip.Clip(string(raw[:min(len(raw), rawLen+8)]), rawLen)
		} else {
			ev.Raw = string(raw)
		}
	}
	r.cov.Events++
	r.cov.saw(ev.Time)
	if err := r.fn(ev); err != nil {
		return errStop{err}
	}
	return nil
}

// ParseLines parses text held in memory as format (one line per line; a
// year-less timestamp is placed in the year of opts.Now, or the current
// one) and returns its events and coverage. For tests and rules; logs on a
// target are read with Read.
func ParseLines(format, text string, opts Options) ([]model.Event, Coverage, error) {
	opts.Stdin = strings.NewReader(text)
	var out []model.Event
	cov, err := Read(nil, nil, Source{Name: "-", Format: format}, opts, func(ev *model.Event) error {
		out = append(out, *ev)
		return nil
	})
	return out, cov, err
}

// setField sets Fields[k] to v (when v is not empty) on an event of the
// formats that are not syslog messages (see msgEvent for those).
func setField(ev *model.Event, k string, v []byte) {
	if len(v) == 0 {
		return
	}
	if ev.Fields == nil {
		ev.Fields = make(map[string]string, 4)
	}
	ev.Fields[k] = string(v)
}
