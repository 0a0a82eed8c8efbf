package authn

import (
	"path"
	"slices"
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

// sudo reads the policy tree and grades it, then the files sudo would not
// read now (dormant grants: an intruder's rule waits for the next
// "apt install sudo" or a rename).
func (r *run) sudo() {
	pol := sudoers.Load(r.t, r.env)
	r.dormant = map[string]string{}
	if len(pol.Files) > 0 && !r.sudoInstalled() {
		for _, f := range pol.Files {
			r.dormant[f] = sudoers.ReasonNoSudo
		}
	}
	if len(pol.Files) > 0 {
		r.sudoPerms(pol)
		r.gradePolicy(pol)
	}
	for _, d := range r.dormantFiles(pol) {
		dp, ok := sudoers.LoadDormant(r.t, r.env, d.Path, pol)
		if !ok {
			continue
		}
		r.dormant[d.Path] = d.Reason
		r.gradePolicy(dp)
	}
}

// gradePolicy grades the Defaults and specifications of pol, skipping
// files exactly as their package shipped them.
func (r *run) gradePolicy(pol *sudoers.Policy) {
	pristine := map[string]bool{}
	for _, f := range pol.Files {
		_, pristine[f] = r.ownership(f)
	}
	for _, d := range pol.Defaults {
		if !pristine[d.File] {
			r.sudoDefaults(pol, d)
		}
	}
	for _, sp := range pol.Specs {
		if !pristine[sp.File] {
			r.sudoSpec(pol, sp)
		}
	}
}

// sudoPrograms are where distributions install sudo.
var sudoPrograms = []string{"/usr/bin/sudo", "/bin/sudo", "/usr/sbin/sudo", "/usr/local/bin/sudo"}

func (r *run) sudoInstalled() bool {
	for _, p := range sudoPrograms {
		if _, err := r.t.Stat(p); err == nil {
			return true
		}
	}
	return false
}

// dormantFiles lists the sudoers files sudo does not read now: names sudo
// skips in an included directory, and every file of /etc/sudoers.d when
// there is no /etc/sudoers or it does not include the directory.
func (r *run) dormantFiles(pol *sudoers.Policy) []sudoers.Dormant {
	out := append([]sudoers.Dormant(nil), pol.Dormant...)
	if slices.Contains(pol.Dirs, sudoers.DropInDir) {
		return out
	}
	reason := sudoers.ReasonNotIncluded
	if len(pol.Files) == 0 {
		reason = sudoers.ReasonNoSudoers
	}
	ents, err := r.t.ReadDir(sudoers.DropInDir)
	if err != nil {
		return out
	}
	for _, e := range ents {
		p := path.Join(sudoers.DropInDir, e.Name())
		if e.IsDir() || slices.Contains(pol.Files, p) {
			continue
		}
		out = append(out, sudoers.Dormant{Path: p, Reason: reason})
	}
	return out
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
		// A grant that still asks for the account's password is what
		// admins write every day (like Debian's own %sudo line): inventory,
		// unless it is a service account's or everyone's.
		sev := model.Info
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
	r.markDormant(&ev)
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

// dormantNotes say why sudo does not read a file now, per reason code.
var dormantNotes = map[string]model.Message{
	sudoers.ReasonSkippedName: model.Msg("auth.note.sudo-skipped-name"),
	sudoers.ReasonNoSudoers:   model.Msg("auth.note.sudo-not-installed"),
	sudoers.ReasonNoSudo:      model.Msg("auth.note.sudo-program-missing"),
	sudoers.ReasonNotIncluded: model.Msg("auth.note.sudo-not-included"),
}

// markDormant says in the evidence why sudo does not read the file now:
// the reason code in Extra["dormant"], the words in Note.
func (r *run) markDormant(ev *model.Evidence) {
	if why := r.dormant[ev.Path]; why != "" {
		ev.Extra["dormant"] = why
		ev.Note = dormantNotes[why]
	}
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
