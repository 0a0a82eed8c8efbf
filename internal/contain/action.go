package contain

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vigil-ir/vigil/internal/model"
)

// Action is one planned change of a target, with everything its undo needs.
// It is what the journal holds: Params and Undo are the kind's own JSON.
type Action struct {
	ID      int64           `json:"id,omitempty"` // the journal's id, once written
	UID     string          `json:"uid"`
	Kind    string          `json:"kind"`
	Target  Target          `json:"target"`
	Subject string          `json:"subject"` // what is acted on: a path, user, pid, address
	Params  json.RawMessage `json:"params,omitempty"`
	Undo    json.RawMessage `json:"undo,omitempty"`
	// Plan names each change precisely, in the reader's language at
	// output time (message ids of rules/messages/contain*.yaml).
	Plan []model.Message `json:"plan"`
	// Notes say what the action will not do, or what the operator must
	// do after it (reload a service ...); shown with the plan.
	Notes []model.Message `json:"notes,omitempty"`
}

// Kind is one kind of action. Apply and Undo must be idempotent, and Undo
// must work from any point of a partly applied action (after a crash):
// both read only the Action (its Params and Undo data), never state kept
// in memory between plan and apply.
type Kind interface {
	// Name is the kind's id in the journal ("file.quarantine").
	Name() string
	// Apply makes the change.
	Apply(ctx context.Context, a *Action) error
	// Verify checks that the change holds (the file is gone, the rule
	// set reads back as written ...).
	Verify(ctx context.Context, a *Action) error
	// Undo reverts the change. It refuses (an error) rather than
	// overwrite something that changed after the action.
	Undo(ctx context.Context, a *Action) error
}

// NewUID returns a random id for an action (names quarantine files and
// evidence directories before the journal has assigned a number).
func NewUID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b[:])
}

// SetParams encodes p as the action's parameters.
func (a *Action) SetParams(p any) error { return setJSON(&a.Params, p) }

// SetUndo encodes u as the action's undo data.
func (a *Action) SetUndo(u any) error { return setJSON(&a.Undo, u) }

// Decode reads the action's parameters into p and undo data into u (either
// may be nil).
func (a *Action) Decode(p, u any) error {
	if p != nil {
		if err := json.Unmarshal(a.Params, p); err != nil {
			return fmt.Errorf("action %s: parameters: %w", a.Kind, err)
		}
	}
	if u != nil {
		if err := json.Unmarshal(a.Undo, u); err != nil {
			return fmt.Errorf("action %s: undo data: %w", a.Kind, err)
		}
	}
	return nil
}

func setJSON(dst *json.RawMessage, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	*dst = b
	return nil
}

// Step appends one line to the plan.
func (a *Action) Step(id string, args ...any) { a.Plan = append(a.Plan, model.Msg(id, args...)) }

// Note appends a note to the plan.
func (a *Action) Note(id string, args ...any) { a.Notes = append(a.Notes, model.Msg(id, args...)) }

// refused marks an Apply error raised before anything changed.
type refused struct{ err error }

func (r refused) Error() string { return r.err.Error() }
func (r refused) Unwrap() error { return r.err }

// Refuse wraps an error Apply returns before it changed anything (the
// object changed since the plan, or is gone): the runner records the
// action as rolled back without running Undo, which could only refuse too.
func Refuse(err error) error {
	if err == nil {
		return nil
	}
	return refused{err}
}

// IsRefusal reports whether err came from Refuse.
func IsRefusal(err error) bool {
	var r refused
	return errors.As(err, &r)
}
