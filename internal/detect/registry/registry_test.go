package registry

import (
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
)

func TestRegistry(t *testing.T) {
	cat := catalog.MustLoad()
	names := map[string]bool{}
	declared := map[string]string{}
	for _, d := range append(All(), Standalone()...) {
		if d.Name() == "" || names[d.Name()] {
			t.Errorf("detector name %q empty or duplicated", d.Name())
		}
		names[d.Name()] = true
		if d.Version() < 1 {
			t.Errorf("%s: version must be >= 1", d.Name())
		}
		if len(d.Rules()) == 0 {
			t.Errorf("%s declares no rules", d.Name())
		}
		enginetest.CheckRules(t, cat, d)
		for _, id := range d.Rules() {
			if prev, dup := declared[id]; dup && prev != d.Name() {
				t.Errorf("rule %s declared by both %s and %s", id, prev, d.Name())
			}
			declared[id] = d.Name()
		}
	}
	// Every catalog rule is one some detector can fire (the scan.* rules
	// are the scan's own).
	for _, r := range cat.Rules() {
		if _, ok := declared[r.ID]; !ok && !strings.HasPrefix(r.ID, "scan.") {
			t.Errorf("catalog rule %s (%s) is declared by no detector", r.ID, r.File)
		}
	}
}
