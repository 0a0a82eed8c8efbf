package logtamper

import (
	"github.com/vigil-ir/vigil/internal/collect/users"
	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
)

// userNames maps uids to account names for lastlog findings.
type userNames interface {
	name(uid uint32) string // "" when unknown
}

// lazyNames loads the shared account inventory (memo "users") the first
// time a name is needed: most scans have no lastlog finding to name.
type lazyNames struct {
	env *engine.Env
	db  *users.DB
}

func (l *lazyNames) name(uid uint32) string {
	if l.db == nil {
		l.db = inventory.Users(l.env)
	}
	if l.db == nil || uid > 1<<31-1 {
		return ""
	}
	if u, ok := l.db.ByUID(int(uid)); ok {
		return u.Name
	}
	return ""
}

func loadUserNames(env *engine.Env) userNames { return &lazyNames{env: env} }
