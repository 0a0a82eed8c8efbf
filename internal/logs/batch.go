package logs

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// BatchHandler receives events in batches, in order (file by file, line
// by line). The batch is the handler's: the reader keeps no reference to
// it (hand it back through BatchOptions.Free to have it reused).
type BatchHandler func(evs []model.Event) error

// BatchOptions tune ReadBatches.
type BatchOptions struct {
	// Workers parse at the same time (runtime.GOMAXPROCS when 0).
	Workers int
	// Size is the most events in one batch (512 when 0).
	Size int
	// Free, when set, holds batches the handler is done with; the reader
	// takes its batches from it before making new ones.
	Free chan []model.Event
}

// ReadBatches reads src as Read does — the same events, in the same order,
// with the same line numbers, coverage and gaps — but parses on several
// goroutines: the files of a log at the same time, and a large plain file
// of the syslog formats (auth, syslog, cron) cut into chunks at line ends
// (see chunk.go). Events reach fn in batches, in order, on the calling
// goroutine. Formats read as a whole (binary, journal, web, audit ...) are
// read by Read, in batches.
func ReadBatches(t *target.Target, rec target.Recorder, src Source, opts Options, bo BatchOptions, fn BatchHandler) (Coverage, error) {
	if bo.Size <= 0 {
		bo.Size = 512
	}
	if bo.Workers <= 0 {
		bo.Workers = runtime.GOMAXPROCS(0)
	}
	bat := batcher{bo: bo}
	if !splitFormats[src.Format] || bo.Workers == 1 {
		batch := bat.get()
		cov, err := Read(t, rec, src, opts, func(ev *model.Event) error {
			batch = append(batch, *ev)
			if len(batch) == bo.Size {
				if err := fn(batch); err != nil {
					return err
				}
				batch = bat.get()
			}
			return nil
		})
		if err == nil && len(batch) > 0 {
			err = fn(batch)
		}
		return cov, err
	}
	if rec == nil {
		rec = target.Discard{}
	}
	r0, files, err := newReader(t, rec, src, opts, nil)
	if err != nil {
		return *r0.cov, err
	}
	cov := r0.cov
	// The pieces of work, in order: every chunk of a large plain file, every
	// other file whole.
	var work []*piece
	for i, f := range files {
		r0.file, r0.fileIndex = f, i
		cs := r0.chunksOf(f, r0.plan[i])
		if cs == nil {
			work = append(work, &piece{file: i, whole: true, last: true})
			continue
		}
		for k, c := range cs {
			work = append(work, &piece{file: i, c: c, last: k == len(cs)-1})
		}
	}
	for _, p := range work {
		// A few batches queued per piece: enough to keep a worker busy
		// while the piece before is delivered, few enough to keep the
		// memory in flight small (see chunkSize).
		p.out = make(chan []model.Event, 4)
	}
	quit := make(chan struct{})
	next := make(chan *piece)
	var wg sync.WaitGroup
	for w := 0; w < min(bo.Workers, len(work)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// One reader per worker: its intern tables and shared Fields
			// maps serve every piece it parses.
			w := &reader{t: t, opts: opts, loc: r0.loc, src: src, plan: r0.plan}
			var buf []byte
			for p := range next {
				bat.parse(w, files, p, &buf, quit)
			}
		}()
	}
	// Pieces are handed out in order and a worker takes the next only when
	// its piece is done, so the first piece not yet delivered is always
	// being parsed or done: the delivery below never waits on a worker that
	// waits on it.
	go func() {
		defer close(next)
		for _, p := range work {
			select {
			case next <- p:
			case <-quit:
				return
			}
		}
	}()
	stop := func(e error) (Coverage, error) {
		close(quit)
		wg.Wait()
		return *cov, e
	}
	base := 0 // lines of the current file before the piece
	for _, p := range work {
		for b := range p.out {
			if !p.whole && base > 0 {
				for j := range b {
					b[j].Line += base
				}
			}
			if err := fn(b); err != nil {
				return stop(err)
			}
		}
		p.gaps.replay(rec)
		if p.err != nil {
			var s errStop
			if errors.As(p.err, &s) {
				return stop(s.err)
			}
			return stop(p.err)
		}
		cov.merge(&p.cov)
		if p.readErr != nil {
			er := reader{cov: cov, rec: rec, file: files[p.file]}
			er.readErr(p.readErr, base+p.errLine)
		}
		base += int(p.cov.Lines)
		if p.last {
			cov.Files++
			base = 0
		}
	}
	close(quit)
	wg.Wait()
	return *cov, nil
}

// piece is one piece of work of ReadBatches: a whole file, or one chunk of
// a file; what parsing it gave, read once out is closed.
type piece struct {
	file  int
	whole bool
	c     chunk
	last  bool // the file's last piece
	out   chan []model.Event

	cov     Coverage
	gaps    gapBuf
	err     error // the parse stopped (the context)
	readErr error // a chunk's read error, at its line errLine
	errLine int
}

// batcher hands out batches to fill.
type batcher struct{ bo BatchOptions }

func (b batcher) get() []model.Event {
	select {
	case x := <-b.bo.Free:
		if cap(x) >= b.bo.Size {
			return x[:0]
		}
		return b.get()
	default:
		return make([]model.Event, 0, b.bo.Size)
	}
}

// errQuit stops a worker whose results are no longer wanted.
var errQuit = errors.New("logs: read stopped")

// parse parses piece p on the worker's reader r (the piece's own coverage
// and gaps) and sends its events, in batches, to p.out.
func (b batcher) parse(r *reader, files []File, p *piece, buf *[]byte, quit <-chan struct{}) {
	defer close(p.out)
	batch := b.get()
	send := func() error {
		select {
		case p.out <- batch:
			batch = b.get()
			return nil
		case <-quit:
			return errStop{errQuit}
		}
	}
	r.rec, r.cov, r.file, r.fileIndex, r.slots, r.stopErr = &p.gaps, &p.cov, files[p.file], p.file, nil, nil
	r.fn = func(ev *model.Event) error {
		batch = append(batch, *ev)
		if len(batch) == b.bo.Size {
			return send()
		}
		return nil
	}
	var err error
	if p.whole {
		err = parsers[r.src.Format](r)
	} else {
		// A chunk's lines are parsed straight into the batch.
		r.slots = &batch
		r.fn = func(*model.Event) error {
			if len(batch) == b.bo.Size {
				return send()
			}
			return nil
		}
		p.readErr, p.errLine, err = r.parseChunk(p.c, buf)
	}
	if err == nil && len(batch) > 0 {
		err = send()
	}
	p.err = err
}

// newReader sets up a read of src: its reader and files, the years of a
// year-less log planned.
func newReader(t *target.Target, rec target.Recorder, src Source, opts Options, fn Handler) (*reader, []File, error) {
	cov := &Coverage{Name: src.Name, Format: src.Format}
	r := &reader{t: t, rec: rec, opts: opts, cov: cov, fn: fn, src: src}
	if _, ok := parsers[src.Format]; !ok {
		return r, nil, fmt.Errorf("logs: unknown format %q", src.Format)
	}
	if r.rec == nil {
		r.rec = target.Discard{}
	}
	for _, s := range src.Skipped {
		r.rec.GapMsg(model.GapSkipped, s.Path, s.Why)
		cov.Errors++
	}
	r.loc = opts.Location
	if r.loc == nil {
		r.loc = time.UTC
		if t != nil {
			r.loc = TargetLocation(t)
		}
	}
	files := src.Files
	if src.Name == "-" && len(files) == 0 {
		files = []File{{Path: "-"}}
	}
	r.plan = make([]yearPlan, len(files))
	if yearless[src.Format] {
		now := opts.Now
		if now.IsZero() {
			now = time.Now()
		}
		r.plan = planYears(files, r.loc, now, r.yearEdges)
	}
	return r, files, nil
}
