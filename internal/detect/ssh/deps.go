package ssh

import (
	"strings"

	"github.com/vigil-ir/vigil/internal/collect/users"
	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
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

// loadAccounts returns every account with a home, root first and always
// present (with /root) even when /etc/passwd could not be read.
func loadAccounts(env *engine.Env) []account {
	var out []account
	for _, a := range inventory.Accounts(env) {
		out = append(out, account{name: a.Name, uid: a.UID, gid: a.GID, home: a.Home, shell: a.Shell})
	}
	return out
}
