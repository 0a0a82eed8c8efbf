package timeline

import "strings"

// Stages of an attack path, in the words the summary uses.
const (
	stageBrute       = "brute force on sshd"
	stageScan        = "web scanning"
	stageWebAttack   = "web attack"
	stageWebShell    = "WebShell"
	stageLogin       = "login"
	stagePrivilege   = "privilege escalation"
	stageAccount     = "new account"
	stagePersistence = "persistence"
	stageExecution   = "execution"
	stageEvasion     = "covering tracks"
)

// stages maps rule id prefixes to stages, first match wins.
var stages = []struct{ prefix, stage string }{
	{"logs.ssh.brute-force", stageBrute}, {"logs.ssh.spray", stageBrute}, {"logs.ssh.invalid-user", stageBrute},
	{"logs.web.scanner", stageScan},
	{"logs.web.webshell", stageWebShell}, {"web.", stageWebShell}, {"files.webshell", stageWebShell}, {"files.yara.webshell", stageWebShell},
	{"logs.web.", stageWebAttack},
	{"logs.ssh.login-after-failures", stageLogin}, {"logs.ssh.new-source", stageLogin}, {"logs.ssh.new-user", stageLogin},
	{"logs.ssh.root-login", stageLogin}, {"logs.ssh.unusual-hour", stageLogin},
	{"logs.priv.", stagePrivilege}, {"authn.", stagePrivilege},
	{"logs.account.user-added", stageAccount}, {"accounts.", stageAccount},
	{"persistence.", stagePersistence}, {"ssh.authorized-keys", stagePersistence}, {"ssh.keys", stagePersistence},
	{"logs.sigma.", stageExecution}, {"process.", stageExecution}, {"network.", stageExecution}, {"history.", stageExecution},
	{"logs.tamper.", stageEvasion}, {"logs.file.", stageEvasion}, {"logs.utmp.", stageEvasion}, {"logs.login.", stageEvasion}, {"logs.journal.", stageEvasion},
}

// stageOf names the stage of a rule ("" when it shows none).
func stageOf(rule string) string {
	for _, s := range stages {
		if strings.HasPrefix(rule, s.prefix) {
			return s.stage
		}
	}
	return ""
}

// Vector is the attack path as one line: its stages in the order they
// first appear, joined with " → " (the first ones are the entry vector).
func (t *Timeline) Vector() string { return t.VectorWith(nil) }

// VectorWith is Vector with each stage named by name (the reader's
// language; nil: as in Step.Stage).
func (t *Timeline) VectorWith(name func(stage string) string) string {
	var parts []string
	for _, s := range t.Path {
		if name != nil {
			parts = append(parts, name(s.Stage))
		} else {
			parts = append(parts, s.Stage)
		}
	}
	return strings.Join(parts, " → ")
}

// StageMsg is the message id of a stage's name in the catalog
// ("timeline.stage.brute-force-on-sshd"): Step.Stage stays English in
// the data (JSONL, CSV), the table and the page name it in the reader's
// language.
func StageMsg(stage string) string {
	return "timeline.stage." + strings.ToLower(strings.ReplaceAll(stage, " ", "-"))
}
