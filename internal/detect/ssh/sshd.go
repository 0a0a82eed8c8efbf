package ssh

import (
	"fmt"
	"net"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
)

const sshdConfig = "/etc/ssh/sshd_config"

// loadSshd reads sshd_config and its Include files; nil when sshd is not
// configured (not installed).
func (r *run) loadSshd() *config {
	if _, err := r.t.Stat(sshdConfig); err != nil {
		return nil
	}
	l := &configLoader{t: r.t, rec: r.env, base: "/etc/ssh", blockKeys: []string{"match"}, limit: configLimit}
	l.load(sshdConfig, "", 0)
	return &l.cfg
}

// sshdFinding builds a finding on a directive.
func (r *run) sshdFinding(rule string, d directive, subject string) model.Finding {
	f := model.Finding{
		RuleID:  rule,
		Subject: subject,
		Evidence: model.Evidence{
			Path: d.file, Line: d.line, Text: textclip.Clip(d.text, 400), User: "*", When: "login",
		},
	}
	if d.block != "" {
		f.Evidence.Extra = map[string]string{"match": d.block, "scope": "applies only to connections matching the Match block"}
	}
	return f
}

func extra(f *model.Finding, k, v string) {
	if f.Evidence.Extra == nil {
		f.Evidence.Extra = map[string]string{}
	}
	f.Evidence.Extra[k] = v
}

// conditional lowers the confidence of a setting inside a Match block: it
// applies only to some connections.
func conditional(f model.Finding, d directive, conf model.Confidence) model.Finding {
	if d.block != "" && conf > model.ConfLow {
		conf--
	}
	return f.WithConfidence(conf)
}

// checkSshd grades the effective sshd settings.
func (r *run) checkSshd() {
	c := r.sshd
	if c == nil {
		return
	}
	ok := func(d directive) bool { return !r.isPristine(d.file) }
	for _, d := range c.effective("permitrootlogin") {
		if d.value() != "yes" || !ok(d) {
			continue
		}
		r.emit(conditional(r.sshdFinding(ruleRootLogin, d, "PermitRootLogin yes").WithSeverity(model.Medium), d, model.ConfHigh))
		ev, why, open := passwordPath(c, d)
		if !open {
			continue
		}
		f := r.sshdFinding(ruleRootPassword, ev, "root login with password")
		if d.block != "" {
			extra(&f, "match", d.block)
		}
		extra(&f, "permitrootlogin", fmt.Sprintf("%s:%d", d.file, d.line))
		extra(&f, "password_path", why)
		r.emit(conditional(f.WithSeverity(model.Medium), d, model.ConfHigh))
	}
	for _, d := range c.effective("permitemptypasswords") {
		if d.value() == "yes" && ok(d) {
			r.emit(conditional(r.sshdFinding(ruleEmptyPasswords, d, "PermitEmptyPasswords yes").WithSeverity(model.High), d, model.ConfHigh))
		}
	}
	r.checkListen(c)
	for _, d := range c.effective("authorizedkeysfile") {
		if ok(d) {
			r.checkKeysFileSetting(d)
		}
	}
	for _, key := range []string{"authorizedkeyscommand", "authorizedprincipalscommand"} {
		for _, d := range c.effective(key) {
			if ok(d) && d.value() != "none" && len(d.args) > 0 {
				r.checkKeysCommand(d)
			}
		}
	}
	for _, d := range c.effective("forcecommand") {
		if ok(d) && d.value() != "none" && len(d.args) > 0 {
			r.checkForceCommand(d)
		}
	}
	for _, d := range c.effective("permituserenvironment") {
		if ok(d) && d.value() != "no" {
			r.checkUserEnvSetting(d)
		}
	}
	for _, key := range []string{"gatewayports", "permittunnel"} {
		for _, d := range c.effective(key) {
			v := d.value()
			if ok(d) && v != "no" && v != "" {
				r.emit(conditional(r.sshdFinding(ruleForwarding, d, d.keyword()+" "+d.joined()).WithSeverity(model.Low), d, model.ConfHigh))
			}
		}
	}
	if d, set := c.first("usepam"); set && d.value() == "no" && ok(d) {
		if _, err := r.t.Stat("/etc/pam.d/sshd"); err == nil {
			r.emit(r.sshdFinding(ruleNoPAM, d, "UsePAM no").WithSeverity(model.Low).WithConfidence(model.ConfMedium))
		}
	}
}

// passwordPath tells whether sshd accepts a password for connections of
// d's block, and through which setting: PasswordAuthentication (default
// yes), or keyboard-interactive through PAM (KbdInteractiveAuthentication,
// formerly ChallengeResponseAuthentication, default yes, with UsePAM yes).
func passwordPath(c *config, d directive) (directive, string, bool) {
	if pa, set := c.inBlock(d.block, "passwordauthentication"); !set {
		return d, "PasswordAuthentication not set (sshd default: yes)", true
	} else if pa.value() == "yes" {
		return pa, "PasswordAuthentication yes", true
	}
	pam, set := c.inBlock(d.block, "usepam")
	if !set || pam.value() != "yes" {
		return directive{}, "", false
	}
	kbd, set := c.inBlock(d.block, "kbdinteractiveauthentication")
	if !set {
		kbd, set = c.inBlock(d.block, "challengeresponseauthentication")
	}
	switch {
	case !set:
		return pam, "keyboard-interactive through PAM (KbdInteractiveAuthentication not set, default yes; UsePAM yes)", true
	case kbd.value() == "yes":
		return kbd, "keyboard-interactive through PAM (UsePAM yes)", true
	}
	return directive{}, "", false
}

// checkListen lists the ports sshd listens on when they are not just 22.
// As in sshd: Port lines (default 22) apply to every ListenAddress that
// names no port, and to all addresses when there is no ListenAddress.
func (r *run) checkListen(c *config) {
	var portDirs, addrDirs []directive
	for _, d := range c.all("port") {
		if d.block == "" && !r.isPristine(d.file) {
			portDirs = append(portDirs, d)
		}
	}
	for _, d := range c.all("listenaddress") {
		if d.block == "" && !r.isPristine(d.file) && len(d.args) > 0 {
			addrDirs = append(addrDirs, d)
		}
	}
	ports := map[int]directive{}
	var configured []int
	for _, d := range portDirs {
		for _, a := range d.args {
			if p, err := strconv.Atoi(a); err == nil {
				configured = append(configured, p)
				if _, ok := ports[p]; !ok {
					ports[p] = d
				}
			}
		}
	}
	listening := map[int]directive{}
	usesPorts := len(addrDirs) == 0
	for _, d := range addrDirs {
		if _, ps, err := net.SplitHostPort(d.args[0]); err == nil {
			if p, err := strconv.Atoi(ps); err == nil {
				if _, ok := listening[p]; !ok {
					listening[p] = d
				}
				continue
			}
		}
		usesPorts = true
	}
	if usesPorts {
		if len(configured) == 0 {
			listening[22] = directive{}
		}
		for p, d := range ports {
			if _, ok := listening[p]; !ok {
				listening[p] = d
			}
		}
	}
	list := make([]int, 0, len(listening))
	for p := range listening {
		list = append(list, p)
	}
	// Evidence: the first line, in reading order, that opens a port
	// other than 22.
	var first directive
	for _, d := range c.dirs {
		for p, ld := range listening {
			if p != 22 && ld.file == d.file && ld.line == d.line {
				first = d
			}
		}
		if first.file != "" {
			break
		}
	}
	if first.file == "" {
		return // only port 22
	}
	sort.Ints(list)
	strs := make([]string, len(list))
	for i, p := range list {
		strs[i] = strconv.Itoa(p)
	}
	f := r.sshdFinding(ruleListen, first, "sshd ports "+strings.Join(strs, ","))
	f.Key = "sshd-ports"
	extra(&f, "ports", strings.Join(strs, ","))
	sev, conf := model.Info, model.ConfHigh
	if len(list) > 1 {
		// A second listener is how a backdoor keeps its own door open
		// beside the one the administrator watches.
		sev, conf = model.Medium, model.ConfMedium
	}
	r.emit(f.WithSeverity(sev).WithConfidence(conf))
}

// checkKeysFileSetting grades each AuthorizedKeysFile pattern.
func (r *run) checkKeysFileSetting(d directive) {
	for _, pat := range d.args {
		if strings.EqualFold(pat, "none") {
			continue
		}
		sev, conf, why, ind := keysFileRisk(pat)
		if sev < 0 {
			continue
		}
		f := r.sshdFinding(ruleKeysFile, d, "AuthorizedKeysFile "+pat)
		extra(&f, "pattern", pat)
		extra(&f, "reason", why)
		if ind != "" {
			f.Indicators = []string{ind}
		}
		r.emit(conditional(f.WithSeverity(sev), d, conf))
	}
}

// keysFileRisk grades one AuthorizedKeysFile pattern; sev < 0 means fine.
func keysFileRisk(pat string) (sev model.Severity, conf model.Confidence, why, ind string) {
	inHome := !strings.HasPrefix(pat, "/") || strings.HasPrefix(pat, "%h") || strings.HasPrefix(pat, "/home/%u/")
	rel := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(pat, "/home/%u"), "%h"), "/")
	perUser := strings.Contains(pat, "%u") || strings.Contains(pat, "%U") || strings.Contains(pat, "%h")
	clean := path.Clean("/" + strings.ReplaceAll(pat, "%%", "%"))
	switch {
	case !inHome && inWritable(clean+"/"):
		return model.High, model.ConfHigh, "keys read from a world-writable directory", indWritable
	case !inHome && hiddenComponent(clean+"/x") != "":
		return model.High, model.ConfHigh, "keys read from a hidden directory outside the home", indHidden
	case !inHome && !perUser:
		return model.High, model.ConfMedium, "one shared file authorizes keys for every account", ""
	case !inHome:
		// A central per-user directory (/etc/ssh/authorized_keys/%u) is a
		// known hardening layout: inventory only.
		return model.Info, model.ConfHigh, "keys kept outside the homes", ""
	case hiddenInHome(rel):
		return model.Medium, model.ConfMedium, "keys read from an unusual hidden file in the home", indHidden
	}
	return -1, 0, "", ""
}

// hiddenInHome reports whether a home-relative keys path goes through a
// hidden file or directory other than ~/.ssh.
func hiddenInHome(rel string) bool {
	for i, c := range strings.Split(path.Clean(rel), "/") {
		if i == 0 && c == ".ssh" {
			continue
		}
		if len(c) > 1 && c[0] == '.' && c != ".." {
			return true
		}
	}
	return false
}

// knownKeysCommands are the packaged AuthorizedKeysCommand helpers of
// directory services and cloud platforms.
var knownKeysCommands = map[string]bool{
	"sss_ssh_authorizedkeys": true, "google_authorized_keys": true, "google_authorized_keys_sk": true,
	"eic_run_authorized_keys": true, "eic_curl_authorized_keys": true, "ssh-ldap-wrapper": true,
	"ssh-ldap-helper": true, "ipa-ssh-authorizedkeys": true, "oslogin_authorized_keys": true,
	"aad_certhandler": true, "authorized_keys_command": true,
}

// checkKeysCommand grades AuthorizedKeysCommand and
// AuthorizedPrincipalsCommand: sshd runs it as a user to learn which keys
// let anyone in.
func (r *run) checkKeysCommand(d directive) {
	v := r.judgeCommand(d.joined(), model.Medium)
	sev, conf := v.sev, v.conf
	known := knownKeysCommands[path.Base(v.program)]
	switch {
	case v.flagged:
	case v.pkg == model.NoPackage:
		sev, conf = model.High, model.ConfMedium
		v.inds = append(v.inds, indNotPackage)
	case known:
		sev, conf = model.Info, model.ConfHigh
	default:
		conf = model.ConfMedium
	}
	f := r.sshdFinding(ruleKeysCommand, d, d.keyword()+" "+path.Base(v.program))
	f.Indicators = v.inds
	f.Evidence.Package = v.pkg
	extra(&f, "program", v.program)
	if v.fragment != "" {
		extra(&f, "fragment", v.fragment)
	}
	r.emit(f.WithSeverity(sev).WithConfidence(conf))
}

// benignForceCommands are programs ForceCommand commonly restricts users
// to.
var benignForceCommands = map[string]bool{
	"internal-sftp": true, "sftp-server": true, "git-shell": true, "rrsync": true,
	"gitlab-shell": true, "tlog-rec-session": true, "scponly": true, "rssh": true,
}

// checkForceCommand grades ForceCommand: every matching login runs it
// instead of what the user asked for.
func (r *run) checkForceCommand(d directive) {
	v := r.judgeCommand(d.joined(), model.Medium)
	if !v.flagged && benignForceCommands[path.Base(v.program)] && v.pkg != model.NoPackage {
		return
	}
	sev, conf := v.sev, v.conf
	if !v.flagged {
		switch {
		case v.pkg != "" && v.pkg != model.NoPackage:
			sev, conf = model.Info, model.ConfHigh
		case v.pkg == model.NoPackage:
			v.inds = append(v.inds, indNotPackage)
			conf = model.ConfMedium
		}
	}
	f := r.sshdFinding(ruleForceCommand, d, "ForceCommand "+path.Base(v.program))
	f.Indicators = v.inds
	f.Evidence.Package = v.pkg
	extra(&f, "program", v.program)
	r.emit(conditional(f.WithSeverity(sev), d, conf))
}

// checkUserEnvSetting grades PermitUserEnvironment: it lets ~/.ssh/
// environment and environment= key options set LD_PRELOAD for sshd's
// child.
func (r *run) checkUserEnvSetting(d directive) {
	sev, conf := model.Medium, model.ConfHigh
	if d.value() != "yes" {
		// A pattern list lets only the named variables through.
		sev = model.Low
		if envPatternAllows(d.args, "LD_PRELOAD") {
			sev = model.Medium
		}
	}
	f := r.sshdFinding(ruleUserEnv, d, "PermitUserEnvironment "+d.joined())
	if len(r.dangerousEnv) > 0 {
		sev, conf = model.High, model.ConfHigh
		extra(&f, "environment_files", strings.Join(r.dangerousEnv, " "))
		f.Indicators = []string{indLDPreload}
	}
	r.emit(conditional(f.WithSeverity(sev), d, conf))
}

// userEnvAllowed reports whether sshd accepts the variable name from
// ~/.ssh/environment or environment= for some connection.
func (r *run) userEnvAllowed(name string) bool {
	if r.sshd == nil {
		return false
	}
	for _, d := range r.sshd.effective("permituserenvironment") {
		switch d.value() {
		case "yes":
			return true
		case "no", "":
		default:
			if envPatternAllows(d.args, name) {
				return true
			}
		}
	}
	return false
}

// envPatternAllows matches name against a PermitUserEnvironment pattern
// list ("LANG,LC_*").
func envPatternAllows(args []string, name string) bool {
	for _, a := range args {
		for _, p := range strings.Split(a, ",") {
			neg := strings.HasPrefix(p, "!")
			p = strings.TrimPrefix(p, "!")
			if m, _ := path.Match(p, name); m {
				return !neg
			}
		}
	}
	return false
}
