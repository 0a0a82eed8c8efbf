package shellinit

import (
	"path"

	"github.com/vigil-ir/vigil/internal/collect/users"
	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
)

type homeEntry struct{ user, home string }

// loadHomes lists every home directory of the target (the shared users
// inventory includes /root and falls back to /home/* when /etc/passwd is
// unreadable), with the account whose sessions read it: the first account
// with a login shell that uses it.
func loadHomes(env *engine.Env) []homeEntry {
	db := inventory.Users(env)
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
