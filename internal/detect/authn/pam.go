package authn

import (
	"path"
	"sort"
	"strings"

	"github.com/vigil-ir/vigil/internal/detect/authn/pamconf"
	"github.com/vigil-ir/vigil/internal/grade/cmdscan"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

const (
	pamDir    = "/etc/pam.d"
	pamConf   = "/etc/pam.conf"
	pamLimit  = 1 << 20
	maxPamDir = 2000
)

// systemModulePath matches the directories PAM loads modules from
// (/lib/security, /usr/lib64/security, /lib/x86_64-linux-gnu/security ...).
var systemModulePath = lazyre.New(`^(/usr)?/lib(32|64|x32)?(/[^/]+)?/security/[^/]+$`)

// keyServices are the stacks that guard logins and privilege changes.
var keyServices = set("common-auth", "system-auth", "password-auth", "sshd", "su", "su-l", "sudo", "sudo-i", "login",
	"passwd", "other", "remote", "runuser", "runuser-l", "polkit-1", "gdm-password", "lightdm", "sddm", "cockpit",
	"vsftpd", "xrdp-sesman", "systemd-user", "chsh", "chfn")

// harmlessAuth are auth modules that neither grant nor check anything.
var harmlessAuth = set("pam_permit.so", "pam_env.so", "pam_nologin.so", "pam_faildelay.so", "pam_warn.so",
	"pam_echo.so", "pam_motd.so", "pam_keyinit.so", "pam_group.so", "pam_mail.so", "pam_rootok.so")

type pamModules struct {
	dirs []string // existing module directories
	any  bool     // at least one module file found in them
}

func (r *run) moduleDirs() pamModules {
	var m pamModules
	seen := map[string]bool{}
	cands := []string{"/lib/security", "/lib64/security", "/usr/lib/security", "/usr/lib64/security"}
	cands = append(cands, r.t.Glob("/lib/*/security")...)
	cands = append(cands, r.t.Glob("/usr/lib/*/security")...)
	for _, d := range cands {
		res, err := r.t.Resolve(d)
		if err != nil || seen[res] {
			continue
		}
		if st, err := r.t.Stat(d); err != nil || !st.IsDir() {
			continue
		}
		seen[res] = true
		m.dirs = append(m.dirs, d)
		if len(r.t.Glob(d+"/pam_*.so")) > 0 {
			m.any = true
		}
	}
	return m
}

// pam reads every PAM file and grades each stack line.
func (r *run) pam() {
	var files []string
	ents, err := r.t.ReadDir(pamDir)
	target.Record(r.env, pamDir, err)
	for i, e := range ents {
		if i >= maxPamDir {
			r.env.GapMsg(model.GapSkipped, pamDir, model.Msg("gap.entries-budget", 2000))
			break
		}
		if !e.IsDir() {
			files = append(files, path.Join(pamDir, e.Name()))
		}
	}
	files = append(files, pamConf)
	mods := r.moduleDirs()
	for _, p := range files {
		b, ok := r.t.ReadFileRec(r.env, p, pamLimit)
		if !ok {
			continue
		}
		pkg, pristine := r.ownership(p)
		if pristine {
			continue
		}
		lines := pamconf.Parse(p, b, p == pamConf, r.env)
		r.pamFile(p, pkg, lines, mods)
	}
}

func (r *run) pamFile(p, pkg string, lines []pamconf.Line, mods pamModules) {
	authMods := map[string][]pamconf.Line{} // service -> auth lines, for the permit-only check
	authIncl := map[string]bool{}
	for _, l := range lines {
		svc := l.Service
		if svc == "" {
			svc = path.Base(p)
		}
		if l.IsInclude() {
			if l.Type == "auth" || (l.Type == "@include" && r.includesAuth(l.Module, 0)) {
				authIncl[svc] = true
			}
			continue
		}
		if l.Type == "auth" {
			authMods[svc] = append(authMods[svc], l)
		}
		r.pamLine(l, svc, pkg, mods)
	}
	// A key stack made only of modules that check nothing lets anyone in
	// ("auth required pam_permit.so" replacing "@include common-auth").
	for svc, ls := range authMods {
		if authIncl[svc] {
			continue
		}
		permit := -1
		for i, l := range ls {
			base := path.Base(l.Module)
			if !harmlessAuth[base] {
				permit = -1
				break
			}
			if base == "pam_permit.so" && permit < 0 {
				permit = i
			}
		}
		if permit >= 0 {
			l := ls[permit]
			extra := map[string]string{"problem": "auth stack checks nothing"}
			sev := model.Critical
			if byDesign(svc) {
				sev, extra["by_design"] = model.Low, "yes"
			}
			r.emitPam(rulePamPermit, l, svc, pkg, sev, model.ConfHigh, nil, extra)
		}
	}
}

// includesAuth reports whether the PAM file name (as written after
// @include) holds auth lines, directly or through its own includes. When
// in doubt (unreadable, too deep) it says yes, so that nothing is reported
// on a stack it could not see whole.
func (r *run) includesAuth(name string, depth int) bool {
	if depth > 4 || strings.Contains(name, "..") {
		return true
	}
	p := name
	if !strings.HasPrefix(p, "/") {
		p = path.Join(pamDir, name)
	}
	b, err := r.t.ReadFile(p, pamLimit)
	if err != nil {
		return true
	}
	for _, l := range pamconf.Parse(p, b, false, target.Discard{}) {
		if l.Type == "auth" || (l.Type == "@include" && r.includesAuth(l.Module, depth+1)) {
			return true
		}
	}
	return false
}

func (r *run) pamLine(l pamconf.Line, svc, pkg string, mods pamModules) {
	mod := l.Module
	base := path.Base(mod)
	found := ""
	if strings.HasPrefix(mod, "/") {
		clean := path.Clean(mod)
		if !r.systemModule(clean) {
			sev := model.Critical
			var ind []string
			if p := r.placeIndicator(clean); p != "" {
				ind = append(ind, p)
			}
			r.emitPam(rulePamModPath, l, svc, pkg, sev, model.ConfHigh, ind, map[string]string{"module": clean})
			return // whatever it is named, this is the finding
		}
		if st, err := r.t.Stat(clean); err == nil && st.Mode().IsRegular() {
			found = clean
		}
	} else {
		for _, d := range mods.dirs {
			p := path.Join(d, mod)
			if st, err := r.t.Stat(p); err == nil && st.Mode().IsRegular() {
				found = p
				break
			}
		}
	}
	switch {
	case found == "" && mods.any && !l.Quiet:
		sev := model.Medium
		if l.Control == "optional" {
			sev = model.Low
		}
		r.emitPam(rulePamMissing, l, svc, pkg, sev, model.ConfMedium, []string{"missing-file"}, map[string]string{"module": mod})
	case found != "" && r.writableModule(found) != "":
		r.emitPam(rulePamModPath, l, svc, pkg, model.Critical, model.ConfHigh, []string{indWritable},
			map[string]string{"module": found, "writable_by": r.writableModule(found)})
		return
	case found != "" && r.pk.Known() && r.pk.Owner(found) == model.NoPackage:
		// A module no package installed, loaded into the login path: it
		// sees every password (pam_unix look-alikes, credential loggers).
		r.emitPam(rulePamUnowned, l, svc, pkg, model.Critical, model.ConfMedium, []string{indNotPackaged}, map[string]string{"module": found})
	}
	switch base {
	case "pam_exec.so":
		r.pamExec(l, svc, pkg)
	case "pam_script.so":
		r.emitPam(rulePamExec, l, svc, pkg, model.High, model.ConfMedium, nil, map[string]string{"module": base})
	case "pam_permit.so":
		if l.Type == "auth" && permitEndsStack(l.Control) {
			sev := model.Critical
			if byDesign(svc) && !keyServices[svc] {
				sev = model.Low
			}
			r.emitPam(rulePamPermit, l, svc, pkg, sev, model.ConfHigh, nil, map[string]string{"control": l.Control})
		}
	case "pam_succeed_if.so":
		if (l.Type == "auth" || l.Type == "account") && permitEndsStack(l.Control) {
			if cond := r.alwaysTrue(l.Args); cond != "" {
				sev := model.Critical
				if l.Type == "account" {
					sev = model.High // skips the account checks, not the password
				}
				r.emitPam(rulePamAlwaysTrue, l, svc, pkg, sev, model.ConfHigh, nil,
					map[string]string{"control": l.Control, "condition": cond})
			}
		}
	}
}

// byDesign recognises the display-manager stacks that log a fixed account
// in without a password on purpose (greeter sessions, autologin).
func byDesign(svc string) bool {
	return strings.HasSuffix(svc, "-autologin") || strings.HasSuffix(svc, "-greeter") || svc == "gdm-launch-environment"
}

// writableModule says who besides root can replace a module found in a
// system module directory ("" when nobody): "everyone", a uid, or "group",
// with the path that lets them.
func (r *run) writableModule(p string) string {
	w, ok := places.NonRootWritable(r.t, p, r.rootUID())
	switch {
	case !ok:
		return ""
	case w.World:
		return "everyone: " + w.Dir
	case w.UID >= 0:
		return "uid " + itoa(w.UID) + ": " + w.Dir
	}
	return "group: " + w.Dir
}

// systemModule reports whether an absolute module path is inside a
// system module directory, before and after resolving symlinks.
func (r *run) systemModule(p string) bool {
	if !systemModulePath.MatchString(p) {
		return false
	}
	res, err := r.t.Resolve(p)
	return err != nil || systemModulePath.MatchString(res)
}

// permitEndsStack reports whether a control makes pam_permit's success
// decide the stack: sufficient, or a bracket whose success action is done
// or a jump over the following modules.
func permitEndsStack(control string) bool {
	if control == "sufficient" {
		return true
	}
	act := pamconf.ControlActions(control)
	if act == nil {
		return false
	}
	a, ok := act["success"]
	if !ok {
		a = act["default"]
	}
	if a == "done" {
		return true
	}
	return a != "" && a[0] >= '1' && a[0] <= '9'
}

// pamExecOptions are pam_exec's own arguments, before the command.
var pamExecOptions = lazyre.New(`^(debug|expose_authtok|seteuid|quiet|quiet_log|stdout|log=.*|type=.*)$`)

func (r *run) pamExec(l pamconf.Line, svc, pkg string) {
	sev, conf := model.High, model.ConfMedium
	var ind []string
	expose := false
	i := 0
	for ; i < len(l.Args) && pamExecOptions.MatchString(l.Args[i]); i++ {
		if l.Args[i] == "expose_authtok" {
			expose = true
		}
	}
	cmd := strings.Join(l.Args[i:], " ")
	extra := map[string]string{"module": "pam_exec.so", "command": cmd}
	if expose && (l.Type == "auth" || l.Type == "password") {
		sev, conf = model.Critical, model.ConfHigh
		ind = append(ind, indCredential)
	}
	if i < len(l.Args) && strings.HasPrefix(l.Args[i], "/") {
		prog := path.Clean(l.Args[i])
		if p := r.placeIndicator(prog); p != "" {
			sev, conf = model.Critical, model.ConfHigh
			ind = append(ind, p)
		}
		if owner := r.pk.Owner(prog); owner != "" {
			extra["program_package"] = owner
			if owner == model.NoPackage {
				ind = append(ind, indNotPackaged)
			}
		}
	}
	for _, m := range cmdscan.Scan(cmd) {
		if m.Severity > sev {
			sev = m.Severity
		}
		if !contains(ind, m.ID) {
			ind = append(ind, m.ID)
		}
	}
	r.emitPam(rulePamExec, l, svc, pkg, sev, conf, ind, extra)
}

func (r *run) emitPam(rule string, l pamconf.Line, svc, pkg string, sev model.Severity, conf model.Confidence, ind []string, extra map[string]string) {
	sort.Strings(ind)
	if extra == nil {
		extra = map[string]string{}
	}
	extra["service"] = svc
	r.env.Emit(model.Finding{
		RuleID: rule, Subject: "PAM " + svc + ": " + l.Type + " " + l.Control + " " + l.Module, Indicators: ind,
		Evidence: model.Evidence{Path: l.File, Line: l.Line, Text: l.Text, Package: pkg, When: "login", Extra: extra},
	}.WithSeverity(sev).WithConfidence(conf))
}
