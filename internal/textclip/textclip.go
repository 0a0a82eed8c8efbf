// Package textclip shortens text for evidence and messages: at most a given
// number of bytes, never cut inside a UTF-8 sequence, the cut marked with
// "…". It is a leaf (standard library only) so that collectors, graders and
// detectors share one clipping rule instead of each keeping its own.
package textclip

import (
	"strings"
	"unicode/utf8"
)

// Mark ends a clipped text (3 bytes in UTF-8).
const Mark = "…"

// Clip returns s when it is at most max bytes long; otherwise the longest
// prefix of whole runes (an invalid byte counts as a rune of its own) that
// leaves room for Mark, followed by Mark, so the result is at most max bytes.
// With max smaller than Mark, the result is Mark alone when s is cut.
func Clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	limit := max - len(Mark)
	cut := 0
	for cut < len(s) {
		_, size := utf8.DecodeRuneInString(s[cut:])
		if cut+size > limit {
			break
		}
		cut += size
	}
	return s[:cut] + Mark
}

// Trim is Clip of s without its leading and trailing white space.
func Trim(s string, max int) string { return Clip(strings.TrimSpace(s), max) }

// Valid is Trim of s with every invalid UTF-8 sequence replaced by U+FFFD,
// for text that is shown or stored as a string of characters.
func Valid(s string, max int) string {
	return Trim(strings.ToValidUTF8(s, "\uFFFD"), max)
}
