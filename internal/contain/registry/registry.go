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

// Lookup finds a kind by its journal name.
func Lookup(name string) (contain.Kind, bool) {
	for _, k := range All() {
		if k.Name() == name {
			return k, true
		}
	}
	return nil, false
}
