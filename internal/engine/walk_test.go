package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// walker is a fake check that declares a walk.
type walker struct {
	fake
	visit func(e *target.WalkEntry) (bool, bool)
	got   *[]string
}

func (w walker) Walks(*engine.Env) []target.WalkSpec {
	return []target.WalkSpec{{Roots: []string{"/"}, Visit: w.visit}}
}

func (w walker) Run(ctx context.Context, env *engine.Env) error {
	res, err := env.Walked(ctx)
	if err != nil {
		return err
	}
	for _, e := range res[0].Kept {
		*w.got = append(*w.got, e.Path)
	}
	return nil
}

// TestSharedWalk: each Walker gets its own part of the one walk; a panic
// in one check's Visit fails that check only; a check that declared no
// walk gets an error from Walked, not a hang.
func TestSharedWalk(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a", "b", "sub/c"} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755)
		os.WriteFile(filepath.Join(dir, f), nil, 0o644)
	}
	var gotA, gotB, gotP []string
	named := func(n string) func(e *target.WalkEntry) (bool, bool) {
		return func(e *target.WalkEntry) (bool, bool) { return e.Name == n, false }
	}
	e := &engine.Engine{Detectors: []engine.Detector{
		walker{fake: fake{name: "wa"}, visit: named("a"), got: &gotA},
		walker{fake: fake{name: "wb"}, visit: named("c"), got: &gotB},
		walker{fake: fake{name: "wp"}, visit: func(e *target.WalkEntry) (bool, bool) { panic("visit") }, got: &gotP},
		fake{name: "plain", run: func(env *engine.Env) error { _, err := env.Walked(context.Background()); return err }},
	}, Options: engine.Options{Parallel: 1}}
	st := e.Run(context.Background(), target.NewUnchecked(dir, false), model.TargetInfo{MachineID: "m"}, &sink{})
	want := map[string]string{"wa": "ok", "wb": "ok", "wp": "failed", "plain": "failed"}
	for _, c := range st {
		if want[c.Name] != c.Status {
			t.Errorf("check %s status %s, want %s", c.Name, c.Status, want[c.Name])
		}
	}
	if len(gotA) != 1 || gotA[0] != "/a" || len(gotB) != 1 || gotB[0] != "/sub/c" || len(gotP) != 0 {
		t.Errorf("parts: %v %v %v", gotA, gotB, gotP)
	}
}

// contentWalker is a fake check that asks for the content of its files.
type contentWalker struct {
	fake
	content func(e *target.WalkEntry, f *os.File)
}

func (w contentWalker) Walks(*engine.Env) []target.WalkSpec {
	return []target.WalkSpec{{Roots: []string{"/"}, Visit: func(e *target.WalkEntry) (bool, bool) { return true, false },
		Content: func(_ context.Context, e *target.WalkEntry, f *os.File, err error) { w.content(e, f) }}}
}

func (w contentWalker) Run(ctx context.Context, env *engine.Env) error {
	_, err := env.Walked(ctx)
	return err
}

// TestSharedWalkContent: a check that reads content in the walk gets its
// files; a panic while it reads fails that check only.
func TestSharedWalkContent(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a"), []byte("A"), 0o644)
	var read []string
	e := &engine.Engine{Detectors: []engine.Detector{
		contentWalker{fake: fake{name: "reader"}, content: func(e *target.WalkEntry, f *os.File) {
			b := make([]byte, 1)
			f.Read(b)
			read = append(read, e.Path+"="+string(b))
		}},
		contentWalker{fake: fake{name: "panics"}, content: func(*target.WalkEntry, *os.File) { panic("content") }},
	}, Options: engine.Options{Parallel: 1}}
	st := e.Run(context.Background(), target.NewUnchecked(dir, false), model.TargetInfo{MachineID: "m"}, &sink{})
	want := map[string]string{"reader": "ok", "panics": "failed"}
	for _, c := range st {
		if want[c.Name] != c.Status {
			t.Errorf("check %s status %s, want %s", c.Name, c.Status, want[c.Name])
		}
	}
	if len(read) != 1 || read[0] != "/a=A" {
		t.Errorf("read %v", read)
	}
}
