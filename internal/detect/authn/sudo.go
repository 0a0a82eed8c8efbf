package authn

import (
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/collect/users"
	"github.com/vigil-ir/vigil/internal/detect/authn/sudoers"
	"github.com/vigil-ir/vigil/internal/model"
)

// principal classes, least worrying first.
type pclass int

const (
	pRoot     pclass = iota // root itself: nothing to gain
	pAdmin                  // already an administrator (sudo/wheel/admin group)
	pRegular                // an ordinary or unknown (directory) account
	pService                // a daemon account or a group holding one
	pEveryone               // ALL
)

func (c pclass) String() string {
	return [...]string{"root", "administrator", "user", "service account", "everyone"}[c]
}

// adminGroups grant sudo by distribution default.
var adminGroups = map[string]bool{"sudo": true, "wheel": true, "admin": true, "root": true}

// webDataNames are daemon accounts that may have no uid below UID_MIN on
// every distribution but always run network services.
var webDataNames = map[string]bool{"www-data": true, "apache": true, "nginx": true, "httpd": true, "tomcat": true,
	"mysql": true, "postgres": true, "redis": true, "nobody": true, "ftp": true, "php-fpm": true}

// classify grades one User_List item (aliases already expanded).
func (r *run) classify(item string) (pclass, bool) {
	if strings.HasPrefix(item, "!") {
		return 0, false
	}
	switch {
	case item == "ALL":
		return pEveryone, true
	case item == "root" || item == "#0":
		return pRoot, true
	case strings.HasPrefix(item, "%:"), strings.HasPrefix(item, "+"):
		return pRegular, true
	case strings.HasPrefix(item, "%"):
		return r.classifyGroup(strings.TrimPrefix(item, "%")), true
	case strings.HasPrefix(item, "#"):
		for i := range r.db.Users {
			if u := &r.db.Users[i]; "#"+itoa(u.UID) == item {
				return r.classifyUser(u), true
			}
		}
		return pRegular, true
	}
	if u, ok := r.db.ByName(item); ok {
		return r.classifyUser(u), true
	}
	return pRegular, true
}

func (r *run) classifyUser(u *users.User) pclass {
	switch {
	case u.UID == 0:
		return pRoot
	case r.db.IsSystem(u) || webDataNames[u.Name]:
		return pService
	}
	for _, g := range r.db.GroupsOf(u.Name) {
		if adminGroups[g] {
			return pAdmin
		}
	}
	return pRegular
}

func (r *run) classifyGroup(name string) pclass {
	var g *users.Group
	if strings.HasPrefix(name, "#") {
		for i := range r.db.Groups {
			if "#"+itoa(r.db.Groups[i].GID) == name {
				g = &r.db.Groups[i]
			}
		}
	} else if x, ok := r.db.Group(name); ok {
		g = x
	}
	if g == nil {
		return pRegular
	}
	if adminGroups[g.Name] {
		return pAdmin
	}
	worst := pRegular
	members := append([]string(nil), g.Members...)
	for i := range r.db.Users {
		if r.db.Users[i].GID == g.GID {
			members = append(members, r.db.Users[i].Name)
		}
	}
	for _, m := range members {
		if u, ok := r.db.ByName(m); ok && r.classifyUser(u) == pService {
			worst = pService
		}
	}
	return worst
}

// sudo reads the policy tree and grades it.
func (r *run) sudo() {
	pol := sudoers.Load(r.t, r.env)
	if len(pol.Files) == 0 {
		return
	}
	pristine := map[string]bool{}
	for _, f := range pol.Files {
		_, pristine[f] = r.ownership(f)
	}
	r.sudoPerms(pol)
	for _, d := range pol.Defaults {
		if !pristine[d.File] {
			r.sudoDefaults(d)
		}
	}
	for _, sp := range pol.Specs {
		if !pristine[sp.File] {
			r.sudoSpec(pol, sp)
		}
	}
}

// grant is the worst thing one specification line gives.
type grant struct {
	danger   []string // commands that amount to root
	scoped   []string // other NOPASSWD commands
	ind      []string
	runsRoot bool
	noPasswd bool
	broad    bool // a wildcard in the arguments
}

func (g *grant) addInd(id string) {
	if id != "" && !contains(g.ind, id) {
		g.ind = append(g.ind, id)
	}
}

func (r *run) sudoSpec(pol *sudoers.Policy, sp sudoers.Spec) {
	class, found := pRoot, false
	var who []string
	for _, u := range pol.Expand("User_Alias", sp.Users) {
		c, ok := r.classify(u)
		if !ok {
			continue
		}
		who = append(who, u)
		if !found || c > class {
			class, found = c, true
		}
	}
	if !found || class == pRoot {
		return
	}
	var np, pw grant // NOPASSWD and password-protected grants
	for _, c := range sp.Cmnds {
		for _, x := range pol.ExpandCmnds(c) {
			if x.Negated {
				continue
			}
			g := &pw
			if x.NoPasswd {
				g = &np
			}
			root := r.runsAsRoot(pol, x)
			reason, ind := r.cmdDanger(x)
			switch {
			case reason != "":
				if root || !g.runsRoot {
					if root && !g.runsRoot {
						g.danger = nil
					}
					g.runsRoot = g.runsRoot || root
					g.danger = append(g.danger, x.Command)
					g.addInd(ind)
				}
			case x.NoPasswd:
				g.scoped = append(g.scoped, x.Command)
				if strings.Contains(x.Command, "*") {
					g.broad = true
				}
			}
		}
	}
	if len(np.danger) > 0 || len(np.scoped) > 0 {
		r.emitNoPasswd(sp, class, who, np)
	}
	if len(pw.danger) > 0 && pw.runsRoot && class >= pRegular {
		sev := model.Medium
		if class >= pService {
			sev = model.High
		}
		sort.Strings(pw.ind)
		r.env.Emit(model.Finding{
			RuleID: ruleSudoRootGrant, Subject: "sudo for " + strings.Join(who, ", ") + ": " + pw.danger[0],
			Indicators: pw.ind,
			Evidence:   r.specEvidence(sp, who, class, pw.danger),
		}.WithSeverity(sev))
	}
}

func (r *run) emitNoPasswd(sp sudoers.Spec, class pclass, who []string, g grant) {
	sev, conf := model.Info, model.ConfHigh
	cmds := g.scoped
	if len(g.danger) > 0 {
		cmds = g.danger
		switch {
		case !g.runsRoot && class >= pService:
			sev = model.Medium
		case !g.runsRoot:
			sev = model.Low
		case class >= pService:
			sev = model.Critical
		case class == pRegular:
			sev = model.High
		case cloudInit(sp):
			sev, conf = model.Low, model.ConfMedium
		default:
			sev = model.Medium
		}
		// An administrator's own NOPASSWD rule is ordinary, unless it
		// appeared during the incident window.
		if _, fresh := r.recent(sp.File); fresh && class == pAdmin && sev == model.Medium {
			sev = model.High
		}
	} else if g.broad {
		sev = model.Low
	}
	ev := r.specEvidence(sp, who, class, cmds)
	sort.Strings(g.ind)
	r.env.Emit(model.Finding{
		RuleID: ruleSudoNoPasswd, Subject: "sudo NOPASSWD for " + strings.Join(who, ", ") + ": " + cmds[0],
		Indicators: g.ind, Evidence: ev,
	}.WithSeverity(sev).WithConfidence(conf))
}

// cloudInit recognises the default-user rule cloud-init writes
// (/etc/sudoers.d/90-cloud-init-users): a deliberate image default.
func cloudInit(sp sudoers.Spec) bool {
	return path.Base(sp.File) == "90-cloud-init-users"
}

func (r *run) specEvidence(sp sudoers.Spec, who []string, class pclass, cmds []string) model.Evidence {
	pkg, _ := r.ownership(sp.File)
	ev := model.Evidence{Path: sp.File, Line: sp.Line, Text: sp.Text, User: strings.Join(who, ","), Package: pkg,
		Extra: map[string]string{"grantee": class.String(), "commands": strings.Join(cmds, ", ")}}
	if m, fresh := r.recent(sp.File); fresh {
		mt := m.UTC()
		ev.MTime = &mt
	}
	return ev
}

// runsAsRoot reports whether the command may run as root: no runas list,
// or one naming ALL, root or uid 0 (aliases expanded).
func (r *run) runsAsRoot(pol *sudoers.Policy, c sudoers.Cmnd) bool {
	if !c.RunasGiven {
		return true
	}
	if len(c.RunasUsers) == 0 {
		return false // "(:group)": as the invoking user
	}
	for _, u := range pol.Expand("Runas_Alias", c.RunasUsers) {
		if u == "ALL" || u == "root" || u == "#0" {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func itoa(n int) string { return strconv.Itoa(n) }
