// Package registry is the explicit list of containment action kinds (no
// init() registration): undo and crash recovery find a journaled action's
// kind here by name.
package registry

import (
	"github.com/vigil-ir/vigil/internal/contain"
	"github.com/vigil-ir/vigil/internal/contain/account"
	"github.com/vigil-ir/vigil/internal/contain/netfw"
	"github.com/vigil-ir/vigil/internal/contain/persist"
	"github.com/vigil-ir/vigil/internal/contain/proc"
	"github.com/vigil-ir/vigil/internal/contain/quarantine"
	"github.com/vigil-ir/vigil/internal/contain/storage"
	"github.com/vigil-ir/vigil/internal/store"
)

// All returns every kind of action.
func All() []contain.Kind {
	return []contain.Kind{
		quarantine.Kind{},
		persist.LineAction{},
		account.Kind{},
		contain.Composite{KindName: account.LockUserKind, Lookup: Lookup},
		proc.Kind{},
		netfw.IsolateAction{},
		netfw.BlockAction{},
		storage.Kind{},
	}
}

// Lookup finds a kind by its journal name. Kinds that need the journal
// (the block set is the union of the applied blocks) get none here and
// refuse to change anything: a runner uses For.
func Lookup(name string) (contain.Kind, bool) { return lookup(All(), name) }

// For returns the lookup of a runner on journal j.
func For(j store.Journal) func(string) (contain.Kind, bool) {
	var self func(string) (contain.Kind, bool)
	self = func(name string) (contain.Kind, bool) {
		kinds := All()
		for i, k := range kinds {
			switch k.(type) {
			case netfw.BlockAction:
				kinds[i] = netfw.BlockAction{Journal: j}
			case contain.Composite:
				kinds[i] = contain.Composite{KindName: k.Name(), Lookup: self}
			}
		}
		return lookup(kinds, name)
	}
	return self
}

func lookup(kinds []contain.Kind, name string) (contain.Kind, bool) {
	for _, k := range kinds {
		if k.Name() == name {
			return k, true
		}
	}
	return nil, false
}
