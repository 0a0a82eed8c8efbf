package target

import (
	"errors"
	"io/fs"
	"sync"
	"syscall"

	"github.com/vigil-ir/vigil/internal/model"
)

// Recorder receives what a reader could not check. The engine's per-check
// environment implements it, so a collector records gaps without knowing
// about the engine.
//
// The reason is a message id with its arguments (rules/messages/*.yaml),
// rendered in the reader's language; there is no way to record an English
// sentence.
type Recorder interface {
	GapMsg(kind model.GapKind, path string, m model.Message)
}

// Discard is a Recorder that drops gaps (for tests and tools that do not
// report coverage).
type Discard struct{}

// GapMsg implements Recorder.
func (Discard) GapMsg(model.GapKind, string, model.Message) {}

// GapLog is a Recorder that keeps the gaps (for tests of collectors and
// parsers). It is safe for concurrent use.
type GapLog struct {
	mu   sync.Mutex
	Gaps []model.Gap
}

// GapMsg implements Recorder. Reason holds the language-neutral form of m
// (id and arguments), for test failure messages.
func (g *GapLog) GapMsg(kind model.GapKind, path string, m model.Message) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.Gaps = append(g.Gaps, model.Gap{Kind: kind, Path: path, Reason: m.String(), Msg: m})
}

// ClassifyErr maps a read error to a gap kind. It returns ok=false for "does
// not exist", which is not a gap: absence is a fact, not a failure.
func ClassifyErr(err error) (kind model.GapKind, ok bool) {
	switch {
	case err == nil, errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return "", false
	case errors.Is(err, ErrNotRegular), errors.Is(err, ErrTooLarge), errors.Is(err, ErrPseudoFS):
		return model.GapSkipped, true
	default:
		return model.GapError, true
	}
}

// ErrMessage says what a read error means as a message
// (rules/messages/target.yaml): Vigil's own refusals and the common errnos
// by id; any other error with the system's text of the error as argument.
func ErrMessage(err error) model.Message {
	var errno syscall.Errno
	switch {
	case errors.Is(err, ErrNotRegular):
		return model.Msg("target.not-regular")
	case errors.Is(err, ErrTooLarge):
		return model.Msg("target.too-large")
	case errors.Is(err, ErrPseudoFS):
		return model.Msg("target.pseudo-fs")
	case errors.Is(err, fs.ErrPermission):
		return model.Msg("target.permission-denied")
	case errors.Is(err, syscall.ELOOP):
		return model.Msg("target.symlink-loop")
	case errors.Is(err, syscall.EIO):
		return model.Msg("target.io-error")
	case errors.Is(err, syscall.ENAMETOOLONG):
		return model.Msg("target.name-too-long")
	case errors.As(err, &errno):
		return model.Msg("target.read-error", errno.Error())
	default:
		return model.Msg("target.read-error", err)
	}
}

// Record records err for path p on rec, unless it is "does not exist". It
// reports whether err was nil.
func Record(rec Recorder, p string, err error) bool {
	if err == nil {
		return true
	}
	if kind, ok := ClassifyErr(err); ok {
		rec.GapMsg(kind, p, ErrMessage(err))
	}
	return false
}

// ReadFileRec reads p like ReadFile and records a gap on rec when it cannot.
// ok is false when the file is absent or unreadable.
func (t *Target) ReadFileRec(rec Recorder, p string, limit int64) ([]byte, bool) {
	b, err := t.ReadFile(p, limit)
	return b, Record(rec, p, err)
}
