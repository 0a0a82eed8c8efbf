package files

import (
	"slices"
	"sync"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// lockedReporter serialises matcher hits and gaps to the walk's reporter
// and completes hits with the file's facts.
// With hold, the hits wait (in held) for flush: the file is hashed for
// their evidence only once a matcher reported one.
type lockedReporter struct {
	w    *walker
	f    *File
	hold bool
	held []Hit
}

func (l *lockedReporter) Hit(h Hit) {
	if h.Path == "" && l.f != nil {
		h.Path = l.f.Path
	}
	if l.hold {
		l.held = append(l.held, h)
		return
	}
	if l.f != nil && h.Path == l.f.Path {
		h.SHA256, h.ModTime, h.Size = l.f.SHA256, l.f.ModTime, l.f.Size
	}
	h.Text = clipText(h.Text)
	l.w.cov.hits.Add(1)
	l.w.repMu.Lock()
	defer l.w.repMu.Unlock()
	l.w.rep.Hit(h)
}

// flush reports the held hits, with the digest computed since.
func (l *lockedReporter) flush() {
	l.hold = false
	for _, h := range l.held {
		l.Hit(h)
	}
	l.held = nil
}

func (l *lockedReporter) GapMsg(kind model.GapKind, p string, m model.Message) {
	l.w.repMu.Lock()
	defer l.w.repMu.Unlock()
	l.w.rep.GapMsg(kind, p, m)
}

// pathErr is an unreadable path.
type pathErr struct {
	path string
	err  error
}

// firstGaps keeps the first maxErrorGaps unreadable paths in walk order
// (whichever worker met them first) and counts them all: the gaps do not
// depend on scheduling, and memory does not grow with the errors.
type firstGaps struct {
	mu    sync.Mutex
	first []pathErr
	n     int64
}

func (g *firstGaps) add(p string, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n++
	i, _ := slices.BinarySearchFunc(g.first, p, func(e pathErr, p string) int { return target.WalkOrder(e.path, p) })
	if i >= maxErrorGaps {
		return
	}
	g.first = slices.Insert(g.first, i, pathErr{p, err})
	if len(g.first) > maxErrorGaps {
		g.first = g.first[:maxErrorGaps]
	}
}

// list returns the first unreadable paths, in walk order, and the count.
func (g *firstGaps) list() ([]pathErr, int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.first), g.n
}
