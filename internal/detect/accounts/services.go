package accounts

import (
	"path"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/collect/users"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/model"
)

// adminGroups grant administrator rights (sudo, su via pam_wheel) or, for
// adm, read access to every log.
var adminGroups = []string{"sudo", "wheel", "admin", "adm"}

// admins lists the members of the administrator groups (info), and grades
// up members that have no business there.
func (r *run) admins() {
	for _, name := range adminGroups {
		g, ok := r.db.Group(name)
		if !ok {
			continue
		}
		members := append([]string(nil), g.Members...)
		for i := range r.db.Users {
			if u := &r.db.Users[i]; u.GID == g.GID && !contains(members, u.Name) {
				members = append(members, u.Name)
			}
		}
		for _, m := range members {
			f := model.Finding{
				RuleID: ruleAdmin, Subject: "account " + m + " in group " + g.Name, Key: m + "\x00" + g.Name,
				Evidence: model.Evidence{Path: users.GroupPath, Line: g.Line, Text: g.Text, User: m,
					Extra: map[string]string{"group": g.Name}},
			}
			sev, why := r.adminGrade(m, g.Name)
			if why != "" {
				f.Evidence.Extra["reason"] = why
			}
			r.env.Emit(f.WithSeverity(sev))
		}
	}
}

// adminGrade says why member m of an admin group needs a look. adm only
// reads logs, and distributions put daemons in it (syslog on Ubuntu), so
// it stays inventory.
func (r *run) adminGrade(m, group string) (model.Severity, string) {
	if group == "adm" {
		return model.Info, ""
	}
	u, ok := r.db.ByName(m)
	if !ok {
		return model.Info, "no such account"
	}
	switch {
	case r.isService(u):
		return model.Medium, "service account"
	case !r.homeExists(u) && r.homesVisible():
		return model.Medium, "no home directory"
	}
	if _, recent := r.recentlyChanged(u); recent {
		return model.Medium, "account changed in the last 7 days"
	}
	return model.Info, ""
}

func (r *run) homeExists(u *users.User) bool {
	if u.Home == "" || !strings.HasPrefix(u.Home, "/") {
		return false
	}
	st, err := r.t.Stat(u.Home)
	return err == nil && st.IsDir()
}

// homesVisible reports whether missing home directories mean anything:
// on an image whose separate /home was not mounted under --root, every
// home below /home is missing and none of them is suspicious.
func (r *run) homesVisible() bool {
	under, seen := 0, 0
	for i := range r.db.Users {
		u := &r.db.Users[i]
		if strings.HasPrefix(u.Home, "/home/") {
			under++
			if r.homeExists(u) {
				seen++
			}
		}
	}
	return under == 0 || seen > 0
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// knownShellDefaults are service accounts that their packages create with
// a login shell, in their standard home.
var knownShellDefaults = map[string][]string{
	"postgres": {"/var/lib/postgresql", "/var/lib/pgsql"},
	"git":      {"/var/opt/gitlab"},
	"jenkins":  {"/var/lib/jenkins"},
}

// services: daemon accounts given a shell or a password.
func (r *run) services() {
	for i := range r.db.Users {
		u := &r.db.Users[i]
		if !r.isService(u) {
			continue
		}
		if u.CanLogIn() {
			sev, conf := model.Medium, model.ConfMedium
			switch {
			case isKnownDefault(u):
				sev, conf = model.Info, model.ConfLow
			case r.legacyShell != "" && u.Shell == r.legacyShell && !webDataNames[u.Name]:
				sev, conf = model.Low, model.ConfLow
			case webDataNames[u.Name]:
				sev, conf = model.High, model.ConfMedium
			}
			r.env.Emit(userFinding(ruleSvcLogin, u, "shell").WithSeverity(sev).WithConfidence(conf))
		}
		if st, where := r.db.PasswordState(u); st == users.PwHash {
			f := userFinding(ruleSvcPassword, u, "password")
			if where == "shadow" {
				s, _ := r.db.ShadowOf(u.Name)
				f.Evidence.Path, f.Evidence.Line, f.Evidence.Text = users.ShadowPath, s.Line, s.Redacted()
			}
			r.env.Emit(f.WithSeverity(model.High))
		}
	}
}

func isKnownDefault(u *users.User) bool {
	for _, h := range knownShellDefaults[u.Name] {
		if path.Clean(u.Home) == h && (u.Shell == "/bin/bash" || u.Shell == "/bin/sh" || u.Shell == "/usr/bin/bash") {
			return true
		}
	}
	return false
}

// placeKind says why a path is a suspicious place: "writable", "hidden"
// or "".
func placeKind(p string) string {
	switch pl := places.Of(path.Clean(p)); {
	case pl.Temporary:
		return "writable"
	case pl.Hidden != "" || pl.Masquerade != "":
		return "hidden"
	}
	return ""
}

// restrictedShells are legitimate login programs that distributions do not
// always list in /etc/shells.
var restrictedShells = map[string]bool{"git-shell": true, "rssh": true, "scponly": true, "sftp-server": true}

// locations: shells and homes in writable or hidden places, and shells
// that /etc/shells does not list.
func (r *run) locations() {
	listed := r.listedShells()
	for i := range r.db.Users {
		u := &r.db.Users[i]
		login := u.CanLogIn()
		shellPlace := ""
		if u.Shell != "" && login {
			shellPlace = placeKind(u.Shell)
		}
		if shellPlace != "" {
			f := userFinding(ruleLocation, u, "shell")
			f.Evidence.Extra["where"] = "shell"
			f.Evidence.Extra["place"] = shellPlace
			r.env.Emit(f.WithSeverity(model.High))
		}
		if u.Home != "" {
			if place := placeKind(u.Home); place != "" {
				sev := model.Medium
				if !login {
					sev = model.Low
				}
				f := userFinding(ruleLocation, u, "home")
				f.Evidence.Extra["where"] = "home"
				f.Evidence.Extra["place"] = place
				r.env.Emit(f.WithSeverity(sev))
			}
		}
		if !r.shellsRead || !login || u.Shell == "" || shellPlace != "" || restrictedShells[path.Base(u.Shell)] {
			continue
		}
		if r.shells[u.Shell] {
			continue
		}
		resolved, err := r.t.Resolve(u.Shell)
		if err == nil && listed[resolved] {
			continue
		}
		sev := model.Medium
		if _, err := r.t.Stat(u.Shell); err != nil {
			sev = model.Low // nothing to run: the login fails
		}
		f := userFinding(ruleUnlisted, u, "unlisted")
		r.env.Emit(f.WithSeverity(sev))
	}
}

// listedShells returns the resolved target paths of /etc/shells entries.
func (r *run) listedShells() map[string]bool {
	out := map[string]bool{}
	for s := range r.shells {
		if p, err := r.t.Resolve(s); err == nil {
			out[p] = true
		}
	}
	return out
}

// compat: NIS compat lines. Under "passwd: compat" a line like
// "+::0:0:::" gives every NIS user root; under "files" they are inert.
func (r *run) compat() {
	for _, c := range r.db.Compat {
		fields := strings.Split(c.Text, ":")
		sev := model.Low
		if r.compatActive {
			sev = model.Medium
			if c.Path == users.PasswdPath && len(fields) > 2 && fields[2] == "0" {
				sev = model.Critical
			}
		}
		text := c.Text
		if len(fields) > 1 && users.IsCryptHash(fields[1]) {
			fields[1] = "<hash>"
			text = strings.Join(fields, ":")
		}
		r.env.Emit(model.Finding{
			RuleID: ruleCompat, Subject: c.Path + ":" + strconv.Itoa(c.Line), Key: c.Path + "\x00" + text,
			Evidence: model.Evidence{Path: c.Path, Line: c.Line, Text: text,
				Extra: map[string]string{"nsswitch_compat": strconv.FormatBool(r.compatActive)}},
		}.WithSeverity(sev))
	}
}
