package ssh

import (
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// dangerousEnvVars change what every program of the session loads or runs.
var dangerousEnvVars = map[string]bool{
	"LD_PRELOAD": true, "LD_LIBRARY_PATH": true, "LD_AUDIT": true, "BASH_ENV": true, "ENV": true,
	"PROMPT_COMMAND": true, "PERL5OPT": true, "PERL5LIB": true, "PYTHONPATH": true,
	"PYTHONSTARTUP": true, "NODE_OPTIONS": true, "RUBYOPT": true, "GCONV_PATH": true,
}

// envLine is one NAME=value line of ~/.ssh/environment.
type envLine struct {
	line        int
	name, value string
	text        string
}

// parseEnvFile reads ~/.ssh/environment as sshd does: NAME=value lines,
// '#' comments and blank lines skipped, other lines ignored.
func parseEnvFile(b []byte) []envLine {
	var out []envLine
	for i, raw := range strings.Split(string(b), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok || name == "" {
			continue
		}
		out = append(out, envLine{line: i + 1, name: name, value: value, text: line})
	}
	return out
}

// envRisk says whether a variable set for ssh sessions is dangerous.
func envRisk(name, value string) bool {
	if dangerousEnvVars[name] {
		return true
	}
	if name == "PATH" {
		for _, dir := range strings.Split(value, ":") {
			if dir == "" || dir == "." || inWritable(path.Clean(dir)+"/") || hiddenComponent(path.Clean(dir)+"/x") != "" {
				return true
			}
		}
	}
	return false
}

// checkEnvironmentFiles reads every ~/.ssh/environment. A dangerous
// variable there is high when sshd honours it and low (planted but inert)
// when PermitUserEnvironment is off.
func (r *run) checkEnvironmentFiles() {
	seen := map[string]bool{}
	for _, a := range r.accts {
		if a.home == "" {
			continue
		}
		p := path.Join(a.home, ".ssh/environment")
		if seen[p] {
			continue
		}
		seen[p] = true
		b, ok := r.t.ReadFileRec(r.env, p, configLimit)
		if !ok {
			continue
		}
		st := r.mtime(p)
		for _, l := range parseEnvFile(b) {
			if !envRisk(l.name, l.value) {
				continue
			}
			allowed := r.userEnvAllowed(l.name)
			sev, conf := model.Low, model.ConfMedium
			if allowed {
				sev, conf = model.High, model.ConfHigh
				r.dangerousEnv = appendUnique(r.dangerousEnv, p)
			}
			f := model.Finding{
				RuleID:  ruleEnvFile,
				Subject: a.name + " " + l.name,
				Evidence: model.Evidence{
					Path: p, Line: l.line, Text: textclip.Clip(l.text, 400), User: a.name, When: "login", MTime: st,
				},
			}
			if strings.HasPrefix(l.name, "LD_") {
				f.Indicators = []string{indLDPreload}
			}
			if !allowed {
				f.Evidence.Extra = map[string]string{"permituserenvironment": "no: sshd ignores this file"}
			}
			r.emit(f.WithSeverity(sev).WithConfidence(conf))
		}
	}
}
