package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vigil-ir/vigil/internal/model"
)

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// wantProgress decides whether scan progress goes to stderr: "auto" (the
// default) only when stderr is a terminal, so logs and pipes stay clean.
func wantProgress(mode string, w io.Writer) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "", "auto":
		return isTerminal(w), nil
	}
	return false, fmt.Errorf("--progress: want auto, always or never, got %q", mode)
}

// progress writes one line per finished check on a terminal, rewritten in
// place ("\r"), and clears it at the end so the report starts clean. On a
// non-terminal (--progress always into a log) each check gets its own line.
type progress struct {
	w       io.Writer
	tty     bool
	started time.Time
	width   int
	lang    string
}

func newProgress(w io.Writer, lang string) *progress {
	return &progress{w: w, tty: isTerminal(w), started: time.Now(), lang: lang}
}

// Check is the engine's Progress callback.
func (p *progress) Check(done, total int, st model.CheckStatus) {
	line := "vigil: " + texts().T(p.lang, "cli.progress", done, total, st.Name, texts().T(p.lang, "cli.status."+st.Status),
		st.Duration.Round(time.Millisecond), st.Findings, time.Since(p.started).Round(100*time.Millisecond))
	p.show(line)
}

// show writes one progress line: rewritten in place on a terminal, a line
// of its own otherwise.
func (p *progress) show(line string) {
	if !p.tty {
		fmt.Fprintln(p.w, line)
		return
	}
	pad := ""
	if n := p.width - len(line); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	p.width = len(line)
	fmt.Fprintf(p.w, "\r%s%s", line, pad)
}

// Done clears the progress line.
func (p *progress) Done() {
	if p.tty && p.width > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.width))
		p.width = 0
	}
}
