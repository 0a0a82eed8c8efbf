package store

import (
	"errors"
	"os"
	"testing"

	"github.com/vigil-ir/vigil/internal/catalog"
)

// TestStoreErrorTexts: every store error's English text is its message's
// English rendering (so the two cannot drift), its message renders in
// Chinese, and errors.Is still tells its kind.
func TestStoreErrorTexts(t *testing.T) {
	cat := catalog.MustLoad()
	cause := errors.New("boom")
	dir := t.TempDir()
	errs := []error{
		storeErr(ErrBusy, cause, "store.err.busy", ": %s: another vigil held it for longer than %s: %s", "/s/vigil.db", busyTimeout.String(), cause.Error()),
		storeErr(ErrNotWritable, cause, "store.err.disk-full", ": %s: the disk is full: %s", "/s/vigil.db", cause.Error()),
		corrupt("/s/vigil.db", cause),
		notWritable("/s/vigil.db", cause),
		foreign("/s/vigil.db"),
		newerSchema("/s/vigil.db", 99),
		storeErr(ErrNotWritable, nil, "store.err.old-schema", ": %s has schema version %d and is opened read-only; run a writing command (vigil scan) on it once, where it can be written, to bring it to version %d", "/s/vigil.db", 3, 6),
		storeErr(ErrCorrupt, nil, "store.err.not-regular", ": %s is not a regular file", "/s"),
	}
	if err := os.WriteFile(dir+"/bad.db", []byte("garbage that is no database"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(t.Context(), dir+"/bad.db", Options{}); err != nil {
		errs = append(errs, err)
	} else {
		t.Error("garbage opened as a store")
	}
	if _, err := Open(t.Context(), dir+"/none.db", Options{ReadOnly: true}); err != nil {
		errs = append(errs, err)
	} else {
		t.Error("a missing store opened read-only")
	}
	for _, err := range errs {
		var se *Error
		if !errors.As(err, &se) {
			t.Errorf("%v is not a *store.Error", err)
			continue
		}
		if en := cat.Message(catalog.English, se.Msg); en != err.Error() {
			t.Errorf("%s:\n error:   %s\n catalog: %s", se.Msg.ID, err.Error(), en)
		}
		if !errors.Is(err, se.Kind) {
			t.Errorf("%s: errors.Is(kind) false", se.Msg.ID)
		}
		if zh := cat.Message(catalog.Chinese, se.Msg); zh == "" || zh == err.Error() {
			t.Errorf("%s: no Chinese text", se.Msg.ID)
		}
	}
}
