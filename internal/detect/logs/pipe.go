package logs

import (
	"sync"

	lsrc "github.com/vigil-ir/vigil/internal/logs"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Why a pipeline: parsing (framing, time, classification) and judging
// (the stateful rules, Sigma, IOCs) each cost about half of a run on a
// large auth.log; one goroutine reads and parses while another judges, so
// a run uses both cores of a small server. Events keep their order: one
// reader goes through the sources in turn, one judge takes its batches in
// the order they were sent.

// batchSize events are handed over at a time (copies: the reader reuses
// its event).
const batchSize = 512

// item is one piece of the stream from the reader to the judge: the start
// of a source, a batch of its events, its end with its coverage, or the
// error that stopped the reading.
type item struct {
	src   int
	begin bool
	evs   []model.Event
	cov   *lsrc.Coverage
	err   error
}

// lockedRec serialises the gaps the reader and the judge record.
type lockedRec struct {
	mu  *sync.Mutex
	rec target.Recorder
}

// GapMsg implements target.Recorder.
func (l lockedRec) GapMsg(kind model.GapKind, path string, m model.Message) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rec.GapMsg(kind, path, m)
}

// readAll reads srcs in turn and sends their events, in batches, to out
// (closed at the end); used batches come back through free. Each source is
// parsed on every core (lsrc.ReadBatches: its files, and the chunks of a
// large file, at the same time) and delivered in order.
func (d *Detector) readAll(t *target.Target, rec target.Recorder, srcs []lsrc.Source, ropt lsrc.Options, out chan<- item, free chan []model.Event) {
	defer close(out)
	bo := lsrc.BatchOptions{Size: batchSize, Free: free}
	for i, src := range srcs {
		out <- item{src: i, begin: true}
		cov, err := lsrc.ReadBatches(t, rec, src, ropt, bo, func(evs []model.Event) error {
			if !d.opt.Since.IsZero() || !d.opt.Until.IsZero() {
				evs = d.within(evs)
			}
			out <- item{src: i, evs: evs}
			return nil
		})
		if err != nil {
			out <- item{src: i, err: err}
			return
		}
		out <- item{src: i, cov: &cov}
	}
}

// within keeps the events of evs inside --since/--until (in place).
func (d *Detector) within(evs []model.Event) []model.Event {
	kept := evs[:0]
	for _, ev := range evs {
		if !d.opt.Since.IsZero() && ev.Time.Before(d.opt.Since) || !d.opt.Until.IsZero() && ev.Time.After(d.opt.Until) {
			continue
		}
		kept = append(kept, ev)
	}
	return kept
}
