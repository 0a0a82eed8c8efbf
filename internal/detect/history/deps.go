package history

import (
	"github.com/vigil-ir/vigil/internal/detect/inventory"
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
	var out []account
	for _, a := range inventory.Accounts(env) {
		out = append(out, account{name: a.Name, uid: a.UID, home: a.Home, shell: a.Shell})
	}
	return out
}
