package contain

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/store"
)

// writeKind is a test kind: it replaces a file's content in two steps (so
// that a crash can fall between them) and restores the original on undo.
type writeKind struct {
	inApply  func(a *Action) // called after the first step
	failVer  bool
	failUndo bool
	refuse   bool // Apply refuses before changing anything
}

type writeParams struct {
	Path string `json:"path"`
	New  string `json:"new"`
}
type writeUndo struct {
	Old string `json:"old"`
}

func (writeKind) Name() string { return "test.write" }

func (k writeKind) Apply(_ context.Context, a *Action) error {
	if k.refuse {
		return Refuse(errors.New("changed since the plan"))
	}
	var p writeParams
	if err := a.Decode(&p, nil); err != nil {
		return err
	}
	hp, err := a.Target.HostPath(p.Path)
	if err != nil {
		return err
	}
	if err := os.WriteFile(hp, []byte("half"), 0o644); err != nil {
		return err
	}
	if k.inApply != nil {
		k.inApply(a)
	}
	return os.WriteFile(hp, []byte(p.New), 0o644)
}

func (k writeKind) Verify(_ context.Context, a *Action) error {
	if k.failVer {
		return errors.New("verification says no")
	}
	return nil
}

func (k writeKind) Undo(_ context.Context, a *Action) error {
	if k.failUndo {
		return errors.New("cannot undo")
	}
	var p writeParams
	var u writeUndo
	if err := a.Decode(&p, &u); err != nil {
		return err
	}
	hp, err := a.Target.HostPath(p.Path)
	if err != nil {
		return err
	}
	return os.WriteFile(hp, []byte(u.Old), 0o644)
}

// fixture is a temp root with one file, a store, and a planned action.
type fixture struct {
	root, file, db string
	st             *store.SQLite
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{root: filepath.Join(dir, "root"), db: filepath.Join(dir, "state", "vigil.db")}
	f.file = filepath.Join(f.root, "etc", "x.conf")
	if err := os.MkdirAll(filepath.Dir(f.file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.file, []byte("original"), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) open(t *testing.T) *store.SQLite {
	t.Helper()
	st, err := store.Open(context.Background(), f.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func (f *fixture) action(t *testing.T) *Action {
	a := &Action{UID: NewUID(), Kind: "test.write", Target: Target{Root: f.root}, Subject: "/etc/x.conf"}
	if err := a.SetParams(writeParams{Path: "/etc/x.conf", New: "changed"}); err != nil {
		t.Fatal(err)
	}
	if err := a.SetUndo(writeUndo{Old: "original"}); err != nil {
		t.Fatal(err)
	}
	a.Step("contain.plan.test", "/etc/x.conf")
	return a
}

func (f *fixture) runner(t *testing.T, st store.Journal, k Kind) *Runner {
	t.Helper()
	r, err := Open(context.Background(), st, func(n string) (Kind, bool) { return k, n == k.Name() },
		store.Actor{User: "root"}, LockPath(f.db), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func (f *fixture) content(t *testing.T) string {
	b, err := os.ReadFile(f.file)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestApplyUndo(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	st := f.open(t)
	var journaled bool
	k := writeKind{inApply: func(a *Action) {
		// The entry is on disk, with its undo data, before the change.
		other, err := store.Open(ctx, f.db, store.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		rec, err := other.ActionByID(ctx, a.ID)
		journaled = err == nil && rec.State == store.ActionApplying && string(rec.Undo) == `{"old":"original"}`
	}}
	r := f.runner(t, st, k)
	out := r.Apply(ctx, f.action(t))
	if out.Err != nil || out.State != store.ActionApplied || f.content(t) != "changed" {
		t.Fatalf("apply: %+v, file %q", out, f.content(t))
	}
	if !journaled {
		t.Error("the journal entry was not written before the change")
	}
	if o := r.Undo(ctx, out.ID); o.Err != nil || o.State != store.ActionUndone || f.content(t) != "original" {
		t.Fatalf("undo: %+v, file %q", o, f.content(t))
	}
	if o := r.Undo(ctx, out.ID); o.Err != nil || !o.Noop {
		t.Fatalf("second undo is not a no-op: %+v", o)
	}
	log, _ := st.ActionLog(ctx, out.ID)
	if len(log) != 4 { // applying, applied, undoing, undone
		t.Errorf("action log %+v", log)
	}
}

func TestFailureRollsBack(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		k     writeKind
		state string
		file  string
	}{
		{"verify fails", writeKind{failVer: true}, store.ActionRolledBack, "original"},
		{"verify and undo fail", writeKind{failVer: true, failUndo: true}, store.ActionFailed, "changed"},
		// A refusal changed nothing: undo (which would fail here) is not run.
		{"apply refuses", writeKind{refuse: true, failUndo: true}, store.ActionRolledBack, "original"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			st := f.open(t)
			out := f.runner(t, st, tc.k).Apply(ctx, f.action(t))
			if out.Err == nil || out.State != tc.state || f.content(t) != tc.file {
				t.Fatalf("%+v, file %q", out, f.content(t))
			}
			rec, _ := st.ActionByID(ctx, out.ID)
			if rec.State != tc.state || rec.Result == "" {
				t.Errorf("journal: %+v", rec)
			}
		})
	}
}

func TestLockIsExclusive(t *testing.T) {
	f := newFixture(t)
	st := f.open(t)
	f.runner(t, st, writeKind{})
	if _, err := Open(context.Background(), st, nil, store.Actor{}, LockPath(f.db), 0); !errors.Is(err, ErrBusy) {
		t.Fatalf("second runner: %v", err)
	}
}

const crashEnv = "VIGIL_CONTAIN_CRASH_CHILD"

// TestCrashChild is the child of TestCrashRecovery: it applies an action
// and stops for good between the journal write and the end of the change.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("child process of TestCrashRecovery")
	}
	f := &fixture{root: filepath.Join(dir, "root"), db: filepath.Join(dir, "state", "vigil.db")}
	f.file = filepath.Join(f.root, "etc", "x.conf")
	st := f.open(t)
	k := writeKind{inApply: func(*Action) {
		os.WriteFile(filepath.Join(dir, "halfway"), nil, 0o600)
		select {} // killed here
	}}
	f.runner(t, st, k).Apply(context.Background(), f.action(t))
	t.Fatal("not killed")
}

// TestCrashRecovery kills a vigil between the journal write and the end of
// the change; the next run finds the entry applying and rolls it back.
func TestCrashRecovery(t *testing.T) {
	f := newFixture(t)
	dir := filepath.Dir(f.root)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		if _, err := os.Stat(filepath.Join(dir, "halfway")); err == nil {
			break
		}
		if i > 600 {
			cmd.Process.Kill()
			t.Fatal("the child never reached the middle of its action")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if f.content(t) != "half" {
		t.Fatalf("the child did not stop half-way: %q", f.content(t))
	}
	ctx := context.Background()
	st := f.open(t)
	r := f.runner(t, st, writeKind{}) // the lock died with the child
	outs, err := r.Recover(ctx)
	if err != nil || len(outs) != 1 || !outs[0].Recovered || outs[0].State != store.ActionRolledBack || outs[0].Err != nil {
		t.Fatalf("recover: %+v %v", outs, err)
	}
	if f.content(t) != "original" {
		t.Errorf("after recovery the file holds %q", f.content(t))
	}
	if outs, _ := r.Recover(ctx); len(outs) != 0 {
		t.Errorf("recovery is not done once: %+v", outs)
	}
}
