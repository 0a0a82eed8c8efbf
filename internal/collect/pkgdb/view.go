package pkgdb

import "github.com/vigil-ir/vigil/internal/target"

// View answers the ownership questions detectors ask, treating a missing
// or unreadable database as "unknown": Owner is then "" (never "not from
// any package", which would be a false accusation) and nothing is
// Pristine (nothing is taken for known-good).
type View struct {
	DB     *DB
	Target *target.Target
}

// Known reports whether a package database was read.
func (v View) Known() bool { return v.DB != nil && v.DB.Format() != "" }

// Owner returns the package that installed p, model.NoPackage when the
// database was read and no package did, or "" when that is unknown.
func (v View) Owner(p string) string {
	if !v.Known() {
		return ""
	}
	return v.DB.OwnerOrNone(p)
}

// Pristine reports whether p is a packaged file (conffile included) whose
// content is what the package installed.
func (v View) Pristine(p string) bool { return v.Known() && v.DB.Pristine(v.Target, p) }
