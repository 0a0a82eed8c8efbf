package contain

import (
	"context"
	"errors"
	"fmt"
)

// Composite is a kind made of other actions (its parts), journaled, applied
// and undone as one: one journal entry, one undo id. Its Params are the
// parts, each a whole Action with its own Params and Undo data. Apply runs
// the parts in order; a failure of any leaves the runner to call Undo,
// which undoes every part in reverse order — each part's Undo copes with
// a part that was never applied, as every kind's must after a crash.
type Composite struct {
	KindName string
	// Lookup finds a part's kind by name (the registry).
	Lookup func(string) (Kind, bool)
}

// CompositeParams are the journaled parts.
type CompositeParams struct {
	Parts []*Action `json:"parts"`
}

// NewComposite plans one action of kind name from parts: its plan and
// notes are the parts' own, in order.
func NewComposite(name, subject string, t Target, parts ...*Action) (*Action, error) {
	if len(parts) == 0 {
		return nil, errors.New("nothing to do")
	}
	a := &Action{UID: NewUID(), Kind: name, Target: t, Subject: subject}
	for _, p := range parts {
		a.Plan = append(a.Plan, p.Plan...)
		a.Notes = append(a.Notes, p.Notes...)
	}
	return a, a.SetParams(CompositeParams{Parts: parts})
}

// Name implements Kind.
func (c Composite) Name() string { return c.KindName }

func (c Composite) parts(a *Action) ([]*Action, []Kind, error) {
	var p CompositeParams
	if err := a.Decode(&p, nil); err != nil {
		return nil, nil, err
	}
	kinds := make([]Kind, len(p.Parts))
	for i, part := range p.Parts {
		k, ok := c.Lookup(part.Kind)
		if !ok {
			return nil, nil, fmt.Errorf("unknown action kind %q in %s", part.Kind, c.KindName)
		}
		part.ID = a.ID
		kinds[i] = k
	}
	return p.Parts, kinds, nil
}

// Apply implements Kind: the parts in order. A refusal of the first part
// (nothing changed yet) stays a refusal; a later one is an error, so that
// the parts already applied are rolled back.
func (c Composite) Apply(ctx context.Context, a *Action) error {
	parts, kinds, err := c.parts(a)
	if err != nil {
		return err
	}
	for i, part := range parts {
		if err := kinds[i].Apply(ctx, part); err != nil {
			if i > 0 && IsRefusal(err) {
				err = errors.Unwrap(err)
			}
			return fmt.Errorf("%s: %w", part.Kind, err)
		}
	}
	return nil
}

// Verify implements Kind: every part holds.
func (c Composite) Verify(ctx context.Context, a *Action) error {
	parts, kinds, err := c.parts(a)
	if err != nil {
		return err
	}
	for i, part := range parts {
		if err := kinds[i].Verify(ctx, part); err != nil {
			return fmt.Errorf("%s: %w", part.Kind, err)
		}
	}
	return nil
}

// Undo implements Kind: every part, in reverse order. A part that fails
// to undo stops the rest (they stay applied, and the action too: undo
// can be run again once the cause is dealt with).
func (c Composite) Undo(ctx context.Context, a *Action) error {
	parts, kinds, err := c.parts(a)
	if err != nil {
		return err
	}
	for i := len(parts) - 1; i >= 0; i-- {
		if err := kinds[i].Undo(ctx, parts[i]); err != nil {
			return fmt.Errorf("%s: %w", parts[i].Kind, err)
		}
	}
	return nil
}
