package ssh

import (
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/collect/users"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/target"
)

// account is what this check needs to know about a local account.
type account struct {
	name  string
	uid   int
	gid   int
	home  string
	shell string
}

// canLogin reports whether the account's shell gives a session.
func (a account) canLogin() bool { return users.LoginShell(a.shell) }

// daemonAccounts are accounts that packages create for daemons: nobody logs
// in as them, so a key there is a way in that no administrator put.
var daemonAccounts = map[string]bool{
	"www-data": true, "nginx": true, "apache": true, "httpd": true, "nobody": true,
	"daemon": true, "bin": true, "sys": true, "mail": true, "news": true, "uucp": true,
	"proxy": true, "list": true, "irc": true, "gnats": true, "_apt": true, "mysql": true,
	"redis": true, "memcache": true, "memcached": true, "messagebus": true, "sshd": true,
	"tss": true, "uuidd": true, "tcpdump": true, "lp": true, "man": true, "games": true,
	"tomcat": true, "polkitd": true, "dnsmasq": true, "ntp": true, "chrony": true,
	"_chrony": true, "avahi": true, "rpc": true, "rpcuser": true, "dbus": true,
	"squid": true, "named": true, "bind": true, "postfix": true, "dovecot": true,
	"elasticsearch": true, "mongodb": true, "rabbitmq": true, "zabbix": true,
}

// isService reports whether the account is a service account, and why.
func (a account) isService() (bool, string) {
	if a.uid == 0 {
		return false, ""
	}
	if !a.canLogin() {
		return true, "shell " + a.shell + " refuses a login session"
	}
	if daemonAccounts[a.name] || strings.HasPrefix(a.name, "systemd-") || strings.HasPrefix(a.name, "tomcat") {
		return true, "account of a daemon"
	}
	return false, ""
}

// packages answers ownership questions from the shared package database.
type packages interface {
	owner(p string) string // package name, model.NoPackage, or "" when unknown
	pristine(p string) bool
}

type pkgDB struct {
	db *pkgdb.DB
	t  *target.Target
}

func (p pkgDB) owner(f string) string {
	if p.db == nil || p.db.Format() == "" {
		return "" // no database: ownership unknown, not "unowned"
	}
	return p.db.OwnerOrNone(f)
}

func (p pkgDB) pristine(f string) bool { return p.db != nil && p.db.Pristine(p.t, f) }

func loadPackages(env *engine.Env) packages {
	return pkgDB{db: engine.Shared(env, "pkgdb", pkgdb.Load), t: env.Target}
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
		a := account{name: u.Name, uid: u.UID, gid: u.GID, home: path.Clean(u.Home), shell: u.Shell}
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
		// Homes found without passwd: /home/* with unknown owners.
		for _, h := range db.Homes() {
			if h.Dir != "/root" && len(h.Users) == 0 {
				out = append(out, account{name: path.Base(h.Dir), uid: -1, gid: -1, home: h.Dir, shell: "/bin/sh"})
			}
		}
	}
	return out
}
