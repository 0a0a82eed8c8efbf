package shellinit

import (
	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/target"
	"path"

	"github.com/vigil-ir/vigil/internal/collect/users"
	"github.com/vigil-ir/vigil/internal/engine"
)

// packages answers ownership questions from the shared package database
// (memo "pkgdb").
type packages interface {
	known() bool           // a package database was read
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

type homeEntry struct{ user, home string }

// loadHomes lists every home directory of the target (the shared users
// inventory includes /root and falls back to /home/* when /etc/passwd is
// unreadable), with the account whose sessions read it: the first account
// with a login shell that uses it.
func loadHomes(env *engine.Env) []homeEntry {
	db := engine.Shared(env, "users", users.Load)
	var out []homeEntry
	for _, h := range db.Homes() {
		user := ""
		for _, name := range h.Users {
			if u, ok := db.ByName(name); ok && users.LoginShell(u.Shell) {
				user = name
				break
			}
		}
		if user == "" && len(h.Users) > 0 {
			user = h.Users[0]
		}
		if user == "" {
			user = path.Base(h.Dir)
		}
		out = append(out, homeEntry{user: user, home: h.Dir})
	}
	return out
}
