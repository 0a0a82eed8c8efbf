// Package termtext prepares text for a terminal: evidence from a possibly
// hostile host is scrubbed of control characters (an escape sequence in a
// file name must never drive the responder's terminal), columns are
// measured in display cells (Chinese text is two cells a character), and
// severities get their labels in the output language. Every human-facing
// table (scan report, history, diff) uses it.
package termtext

import (
	"strings"

	"github.com/mattn/go-runewidth"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/model"
)

// OneLine turns s into one printable line: newlines and tabs become
// spaces, C0 and C1 control characters and DEL become '?'.
func OneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return '?'
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// Truncate shortens s to at most n display cells, ending in "…" when cut.
func Truncate(s string, n int) string {
	if Width(s) <= n {
		return s
	}
	return runewidth.Truncate(s, n, "…")
}

// Width is the number of terminal cells s takes (East Asian wide
// characters count two).
func Width(s string) int { return runewidth.StringWidth(s) }

// Pad right-pads s with spaces to w cells.
func Pad(s string, w int) string {
	if n := w - Width(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

var severityLabels = map[string][5]string{
	catalog.English: {"INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"},
	catalog.Chinese: {"提示", "低危", "中危", "高危", "严重"},
}

// Severity is the label of s in lang (English when lang is unknown).
func Severity(lang string, s model.Severity) string {
	l, ok := severityLabels[lang]
	if !ok {
		l = severityLabels[catalog.English]
	}
	if s < model.Info || s > model.Critical {
		return s.String()
	}
	return l[s]
}
