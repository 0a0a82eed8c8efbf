package harden

import (
	"bufio"
	"bytes"
	"context"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Rule ids.
const (
	ruleMinLength = "harden.password.min-length"
	ruleMaxAge    = "harden.password.max-age"
	ruleFirewall  = "harden.firewall.none"
	ruleCoreDump  = "harden.coredump.enabled"
	ruleSysctl    = "harden.sysctl.unsafe"
	ruleUpdates   = "harden.updates.none"
)

// The seeds' and CIS benchmarks' numbers.
const (
	minPasswordLength = 12
	maxPasswordDays   = 365
)

// Detector is the system hardening baseline.
type Detector struct{}

// New returns the detector.
func New() *Detector { return &Detector{} }

// Name implements engine.Detector.
func (*Detector) Name() string { return "harden" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 3 }

// NeedsLive implements engine.Detector.
func (*Detector) NeedsLive() bool { return false }

// Rules implements engine.Detector.
func (*Detector) Rules() []string {
	return []string{ruleMinLength, ruleQuality, ruleMaxAge, ruleFirewall, ruleCoreDump, ruleSysctl, ruleUpdates, ruleWritableFile, ruleWritableDir, ruleListenAll,
		ruleAudit, ruleRetention, ruleVolatile, ruleTimeSync, ruleLockout, ruleTimeout, ruleUmask}
}

// maxConfig bounds one configuration file read.
const maxConfig = 1 << 20

type run struct {
	env  *engine.Env
	t    *target.Target
	pkgs map[string]bool // installed package names ("" map: unknown)
	view pkgdb.View
}

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	r := &run{env: env, t: env.Target}
	if v := inventory.Packages(env); v.Known() {
		r.view = v
		r.pkgs = map[string]bool{}
		for _, p := range v.DB.Packages() {
			r.pkgs[p.Name] = true
		}
	}
	walk := func() { r.worldWritable(ctx) }
	for _, step := range []func(){r.passwordLength, r.passwordQuality, r.passwordAge, r.firewall, r.coreDumps, r.sysctls, r.updates, r.listenAll,
		r.audit, r.logRetention, r.volatileLogs, r.timeSync, r.lockout, r.sessionTimeout, r.umask, walk} {
		if err := ctx.Err(); err != nil {
			return err
		}
		step()
	}
	return nil
}

// line is one meaningful line of a configuration file.
type line struct {
	file string
	n    int
	text string
}

// lines reads the non-comment lines of p (# comments); nil when p cannot
// be read (a gap is recorded for anything but a missing file).
func (r *run) lines(p string) []line {
	b, ok := r.t.ReadFileRec(r.env, p, maxConfig)
	if !ok {
		return nil
	}
	var out []line
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), maxConfig)
	n := 0
	for sc.Scan() {
		n++
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' || s[0] == ';' {
			continue
		}
		out = append(out, line{file: p, n: n, text: s})
	}
	return out
}

// exists reports whether p exists in the target (without following a
// final symlink: an enablement link counts even when dangling).
func (r *run) exists(p string) bool {
	_, err := r.t.Lstat(p)
	return err == nil
}

func (r *run) emit(rule, subject string, ev model.Evidence, sev model.Severity, conf model.Confidence) {
	f := model.Finding{RuleID: rule, Subject: subject, Evidence: ev, Key: rule + "\x00" + subject}
	r.env.Emit(f.WithSeverity(sev).WithConfidence(conf))
}

// installed reports whether a package of that name is installed; ok is
// false when the package database is unknown.
func (r *run) installed(names ...string) (yes, ok bool) {
	if r.pkgs == nil {
		return false, false
	}
	for _, n := range names {
		if r.pkgs[n] {
			return true, true
		}
	}
	return false, true
}

var minlenRe = lazyre.New(`(?:^|\s)minlen\s*=\s*(\d+)`)

// intArg returns the value of NAME=N in s.
func intArg(re *lazyre.Regexp, s string) (int, bool) {
	m := re.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	return n, err == nil
}
