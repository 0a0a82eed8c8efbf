package report

import (
	"strings"

	"github.com/mattn/go-runewidth"

	"github.com/vigil-ir/vigil/internal/termtext"
)

// Column widths of the table's location column. A path is never cut: on a
// terminal it wraps within the column; otherwise it is printed whole and
// only shorter locations are padded to align the titles.
const (
	alignLocW = 60 // widest location aligned when the output is not a terminal
	minLocW   = 20 // the location column never gets narrower than this
	minTitleW = 24 // room left for the title on a terminal line
)

// locationWidth is the width of the location column for locations as wide
// as widest, after lead cells (severity and rule), on a terminal of width
// cells (0: not a terminal).
func locationWidth(widest, lead, width int) int {
	if width <= 0 {
		return min(widest, alignLocW)
	}
	return min(widest, max(width-lead-2-minTitleW, minLocW))
}

// wrapCells splits s into pieces of at most w display cells, never inside
// a character; a character wider than w is a piece of its own. Joined, the
// pieces are s.
func wrapCells(s string, w int) []string {
	if w <= 0 || termtext.Width(s) <= w {
		return []string{s}
	}
	var out []string
	var cur strings.Builder
	curW := 0
	for _, r := range s {
		rw := runewidth.RuneWidth(r)
		if curW+rw > w && curW > 0 {
			out = append(out, cur.String())
			cur.Reset()
			curW = 0
		}
		cur.WriteRune(r)
		curW += rw
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// locationLines lays out one finding's location and title after lead
// (severity and rule, leadW cells). A location that fits the column is
// padded and followed by the title; a longer one (on a terminal) wraps
// within the rest of the terminal's width and the title follows on a line
// of its own, under the location. Off a terminal every line is whole.
func (t *Table) locationLines(w *errWriter, lead string, leadW int, loc string, locW int, title string) {
	lw := termtext.Width(loc)
	if lw <= locW || t.opt.Width <= 0 {
		w.printf("%s%s%s  %s\n", lead, loc, strings.Repeat(" ", max(0, locW-lw)), title)
		return
	}
	indent := strings.Repeat(" ", leadW)
	for i, p := range wrapCells(loc, max(t.opt.Width-leadW, minLocW)) {
		if i == 0 {
			w.printf("%s%s\n", lead, p)
		} else {
			w.printf("%s%s\n", indent, p)
		}
	}
	w.printf("%s%s\n", indent, title)
}
