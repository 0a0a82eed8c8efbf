package engine

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/vigil-ir/vigil/internal/textclip"
)

// MaxReason bounds the length in bytes of a gap reason shown to the user.
const MaxReason = 300

// OneLine turns s into a one-line reason: line breaks, tabs and other
// control characters become spaces, runs of spaces one, and the result is
// clipped to MaxReason bytes (UTF-8 safe). Reasons are read by a responder
// in a table; whatever does not fit belongs in the debug log.
func OneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	return textclip.Trim(strings.Join(strings.Fields(s), " "), MaxReason)
}

// debugLog writes diagnostics meant for developers (the stack of a
// recovered panic, the whole text of a reason shortened for the user) to
// Options.Debug; without a writer it discards them.
type debugLog struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *debugLog) printf(format string, args ...any) {
	if l == nil || l.w == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "%s vigil debug: ", time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintf(l.w, format, args...)
	if !strings.HasSuffix(format, "\n") {
		io.WriteString(l.w, "\n")
	}
}

// panicError is a recovered panic: its value is the user's one-line reason,
// its stack goes to the debug log.
type panicError struct {
	value any
	stack []byte
}

func (p *panicError) Error() string { return fmt.Sprintf("panic: %v", p.value) }

// recovered turns the value of recover() into a *panicError with the stack.
func recovered(r any) *panicError {
	return &panicError{value: r, stack: debug.Stack()}
}
