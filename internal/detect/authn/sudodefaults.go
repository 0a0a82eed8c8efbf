package authn

import (
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/detect/authn/sudoers"
	"github.com/vigil-ir/vigil/internal/model"
)

// longTimestamp is the credential cache lifetime, in minutes, above which
// sudo's "you typed your password a moment ago" stops being a moment: a
// stolen terminal or a process of the user gets root without asking.
const longTimestamp = 60

// sudoDefaults grades one Defaults line.
func (r *run) sudoDefaults(pol *sudoers.Policy, d sudoers.Defaults) {
	if d.Scope == ":root" {
		return // root needs no help
	}
	emit := func(rule string, sev model.Severity, ind string, param string) {
		f := model.Finding{
			RuleID: rule, Subject: "sudo Defaults" + d.Scope + " " + param,
			Evidence: model.Evidence{Path: d.File, Line: d.Line, Text: d.Text,
				Extra: map[string]string{"scope": scopeText(d.Scope)}},
		}
		if ind != "" {
			f.Indicators = []string{ind}
		}
		if pkg, _ := r.ownership(d.File); pkg != "" {
			f.Evidence.Package = pkg
		}
		r.markDormant(&f.Evidence)
		r.env.Emit(f.WithSeverity(sev))
	}
	for _, p := range d.Params {
		switch {
		case p.Name == "authenticate" && p.Negated:
			emit(ruleSudoNoAuth, model.High, "", "!authenticate")
		case (p.Name == "env_keep" || p.Name == "env_check") && (p.Op == "=" || p.Op == "+=" || p.Op == ""):
			var bad []string
			for _, v := range strings.Fields(p.Value) {
				name, _, _ := strings.Cut(v, "=")
				if dangerousVar(name) {
					bad = append(bad, name)
				}
			}
			if len(bad) > 0 {
				ind := ""
				for _, b := range bad {
					if strings.HasPrefix(b, "LD_") {
						ind = indLDPreload
					}
				}
				emit(ruleSudoEnv, model.High, ind, p.Name+" "+strings.Join(bad, " "))
			}
		case p.Name == "env_reset" && p.Negated:
			emit(ruleSudoEnv, model.Medium, "", "!env_reset")
		case p.Name == "setenv" && !p.Negated:
			emit(ruleSudoEnv, model.Medium, "", "setenv")
		case p.Name == "secure_path" && p.Op == "=":
			for _, dir := range strings.Split(p.Value, ":") {
				if dir == "" || !strings.HasPrefix(dir, "/") {
					emit(ruleSudoEnv, model.High, "cwd-in-path", "secure_path "+dir)
					break
				}
				if ind := r.placeIndicator(dir); ind != "" {
					emit(ruleSudoEnv, model.High, ind, "secure_path "+dir)
					break
				}
			}
		default:
			if sev, what := weakDefault(pol, p); what != "" {
				emit(ruleSudoWeak, sev, "", what)
			}
		}
	}
}

// weakDefault grades the Defaults that keep sudo's credentials alive or
// shared longer than a typed password deserves, and requiretty changes.
// what is "" when p weakens nothing.
func weakDefault(pol *sudoers.Policy, p sudoers.Param) (model.Severity, string) {
	switch {
	case p.Name == "timestamp_timeout" && p.Op == "=":
		v, err := strconv.ParseFloat(strings.TrimSpace(p.Value), 64)
		switch {
		case err != nil:
			return 0, ""
		case v < 0:
			return model.High, "timestamp_timeout=" + p.Value
		case v > longTimestamp:
			return model.Medium, "timestamp_timeout=" + p.Value
		}
	case p.Name == "tty_tickets" && p.Negated:
		return model.Medium, "!tty_tickets"
	case p.Name == "timestamp_type" && strings.EqualFold(strings.TrimSpace(p.Value), "global"):
		return model.Medium, "timestamp_type=global"
	case p.Name == "requiretty" && p.Negated:
		// Debian and current RHEL do not require a tty; dropping it only
		// changes something where another line sets it.
		if setsRequiretty(pol) {
			return model.Low, "!requiretty"
		}
		return model.Info, "!requiretty"
	}
	return 0, ""
}

func setsRequiretty(pol *sudoers.Policy) bool {
	for _, d := range pol.Defaults {
		for _, p := range d.Params {
			if p.Name == "requiretty" && !p.Negated {
				return true
			}
		}
	}
	return false
}
