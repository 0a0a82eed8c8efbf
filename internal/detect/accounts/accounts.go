package accounts

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/collect/users"
	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Rule ids.
const (
	ruleUID0         = "accounts.uid0.nonroot"
	ruleGID0         = "accounts.gid0.login"
	ruleDupUID       = "accounts.uid.duplicate"
	ruleDupGID       = "accounts.gid.duplicate"
	rulePwEmpty      = "accounts.password.empty"
	rulePwInPasswd   = "accounts.password.in-passwd"
	ruleNoShadow     = "accounts.shadow.missing"
	ruleNoPasswd     = "accounts.passwd.missing"
	ruleRecent       = "accounts.recent.change"
	ruleFilesChanged = "accounts.files.modified"
	ruleAdmin        = "accounts.admin.member"
	ruleSvcLogin     = "accounts.service.login"
	ruleSvcPassword  = "accounts.service.password"
	ruleLocation     = "accounts.location.suspicious"
	ruleUnlisted     = "accounts.shell.unlisted"
	ruleCompat       = "accounts.nis.compat"
	rulePasswdEmpty  = "accounts.passwd.empty"
	ruleLegacyHash   = "accounts.password.legacy-hash"
	ruleCreated      = "accounts.recent.created"
)

// recentWindow is how far back an account change counts as recent.
const recentWindow = 7 * 24 * time.Hour

// Detector is the local-accounts check.
type Detector struct{}

// New returns the detector.
func New() *Detector { return &Detector{} }

// Name implements engine.Detector.
func (*Detector) Name() string { return "accounts" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 1 }

// NeedsLive implements engine.Detector.
func (*Detector) NeedsLive() bool { return false }

// Rules implements engine.Detector.
func (*Detector) Rules() []string {
	return []string{ruleUID0, ruleGID0, ruleDupUID, ruleDupGID, rulePwEmpty, rulePwInPasswd, ruleNoShadow,
		ruleNoPasswd, ruleRecent, ruleFilesChanged, ruleAdmin, ruleSvcLogin, ruleSvcPassword, ruleLocation,
		ruleUnlisted, ruleCompat, rulePasswdEmpty, ruleLegacyHash, ruleCreated}
}

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	r := &run{env: env, t: env.Target, db: inventory.Users(env), now: env.Now()}
	if !r.db.PasswdRead {
		// The users loader recorded why; nothing to judge.
		return nil
	}
	r.shells, r.shellsRead = readShells(env)
	r.compatActive = nsswitchCompat(env)
	r.legacyShell = legacyServiceShell(r.db)
	r.installDay = installDay(r.db)
	r.defScheme, r.defSource = users.DefaultScheme(env.Target)
	steps := []func(){r.privileged, r.duplicates, r.passwords, r.hidden, r.recent, r.admins, r.services, r.locations, r.compat,
		r.legacyHashes, r.created}
	if r.passwdEmpty() {
		// No account resolves: one finding says so, not one per shadow line.
		steps = []func(){r.recent, r.compat}
	}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		step()
	}
	return nil
}

type run struct {
	env          *engine.Env
	t            *target.Target
	db           *users.DB
	now          time.Time
	shells       map[string]bool
	shellsRead   bool
	compatActive bool
	legacyShell  string
	installDay   int
	defScheme    string // the hash scheme the system writes (users.DefaultScheme)
	defSource    string
}

// userFinding builds a finding about account u with its passwd line.
func userFinding(rule string, u *users.User, aspect string) model.Finding {
	return model.Finding{
		RuleID:  rule,
		Subject: "account " + u.Name,
		Key:     u.Name + "\x00" + aspect,
		Evidence: model.Evidence{
			Path: users.PasswdPath, Line: u.Line, Text: u.Redacted(), User: u.Name,
			Extra: map[string]string{"uid": strconv.Itoa(u.UID), "shell": u.Shell, "home": u.Home},
		},
	}
}

// isService reports whether u is a system/service account: a system uid
// (below UID_MIN, or nobody's range) or a well-known daemon name. root is
// never one.
func (r *run) isService(u *users.User) bool {
	if u.UID == 0 {
		return false
	}
	return r.db.IsSystem(u) || serviceNames[u.Name]
}

// serviceNames are accounts distributions and packages create for daemons.
var serviceNames = map[string]bool{
	"daemon": true, "bin": true, "sys": true, "sync": true, "games": true, "man": true, "lp": true,
	"mail": true, "news": true, "uucp": true, "proxy": true, "www-data": true, "backup": true,
	"list": true, "irc": true, "gnats": true, "nobody": true, "_apt": true, "messagebus": true,
	"sshd": true, "apache": true, "nginx": true, "httpd": true, "lighttpd": true, "tomcat": true,
	"mysql": true, "mariadb": true, "postgres": true, "redis": true, "mongodb": true, "memcache": true,
	"memcached": true, "elasticsearch": true, "rabbitmq": true, "ftp": true, "named": true, "bind": true,
	"postfix": true, "dovecot": true, "ntp": true, "chrony": true, "_chrony": true, "squid": true,
	"php-fpm": true, "nfsnobody": true, "polkitd": true, "tss": true, "systemd-network": true,
	"systemd-resolve": true, "systemd-timesync": true, "systemd-coredump": true, "syslog": true,
	"dnsmasq": true, "avahi": true, "colord": true, "rpc": true, "rpcuser": true, "zabbix": true,
	"nagios": true, "operator": true, "adm": true, "halt": true, "shutdown": true,
}

// webDataNames are accounts that run network services handling untrusted
// input: a shell on them is the typical webshell pivot.
var webDataNames = map[string]bool{
	"www-data": true, "apache": true, "nginx": true, "httpd": true, "lighttpd": true, "tomcat": true,
	"mysql": true, "mariadb": true, "postgres": true, "redis": true, "mongodb": true, "memcache": true,
	"memcached": true, "elasticsearch": true, "php-fpm": true, "ftp": true, "nobody": true, "nfsnobody": true,
}

func readShells(env *engine.Env) (map[string]bool, bool) {
	b, ok := env.ReadFile("/etc/shells")
	if !ok {
		return nil, false
	}
	out := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line != "" && !strings.HasPrefix(line, "#") {
			out[line] = true
		}
	}
	return out, true
}

// nsswitchCompat reports whether passwd lookups use the compat backend,
// under which "+" lines in /etc/passwd take effect.
func nsswitchCompat(env *engine.Env) bool {
	b, ok := env.ReadFile("/etc/nsswitch.conf")
	if !ok {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		line, _, _ = strings.Cut(line, "#")
		key, val, ok := strings.Cut(line, ":")
		if ok && (strings.TrimSpace(key) == "passwd" || strings.TrimSpace(key) == "shadow") {
			for _, f := range strings.Fields(val) {
				if f == "compat" {
					return true
				}
			}
		}
	}
	return false
}

// legacyServiceShell returns "/bin/sh" when bin, daemon and sys all have
// it: the Debian 7 and older default, where every system account had a
// shell. Accounts sharing it are graded low, not as an intrusion.
func legacyServiceShell(db *users.DB) string {
	for _, n := range []string{"bin", "daemon", "sys"} {
		u, ok := db.ByName(n)
		if !ok || u.Shell != "/bin/sh" {
			return ""
		}
	}
	return "/bin/sh"
}

// daysToTime converts a shadow day number to a time.
func daysToTime(d int) time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// recentDay reports whether shadow day d is at most a week before the
// scan's day (a day in the future is not "recent": the clock is wrong).
func (r *run) recentDay(d int) bool {
	if d < 0 {
		return false
	}
	age := int(r.now.Unix()/86400) - d
	return age >= 0 && age <= int(recentWindow/(24*time.Hour))
}

// installDay returns the shadow day most system accounts were created on
// (the day the system was installed), or -1. Accounts changed that day are
// part of the installation, not of an incident: a server installed last
// week has every last-change date in the window.
func installDay(db *users.DB) int {
	count := map[int]int{}
	for i := range db.Users {
		u := &db.Users[i]
		if !db.IsSystem(u) {
			continue
		}
		if s, ok := db.ShadowOf(u.Name); ok && s.LastChange >= 0 {
			count[s.LastChange]++
		}
	}
	best, n := -1, 0
	for d, c := range count {
		if c > n || (c == n && d < best) {
			best, n = d, c
		}
	}
	if n < 3 {
		return -1
	}
	return best
}

func (r *run) recentlyChanged(u *users.User) (int, bool) {
	s, ok := r.db.ShadowOf(u.Name)
	if !ok || !r.recentDay(s.LastChange) || s.LastChange == r.installDay {
		return 0, false
	}
	return s.LastChange, true
}
