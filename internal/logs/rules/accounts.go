package rules

import (
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
)

// Rule ids of the account and privilege rules.
const (
	RuleUserAdded   = "logs.account.user-added"
	RuleGroupAdded  = "logs.account.group-added"
	RulePassword    = "logs.account.password-changed"
	RuleSudoShell   = "logs.priv.sudo-shell"
	RuleSuRoot      = "logs.priv.su-root"
	RuleSudoersEdit = "logs.priv.sudoers-edit"
)

// shells are the programs that make "sudo PROGRAM" a root shell.
var shells = map[string]bool{
	"sh": true, "bash": true, "dash": true, "zsh": true, "ksh": true, "mksh": true, "fish": true,
	"csh": true, "tcsh": true, "ash": true, "busybox": true, "su": true,
}

// serviceAccounts run daemons: one of them switching to root is how a web
// or database compromise becomes root.
var serviceAccounts = map[string]bool{
	"www-data": true, "nginx": true, "apache": true, "httpd": true, "nobody": true, "daemon": true,
	"mysql": true, "postgres": true, "redis": true, "tomcat": true, "jenkins": true, "git": true,
}

func (s *Set) accountEvent(e *model.Event) {
	if e.Outcome == model.OutcomeFailure {
		return
	}
	switch e.Kind {
	case kindUserAdded:
		if f := s.once(RuleUserAdded, e.Object, e.Object, model.Medium, model.ConfHigh, e); f != nil {
			f.user = e.Object
		}
	case kindGroupAdded:
		s.once(RuleGroupAdded, e.Object, e.Object, model.Low, model.ConfHigh, e)
	case kindPasswd:
		if f := s.once(RulePassword, e.Object, e.Object, model.Low, model.ConfHigh, e); f != nil {
			f.user = e.Object
			if e.Object == "root" {
				f.raise(model.Medium, model.ConfHigh)
			}
		}
	case kindSudo:
		s.sudo(e)
	case kindSu:
		if e.Object == "root" || e.Object == "" && e.Fields["target"] == "root" {
			sev, conf := model.Low, model.ConfHigh
			if serviceAccounts[e.Actor] {
				sev = model.High
			}
			if f := s.once(RuleSuRoot, e.Actor, e.Actor+" → root", sev, conf, e); f != nil {
				f.user = e.Actor
			}
		}
	}
}

// sudo judges a command run through sudo: a shell, or an edit of sudoers.
func (s *Set) sudo(e *model.Event) {
	cmd := e.Fields[fieldCommand]
	if cmd == "" {
		return
	}
	prog, args, _ := strings.Cut(strings.TrimSpace(cmd), " ")
	base := path.Base(prog)
	if strings.Contains(cmd, "/etc/sudoers") || base == "visudo" {
		sev := model.Medium
		if base != "visudo" {
			sev = model.High // written by hand, not through visudo's check
		}
		if f := s.once(RuleSudoersEdit, e.Actor+"\x00"+cmd, e.Actor, sev, model.ConfMedium, e); f != nil {
			f.user = e.Actor
		}
		return
	}
	if shells[base] || base == "env" && shells[path.Base(firstWord(args))] {
		sev := model.Medium
		if serviceAccounts[e.Actor] {
			sev = model.High
		}
		if f := s.once(RuleSudoShell, e.Actor+"\x00"+base, e.Actor, sev, model.ConfMedium, e); f != nil {
			f.user = e.Actor
		}
	}
}

func firstWord(s string) string {
	w, _, _ := strings.Cut(strings.TrimSpace(s), " ")
	return w
}
