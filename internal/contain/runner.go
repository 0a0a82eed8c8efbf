package contain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
)

// Runner applies, undoes and recovers actions against the journal. It holds
// an exclusive lock (flock on a file beside the store) from Open to Close,
// so two vigils never act, undo or recover at the same time — recovery
// must never roll back an action another live vigil is applying.
type Runner struct {
	journal store.Journal
	lookup  func(kind string) (Kind, bool)
	actor   store.Actor
	lock    *os.File
}

// Outcome is what became of one action.
type Outcome struct {
	ID    int64  `json:"id"`
	Kind  string `json:"kind"`
	State string `json:"state"`
	Err   error  `json:"-"`
	// Recovered: the action was found incomplete (Vigil died) and was
	// rolled back or its undo finished by this run.
	Recovered bool `json:"recovered,omitempty"`
	// Noop: nothing was left to do (an undo of an undone action).
	Noop bool `json:"noop,omitempty"`
}

// ErrBusy: another vigil holds the containment lock.
var ErrBusy = errors.New("another vigil is applying or undoing an action (the containment lock is held)")

// LockPath is the containment lock of the store at storePath.
func LockPath(storePath string) string { return storePath + ".contain-lock" }

// Open takes the containment lock (waiting up to wait) and returns a Runner.
// lookup finds a kind by name (the registry).
func Open(ctx context.Context, j store.Journal, lookup func(string) (Kind, bool), who store.Actor, lockPath string, wait time.Duration) (*Runner, error) {
	if err := os.MkdirAll(filepath.Dir(lockPath), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(wait)
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, unix.EWOULDBLOCK) || time.Now().After(deadline) {
			f.Close()
			if errors.Is(err, unix.EWOULDBLOCK) {
				return nil, ErrBusy
			}
			return nil, err
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return &Runner{journal: j, lookup: lookup, actor: who, lock: f}, nil
}

// Close releases the lock.
func (r *Runner) Close() error {
	if r.lock == nil {
		return nil
	}
	err := r.lock.Close() // closing the descriptor releases the flock
	r.lock = nil
	return err
}

// Apply journals a (synced to disk), applies it and verifies it. A failure
// of either is rolled back with the kind's Undo; the returned outcome says
// rolled-back (with the error) or, when the rollback failed too, failed.
func (r *Runner) Apply(ctx context.Context, a *Action) Outcome {
	k, ok := r.lookup(a.Kind)
	if !ok {
		return Outcome{Kind: a.Kind, State: "", Err: fmt.Errorf("unknown action kind %q", a.Kind)}
	}
	rec, err := toRecord(a, r.actor)
	if err != nil {
		return Outcome{Kind: a.Kind, Err: err}
	}
	id, err := r.journal.BeginAction(ctx, rec)
	if err != nil {
		return Outcome{Kind: a.Kind, Err: fmt.Errorf("the journal could not be written, nothing was changed: %w", err)}
	}
	a.ID = id
	out := Outcome{ID: id, Kind: a.Kind}
	// From here on the host may change: a cancelled context must not stop
	// the bookkeeping half-way, so the journal writes use their own.
	bg := context.WithoutCancel(ctx)
	err = k.Apply(ctx, a)
	if err == nil {
		if err = k.Verify(ctx, a); err != nil {
			err = fmt.Errorf("verification failed: %w", err)
		}
	}
	if err == nil {
		out.State = store.ActionApplied
		if jerr := r.journal.SetActionState(bg, id, out.State, "", r.actor); jerr != nil {
			out.Err = fmt.Errorf("applied, but the journal could not record it (the next run will roll it back): %w", jerr)
		}
		return out
	}
	if IsRefusal(err) {
		// Nothing was changed: there is nothing to roll back.
		out.State, out.Err = store.ActionRolledBack, fmt.Errorf("refused, nothing was changed: %w", err)
		_ = r.journal.SetActionState(bg, id, out.State, err.Error(), r.actor)
		return out
	}
	out.State, out.Err = r.rollback(bg, k, a, err)
	return out
}

// rollback reverts a failed or interrupted action and records the result.
func (r *Runner) rollback(ctx context.Context, k Kind, a *Action, cause error) (string, error) {
	if uerr := k.Undo(ctx, a); uerr != nil {
		err := fmt.Errorf("%v; ROLLBACK FAILED, the target may be half-changed: %w", cause, uerr)
		_ = r.journal.SetActionState(ctx, a.ID, store.ActionFailed, err.Error(), r.actor)
		return store.ActionFailed, err
	}
	if jerr := r.journal.SetActionState(ctx, a.ID, store.ActionRolledBack, cause.Error(), r.actor); jerr != nil {
		return store.ActionRolledBack, fmt.Errorf("%v (rolled back; the journal could not record it: %v)", cause, jerr)
	}
	return store.ActionRolledBack, fmt.Errorf("rolled back: %w", cause)
}

// Undo reverts the action id. An action already undone or rolled back is
// a no-op (undo is idempotent); a failed undo leaves the action applied
// and says why.
func (r *Runner) Undo(ctx context.Context, id int64) Outcome {
	rec, err := r.journal.ActionByID(ctx, id)
	if err != nil {
		return Outcome{ID: id, Err: err}
	}
	out := Outcome{ID: id, Kind: rec.Kind, State: rec.State}
	switch rec.State {
	case store.ActionUndone, store.ActionRolledBack:
		out.Noop = true
		return out
	}
	a, err := FromRecord(rec)
	if err != nil {
		out.Err = err
		return out
	}
	k, ok := r.lookup(rec.Kind)
	if !ok {
		out.Err = fmt.Errorf("unknown action kind %q (written by another version of vigil?)", rec.Kind)
		return out
	}
	if rec.State != store.ActionUndoing {
		if err := r.journal.SetActionState(ctx, id, store.ActionUndoing, "", r.actor); err != nil {
			out.Err = fmt.Errorf("the journal could not be written, nothing was changed: %w", err)
			return out
		}
	}
	bg := context.WithoutCancel(ctx)
	if err := k.Undo(ctx, a); err != nil {
		// The change stays in place: back to applied, with the reason.
		prev := rec.State
		if prev == store.ActionUndoing || prev == store.ActionApplying {
			prev = store.ActionFailed
		}
		_ = r.journal.SetActionState(bg, id, prev, "undo failed: "+err.Error(), r.actor)
		out.State, out.Err = prev, fmt.Errorf("undo failed: %w", err)
		return out
	}
	out.State = store.ActionUndone
	if rec.State == store.ActionApplying {
		out.State = store.ActionRolledBack
	}
	if err := r.journal.SetActionState(bg, id, out.State, "", r.actor); err != nil {
		out.Err = fmt.Errorf("undone, but the journal could not record it: %w", err)
	}
	return out
}

// Recover finishes what a vigil that died left incomplete: an action in
// state applying is rolled back (its Undo copes with any partial state),
// an undo in state undoing is finished. It returns one outcome per entry.
func (r *Runner) Recover(ctx context.Context) ([]Outcome, error) {
	recs, err := r.journal.Actions(ctx, store.ActionQuery{States: []string{store.ActionApplying, store.ActionUndoing}})
	if err != nil {
		return nil, err
	}
	var outs []Outcome
	for _, rec := range recs {
		o := r.Undo(ctx, rec.ID)
		o.Recovered = true
		outs = append(outs, o)
	}
	return outs, nil
}

func toRecord(a *Action, who store.Actor) (store.ActionRecord, error) {
	plan, err := json.Marshal(struct {
		Plan  any `json:"plan"`
		Notes any `json:"notes,omitempty"`
	}{a.Plan, a.Notes})
	if err != nil {
		return store.ActionRecord{}, err
	}
	return store.ActionRecord{UID: a.UID, Kind: a.Kind, Target: a.Target.String(), Subject: a.Subject,
		Params: a.Params, Undo: a.Undo, Plan: plan, Actor: who}, nil
}

// FromRecord rebuilds an action from its journal entry.
func FromRecord(rec store.ActionRecord) (*Action, error) {
	a := &Action{ID: rec.ID, UID: rec.UID, Kind: rec.Kind, Target: Target{Root: rec.Target}, Subject: rec.Subject,
		Params: rec.Params, Undo: rec.Undo}
	var plan struct {
		Plan  []model.Message `json:"plan"`
		Notes []model.Message `json:"notes"`
	}
	if len(rec.Plan) > 0 {
		if err := json.Unmarshal(rec.Plan, &plan); err != nil {
			return nil, fmt.Errorf("journal entry %d: plan: %w", rec.ID, err)
		}
	}
	a.Plan, a.Notes = plan.Plan, plan.Notes
	return a, nil
}
