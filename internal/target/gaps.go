package target

import (
	"errors"
	"io/fs"
	"syscall"

	"github.com/vigil-ir/vigil/internal/model"
)

// Recorder receives what a reader could not check. The engine's per-check
// environment implements it, so a collector records gaps without knowing
// about the engine.
type Recorder interface {
	Gap(kind model.GapKind, path, reason string)
}

// Discard is a Recorder that drops gaps (for tests and tools that do not
// report coverage).
type Discard struct{}

// Gap implements Recorder.
func (Discard) Gap(model.GapKind, string, string) {}

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

// Record records err for path p on rec, unless it is "does not exist". It
// reports whether err was nil.
func Record(rec Recorder, p string, err error) bool {
	if err == nil {
		return true
	}
	if kind, ok := ClassifyErr(err); ok {
		rec.Gap(kind, p, err.Error())
	}
	return false
}

// ReadFileRec reads p like ReadFile and records a gap on rec when it cannot.
// ok is false when the file is absent or unreadable.
func (t *Target) ReadFileRec(rec Recorder, p string, limit int64) ([]byte, bool) {
	b, err := t.ReadFile(p, limit)
	return b, Record(rec, p, err)
}
