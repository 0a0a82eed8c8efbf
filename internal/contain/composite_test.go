package contain

import (
	"context"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/store"
)

// TestComposite: the parts of one action are applied in order and undone
// together; a part that fails rolls back the parts before it; a refusal
// of the first part is a refusal of the whole.
func TestComposite(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		second  writeKind
		state   string
		content string
	}{
		{"applied", writeKind{}, store.ActionApplied, "changed"},
		{"second fails", writeKind{failVer: true}, store.ActionRolledBack, "original"},
		{"second refuses", writeKind{refuse: true}, store.ActionRolledBack, "original"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			first := f.action(t)
			second := f.action(t)
			second.Kind = "test.second"
			kinds := map[string]Kind{"test.write": writeKind{}, "test.second": named{tc.second, "test.second"}}
			comp := Composite{KindName: "test.both", Lookup: func(n string) (Kind, bool) { k, ok := kinds[n]; return k, ok }}
			a, err := NewComposite("test.both", "x", first.Target, first, second)
			if err != nil || len(a.Plan) != 2 {
				t.Fatalf("plan: %v %v", err, a.Plan)
			}
			r := f.runner(t, f.open(t), comp)
			out := r.Apply(ctx, a)
			if out.State != tc.state || f.content(t) != tc.content {
				t.Fatalf("state %s content %q (%v), want %s %q", out.State, f.content(t), out.Err, tc.state, tc.content)
			}
			if tc.state != store.ActionApplied {
				if IsRefusal(out.Err) || !strings.Contains(out.Err.Error(), "test.second") {
					t.Errorf("error %v", out.Err)
				}
				return
			}
			if u := r.Undo(ctx, out.ID); u.Err != nil || u.State != store.ActionUndone || f.content(t) != "original" {
				t.Fatalf("undo: %+v %q", u, f.content(t))
			}
		})
	}
	// The first part refusing: nothing changed, nothing to roll back.
	f := newFixture(t)
	first := f.action(t)
	comp := Composite{KindName: "test.both", Lookup: func(string) (Kind, bool) { return writeKind{refuse: true}, true }}
	a, _ := NewComposite("test.both", "x", first.Target, first)
	if out := comp.Apply(ctx, a); !IsRefusal(out) {
		t.Errorf("first part refused: %v", out)
	}
	if _, err := NewComposite("test.both", "x", first.Target); err == nil {
		t.Error("a composite of nothing was planned")
	}
}

// named gives a test kind another name.
type named struct {
	writeKind
	name string
}

func (n named) Name() string { return n.name }
