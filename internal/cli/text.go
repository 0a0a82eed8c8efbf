package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/vigil-ir/vigil/internal/termtext"
)

// word renders the fixed word k of the history commands' tables
// (rules/messages/words.yaml, id "word.<k>") in lang.
func word(lang, k string, args ...any) string {
	return texts().T(lang, "word."+k, args...)
}

// table writes aligned columns; the last column is never padded (it holds
// free text such as a Chinese title). Cells are scrubbed of control
// characters: stored evidence comes from a possibly hostile host.
type table struct {
	rows  [][]string
	notes map[int]string // a line printed under a row, indented, not aligned
	right map[int]bool   // right-aligned columns
}

func (t *table) add(cells ...string) {
	for i := range cells {
		cells[i] = termtext.OneLine(cells[i])
	}
	t.rows = append(t.rows, cells)
}

// note adds a free line under the last row.
func (t *table) note(s string) {
	if t.notes == nil {
		t.notes = map[int]string{}
	}
	t.notes[len(t.rows)-1] = termtext.OneLine(s)
}

func (t *table) write(w io.Writer) error {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], termtext.Width(c))
		}
	}
	var b strings.Builder
	for ri, r := range t.rows {
		var line strings.Builder
		for i, c := range r {
			if i > 0 {
				line.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-termtext.Width(c))
			if t.right[i] {
				line.WriteString(pad + c)
			} else {
				line.WriteString(c + pad)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
		if n, ok := t.notes[ri]; ok {
			b.WriteString(strings.Repeat(" ", widths[0]+2) + n + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// warnf reports a problem that does not stop the command (the store
// failing under a scan) on stderr.
func (g *globals) warnf(format string, a ...any) {
	fmt.Fprintf(g.stderr, "vigil: %s\n", g.t("cli.warning", fmt.Sprintf(format, a...)))
}

// notef tells the person something on stderr (never mixed into the
// machine-readable stdout).
func (g *globals) notef(format string, a ...any) {
	fmt.Fprintf(g.stderr, "vigil: "+format+"\n", a...)
}
