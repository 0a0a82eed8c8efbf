package history

import (
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/collect/users"
	"github.com/vigil-ir/vigil/internal/engine"
)

// account is what this check needs to know about a local account.
type account struct {
	name  string
	uid   int
	home  string
	shell string
}

// loadAccounts returns every account with a home, root first and always
// present (with /root) even when /etc/passwd could not be read.
func loadAccounts(env *engine.Env) []account {
	db := engine.Shared(env, "users", users.Load)
	out := []account{}
	hasRoot := false
	for _, u := range db.Users {
		if u.Home == "" || !strings.HasPrefix(u.Home, "/") {
			continue
		}
		a := account{name: u.Name, uid: u.UID, home: path.Clean(u.Home), shell: u.Shell}
		if u.UID == 0 && u.Name == "root" {
			hasRoot = true
			out = append([]account{a}, out...)
			continue
		}
		out = append(out, a)
	}
	if !hasRoot {
		out = append([]account{{name: "root", home: "/root", shell: "/bin/sh"}}, out...)
	}
	if !db.PasswdRead {
		for _, h := range db.Homes() {
			if h.Dir != "/root" && len(h.Users) == 0 {
				out = append(out, account{name: path.Base(h.Dir), uid: -1, home: h.Dir, shell: "/bin/sh"})
			}
		}
	}
	return out
}
