package webroot

import (
	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/target"
)

// packages answers ownership questions from the shared package database
// (memo "pkgdb").
type packages interface {
	owner(p string) string // package name, model.NoPackage, or "" when unknown
	pristine(p string) bool
}

type pkgView struct {
	db *pkgdb.DB
	t  *target.Target
}

func (v pkgView) known() bool { return v.db != nil && v.db.Format() != "" }

func (v pkgView) owner(p string) string {
	if !v.known() {
		return ""
	}
	return v.db.OwnerOrNone(p)
}

func (v pkgView) pristine(p string) bool { return v.known() && v.db.Pristine(v.t, p) }

// loadPackages returns the shared package database. With none (a gap the
// pkgdb loader records), every owner is "" (unknown): nothing is taken for
// known-good and nothing is called "not from a package".
func loadPackages(env *engine.Env) packages {
	return pkgView{db: engine.Shared(env, "pkgdb", pkgdb.Load), t: env.Target}
}
