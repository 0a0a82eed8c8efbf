package ssh

import (
	"path"
	"slices"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/grade/cmdscan"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/textclip"
)

const indSSHCommand = "ssh-local-command"

// checkClientConfigs reads /etc/ssh/ssh_config and every ~/.ssh/config for
// options that run local programs.
func (r *run) checkClientConfigs() {
	done := map[string]bool{}
	sys := &configLoader{t: r.t, rec: r.env, base: "/etc/ssh", blockKeys: []string{"host", "match"}, limit: configLimit}
	sys.load("/etc/ssh/ssh_config", "", 0)
	r.gradeClient(&sys.cfg, "*", "", done, nil)
	// Drop-ins ssh_config does not include are not read by ssh now: one
	// Include line away from running on every connection.
	for _, p := range r.t.Glob("/etc/ssh/ssh_config.d/*.conf") {
		if slices.Contains(sys.cfg.files, p) {
			continue
		}
		l := &configLoader{t: r.t, rec: r.env, base: "/etc/ssh", blockKeys: []string{"host", "match"}, limit: configLimit}
		l.load(p, "", 0)
		r.gradeClient(&l.cfg, "*", "", done, &dormancy{"not-included", model.Msg("ssh.note.client-not-included")})
	}
	for _, a := range r.accts {
		if a.home == "" {
			continue
		}
		p := path.Join(a.home, ".ssh/config")
		if done[p] {
			continue
		}
		if _, err := r.t.Lstat(p); err != nil {
			continue
		}
		l := &configLoader{t: r.t, rec: r.env, base: path.Join(a.home, ".ssh"), home: a.home, blockKeys: []string{"host", "match"}, limit: configLimit}
		l.load(p, "", 0)
		r.gradeClient(&l.cfg, a.name, a.home, done, nil)
	}
}

// gradeClient emits findings for one client configuration (home is ""
// for the system-wide one). done holds files already graded (a system file
// included from a user's config). The commands run on every outgoing
// connection: from a temporary, hidden or world-writable place they are
// high; otherwise (a package's program, a PATH name, a tool in the
// account's home) they are inventory.
// A dormant configuration (not read by ssh now) is listed only where it
// points at an odd place, low, with the reason.
func (r *run) gradeClient(c *config, user, home string, done map[string]bool, dormant *dormancy) {
	system := home == ""
	localOn := false
	for _, d := range c.all("permitlocalcommand") {
		if d.value() == "yes" {
			localOn = true
		}
	}
	graded := map[string]bool{}
	for _, d := range c.dirs {
		if done[d.file] || r.isPristine(d.file) {
			continue
		}
		graded[d.file] = true
		switch d.key {
		case "localcommand":
			if len(d.args) == 0 {
				continue
			}
			base := model.Low
			if system {
				base = model.Medium // runs for every user's ssh
			}
			v := r.judgeCommand(expandHome(d.joined(), home), base)
			sev := base
			if v.flagged {
				sev = sevMax(model.High, v.sev)
			}
			why := dormant
			if why == nil && !localOn {
				why = &dormancy{"permitlocalcommand-off", model.Msg("ssh.note.local-command-off")}
			}
			if why != nil {
				// Inert: listed only when it points somewhere no one
				// installs a program.
				if v.flagged {
					r.emitClient(ruleClientLocal, d, user, v, model.Low, why)
				}
				continue
			}
			r.emitClient(ruleClientLocal, d, user, v, sev, nil)
		case "proxycommand", "knownhostscommand":
			if d.value() == "none" || len(d.args) == 0 {
				continue
			}
			r.gradeClientCommand(d, user, expandHome(d.joined(), home), dormant)
		case "match":
			if cmd := matchExec(d.args); cmd != "" {
				r.gradeClientCommand(d, user, expandHome(cmd, home), dormant)
			}
		}
	}
	for f := range graded {
		done[f] = true
	}
}

// gradeClientCommand grades ProxyCommand, KnownHostsCommand and Match exec.
func (r *run) gradeClientCommand(d directive, user, cmd string, dormant *dormancy) {
	v := r.judgeCommand(cmd, model.Info)
	switch {
	case v.flagged && dormant != nil:
		r.emitClient(ruleClientProxy, d, user, v, model.Low, dormant)
	case v.flagged:
		r.emitClient(ruleClientProxy, d, user, v, sevMax(model.High, v.sev), nil)
	case dormant != nil:
	default:
		if v.pkg == model.NoPackage {
			v.inds = appendUnique(v.inds, indNotPackage)
		}
		r.emitClient(ruleClientProxy, d, user, v, model.Info, nil)
	}
}

// expandHome turns "~/" at the start of a word into the account's home, as
// ssh does for these commands, so that the place of the program is judged.
func expandHome(cmd, home string) string {
	if home == "" || !strings.Contains(cmd, "~/") {
		return cmd
	}
	words := strings.Split(cmd, " ")
	for i, w := range words {
		if strings.HasPrefix(w, "~/") {
			words[i] = strings.TrimSuffix(home, "/") + w[1:]
		}
	}
	return strings.Join(words, " ")
}

// matchExec returns the command of a "Match exec" criterion.
func matchExec(args []string) string {
	for i, a := range args {
		if strings.EqualFold(a, "exec") && i+1 < len(args) {
			return args[i+1]
		}
		if strings.EqualFold(a, "!exec") && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

func (r *run) emitClient(rule string, d directive, user string, v verdict, sev model.Severity, dormant *dormancy) {
	f := model.Finding{
		RuleID:     rule,
		Subject:    d.keyword() + " " + textclip.Clip(d.joined(), 80),
		Indicators: append([]string{indSSHCommand}, v.inds...),
		Evidence: model.Evidence{
			Path: d.file, Line: d.line, Text: textclip.Clip(d.text, 400), User: user, When: "event",
			Package: v.pkg,
		},
	}
	if d.block != "" {
		extra(&f, "block", d.block)
	}
	if v.fragment != "" {
		extra(&f, "fragment", v.fragment)
	}
	if dormant != nil {
		extra(&f, "dormant", dormant.code)
		f.Evidence.Note = dormant.note
	}
	conf := v.conf
	if v.flagged && conf < model.ConfMedium {
		conf = model.ConfMedium
	}
	r.emit(f.WithSeverity(sev).WithConfidence(conf))
}

// checkRC grades /etc/ssh/sshrc and ~/.ssh/rc: sshd runs them at every
// login before the user's shell, an ideal place for a hook.
func (r *run) checkRC() {
	type rc struct{ p, user string }
	files := []rc{{"/etc/ssh/sshrc", "*"}}
	seen := map[string]bool{}
	for _, a := range r.accts {
		if a.home == "" {
			continue
		}
		p := path.Join(a.home, ".ssh/rc")
		if !seen[p] {
			seen[p] = true
			files = append(files, rc{p, a.name})
		}
	}
	for _, f := range files {
		st, err := r.t.Stat(f.p)
		if err != nil {
			target.Record(r.env, f.p, err)
			continue
		}
		if st.IsDir() {
			continue
		}
		b, ok := r.t.ReadFileRec(r.env, f.p, configLimit)
		if !ok || r.isPristine(f.p) {
			continue
		}
		r.gradeRC(f.p, f.user, b, mtimeOf(st))
	}
}

func (r *run) gradeRC(p, user string, b []byte, mt *time.Time) {
	sev, conf := model.Medium, model.ConfMedium
	var inds []string
	first, firstText := 0, ""
	best, line, text, frag := model.Severity(-1), 0, "", ""
	for i, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' {
			continue
		}
		if first == 0 {
			first, firstText = i+1, l
		}
		for _, m := range cmdscan.Scan(l) {
			inds = appendUnique(inds, m.ID)
			s := sevMax(m.Severity, model.Medium)
			if severe(m.ID) {
				s = model.Critical
			}
			if s > best {
				best, line, text, frag, conf = s, i+1, l, m.Fragment, m.Confidence
			}
		}
	}
	if first == 0 {
		return // only comments
	}
	if best < 0 {
		line, text = first, firstText
	} else {
		sev = best
	}
	f := model.Finding{
		RuleID:     ruleRC,
		Key:        p,
		Indicators: inds,
		Evidence:   model.Evidence{Path: p, Line: line, Text: textclip.Clip(text, 400), User: user, When: "login", MTime: mt},
	}
	if frag != "" {
		extra(&f, "fragment", frag)
	}
	r.emit(f.WithSeverity(sev).WithConfidence(conf))
}
