package network

import (
	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/collect/users"
	"github.com/vigil-ir/vigil/internal/engine"
)

// packages answers "which package installed this file" from the shared
// package database (memo "pkgdb").
type packages interface {
	owner(p string) string // package name, model.NoPackage, or "" when unknown
}

type noPackages struct{}

func (noPackages) owner(string) string { return "" }

type dbPackages struct{ db *pkgdb.DB }

func (d dbPackages) owner(p string) string { return d.db.OwnerOrNone(p) }

// loadPackages returns the shared package database, or one that knows
// nothing when the target has none (ownership is then never claimed).
func loadPackages(env *engine.Env) packages {
	db := engine.Shared(env, "pkgdb", pkgdb.Load)
	if db == nil || db.Format() == "" {
		return noPackages{}
	}
	return dbPackages{db}
}

// userNames resolves uids through the shared account database (memo
// "users").
func userNames(env *engine.Env) func(uid int) string {
	db := engine.Shared(env, "users", users.Load)
	return db.UserName
}
