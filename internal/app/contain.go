package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vigil-ir/vigil/internal/contain"
	"github.com/vigil-ir/vigil/internal/contain/registry"
	"github.com/vigil-ir/vigil/internal/store"
)

// lockWait is how long a containment command waits for another one.
const lockWait = 30 * time.Second

// Containment is an open containment session: the store's journal, the
// runner holding the containment lock, and what recovery did on opening.
type Containment struct {
	Store     *store.SQLite
	Runner    *contain.Runner
	StorePath string
	// Recovered lists actions a vigil that died left incomplete, rolled
	// back (or their undo finished) when this session opened.
	Recovered []contain.Outcome
}

// OpenContainment opens the store, takes the containment lock and
// recovers incomplete actions. Every containment command (contain, undo,
// actions, quarantine) opens one, so the next run after a crash always
// finishes the job.
func OpenContainment(ctx context.Context, storeFlag string, getenv func(string) string) (*Containment, error) {
	path, err := filepath.Abs(StorePath(storeFlag, getenv))
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		return nil, err
	}
	r, err := contain.Open(ctx, st, registry.For(st), CurrentActor(getenv), contain.LockPath(path), lockWait)
	if err != nil {
		st.Close()
		return nil, err
	}
	c := &Containment{Store: st, Runner: r, StorePath: path}
	if c.Recovered, err = r.Recover(ctx); err != nil {
		c.Close()
		return nil, fmt.Errorf("recovering incomplete actions: %w", err)
	}
	return c, nil
}

// Close releases the lock and closes the store.
func (c *Containment) Close() error {
	return errors.Join(c.Runner.Close(), c.Store.Close())
}

// QuarantineDir is where quarantined files go: beside the store (root
// only, 0700), so never inside an examined root, and on the responder's
// external medium when the store is.
func (c *Containment) QuarantineDir() string {
	return filepath.Join(filepath.Dir(c.StorePath), "quarantine")
}

// EvidenceDir is where process actions keep what they capture: beside the
// store, like the quarantine.
func (c *Containment) EvidenceDir() string {
	return filepath.Join(filepath.Dir(c.StorePath), "evidence")
}

// ContainTarget is the target of a containment command: the live host, or
// the root directory dir. The store (and the quarantine beside it) must
// lie outside a root target.
func ContainTarget(dir, storePath string) (contain.Target, error) {
	if dir == "" || dir == "/" {
		return contain.Live(), nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return contain.Target{}, err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return contain.Target{}, err
	}
	if !fi.IsDir() {
		return contain.Target{}, fmt.Errorf("%s is not a directory", dir)
	}
	t := contain.Target{Root: abs}
	sp, _ := filepath.Abs(storePath)
	if real, err := filepath.EvalSymlinks(filepath.Dir(sp)); err == nil {
		sp = filepath.Join(real, filepath.Base(sp))
	}
	if t.Contains(sp) {
		return contain.Target{}, fmt.Errorf("the store %s is inside the target %s: vigil keeps its journal and quarantine outside what it changes; use --store elsewhere", storePath, dir)
	}
	return t, nil
}

// UndoAll undoes, newest first, every applied action created at or after
// since (zero: all). Actions already undone are not touched.
func (c *Containment) UndoAll(ctx context.Context, since time.Time) ([]contain.Outcome, error) {
	recs, err := c.Store.Actions(ctx, store.ActionQuery{Since: since, States: []string{store.ActionApplied, store.ActionFailed}})
	if err != nil {
		return nil, err
	}
	var outs []contain.Outcome
	for i := len(recs) - 1; i >= 0; i-- {
		outs = append(outs, c.Runner.Undo(ctx, recs[i].ID))
	}
	return outs, nil
}
