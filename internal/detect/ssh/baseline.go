package ssh

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/model"
)

// Hardening rule ids (vigil harden): sshd settings below the baseline,
// whoever wrote them, the package's defaults included.
const (
	ruleBaseRootLogin    = "harden.ssh.root-login"
	ruleBasePasswordAuth = "harden.ssh.password-auth"
	ruleBaseWeakCrypto   = "harden.ssh.weak-crypto"
	ruleBaseMaxAuthTries = "harden.ssh.max-auth-tries"
	ruleBaseX11          = "harden.ssh.x11-forwarding"
)

// Baseline is the sshd part of the hardening baseline (vigil harden): the
// settings sshd applies (the first global occurrence, or sshd's compiled
// default when none is written) compared with what CIS benchmarks and the
// seeds ask for. It reads the configuration the intrusion check reads,
// but judges the package's own defaults too, so it is not part of a triage
// scan (vigil scan --harden adds it).
type Baseline struct{}

// NewBaseline returns the sshd baseline check.
func NewBaseline() *Baseline { return &Baseline{} }

// Name implements engine.Detector.
func (*Baseline) Name() string { return "sshd-baseline" }

// Version implements engine.Detector.
func (*Baseline) Version() int { return 1 }

// NeedsLive implements engine.Detector.
func (*Baseline) NeedsLive() bool { return false }

// Rules implements engine.Detector.
func (*Baseline) Rules() []string {
	return []string{ruleBaseRootLogin, ruleBasePasswordAuth, ruleBaseWeakCrypto, ruleBaseMaxAuthTries, ruleBaseX11}
}

// weakAlgos are the algorithms OpenSSH deprecated or removed from its
// defaults (ssh-audit's "fail" and "warn" lists for these three keywords).
var weakAlgos = map[string][]string{
	"ciphers": {"3des-cbc", "aes128-cbc", "aes192-cbc", "aes256-cbc", "blowfish-cbc", "cast128-cbc",
		"arcfour", "arcfour128", "arcfour256", "rijndael-cbc@lysator.liu.se"},
	"macs": {"hmac-md5", "hmac-md5-96", "hmac-md5-etm@openssh.com", "hmac-md5-96-etm@openssh.com", "hmac-sha1",
		"hmac-sha1-96", "hmac-sha1-etm@openssh.com", "hmac-sha1-96-etm@openssh.com", "umac-64@openssh.com",
		"umac-64-etm@openssh.com", "hmac-ripemd160", "hmac-ripemd160@openssh.com"},
	"kexalgorithms": {"diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1", "diffie-hellman-group-exchange-sha1",
		"gss-gex-sha1-", "gss-group1-sha1-", "gss-group14-sha1-"},
}

// maxAuthTries is the CIS benchmark's limit.
const maxAuthTries = 4

// Run implements engine.Detector.
func (b *Baseline) Run(ctx context.Context, env *engine.Env) error {
	r := &run{env: env, t: env.Target, pk: inventory.Packages(env), pristine: map[string]bool{}}
	c := r.loadSshd()
	if c == nil {
		return nil // no sshd configured: nothing to harden
	}
	setting := func(key, def string) (directive, string, bool) {
		if d, ok := c.first(key); ok {
			return d, d.value(), true
		}
		return directive{file: sshdConfig}, def, false
	}
	emit := func(rule string, d directive, set bool, subject string, sev model.Severity) {
		ev := model.Evidence{Path: d.file, Line: d.line, Text: d.text}
		if !set {
			ev.Note = model.Msg("harden.note.ssh-default", subject)
		}
		f := model.Finding{RuleID: rule, Subject: subject, Evidence: ev, Key: rule}
		env.Emit(f.WithSeverity(sev))
	}
	if d, v, set := setting("permitrootlogin", "prohibit-password"); v != "no" {
		sev := model.Low
		if v == "yes" {
			sev = model.Medium
		}
		emit(ruleBaseRootLogin, d, set, "PermitRootLogin "+v, sev)
	}
	if d, v, set := setting("passwordauthentication", "yes"); v != "no" {
		emit(ruleBasePasswordAuth, d, set, "PasswordAuthentication "+v, model.Low)
	}
	d, v, set := setting("maxauthtries", "6")
	if n, err := strconv.Atoi(v); err == nil && n > maxAuthTries {
		emit(ruleBaseMaxAuthTries, d, set, fmt.Sprintf("MaxAuthTries %d", n), model.Low)
	}
	if d, v, set := setting("x11forwarding", "no"); v == "yes" {
		emit(ruleBaseX11, d, set, "X11Forwarding yes", model.Low)
	}
	for _, key := range []string{"ciphers", "macs", "kexalgorithms"} {
		d, ok := c.first(key)
		if !ok || len(d.args) == 0 {
			continue // OpenSSH's defaults hold no weak algorithm
		}
		if weak := weakIn(key, d.args[0]); len(weak) > 0 {
			f := model.Finding{RuleID: ruleBaseWeakCrypto, Subject: d.keyword() + " " + strings.Join(weak, ","),
				Evidence: model.Evidence{Path: d.file, Line: d.line, Text: d.text, Extra: map[string]string{"weak": strings.Join(weak, ",")}},
				Key:      ruleBaseWeakCrypto + "\x00" + key}
			env.Emit(f.WithSeverity(model.Medium))
		}
	}
	return ctx.Err()
}

// weakIn lists the weak algorithms a Ciphers/MACs/KexAlgorithms value
// enables: the list itself, or what it adds to the defaults ("+a,b"). A
// value that removes ("-") or prefers ("^") adds no weak algorithm the
// defaults lack.
func weakIn(key, val string) []string {
	if strings.HasPrefix(val, "-") {
		return nil
	}
	val = strings.TrimLeft(val, "+^")
	var out []string
	for _, a := range strings.Split(strings.ToLower(val), ",") {
		for _, w := range weakAlgos[key] {
			if a == w || strings.HasSuffix(w, "-") && strings.HasPrefix(a, w) {
				out = append(out, a)
				break
			}
		}
	}
	return out
}
