package hooks

import (
	"bytes"
	"context"
	"path"
	"sort"
	"strings"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/grade/cmdscan"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/grade/shscript"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Rule ids: per family, a suspicious command, and a hook no package
// installed (or changed since).
const (
	ruleUdevCommand    = "persistence.udev.command"
	ruleUdevUnowned    = "persistence.udev.unowned"
	ruleMotdCommand    = "persistence.motd.command"
	ruleMotdUnowned    = "persistence.motd.unowned"
	rulePkgHookCommand = "persistence.pkghook.command"
	rulePkgHookUnowned = "persistence.pkghook.unowned"
	ruleNetCommand     = "persistence.netif.command"
	ruleNetUnowned     = "persistence.netif.unowned"
)

// Indicator ids this package adds (texts in rules/indicators.yaml).
const (
	indWritable    = "writable-location"
	indHidden      = "hidden-location"
	indNotPackaged = "not-from-package"
	indModified    = "modified-package-file"
	indShell       = "shell-interpreter"
	indNetworkTool = "network-tool"
	indCompiled    = "compiled-program"
)

// Detector is the event-hook check.
type Detector struct{}

// New returns the detector.
func New() *Detector { return &Detector{} }

// Name implements engine.Detector.
func (*Detector) Name() string { return "hooks" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 1 }

// NeedsLive implements engine.Detector.
func (*Detector) NeedsLive() bool { return false }

// Rules implements engine.Detector.
func (*Detector) Rules() []string {
	return []string{ruleUdevCommand, ruleUdevUnowned, ruleMotdCommand, ruleMotdUnowned,
		rulePkgHookCommand, rulePkgHookUnowned, ruleNetCommand, ruleNetUnowned}
}

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	r := &run{env: env, t: env.Target, pk: inventory.Packages(env)}
	for _, step := range []func(){r.udev, r.motd, r.apt, r.dpkg, r.netScripts, r.interfaces} {
		if err := ctx.Err(); err != nil {
			return err
		}
		step()
	}
	return nil
}

type run struct {
	env *engine.Env
	t   *target.Target
	pk  pkgdb.View
}

const readLimit = 4 << 20

func (r *run) read(p string) ([]byte, bool) { return r.t.ReadFileRec(r.env, p, readLimit) }

// ownership returns the owning package of p and whether the file is
// exactly as its package shipped it.
func (r *run) ownership(p string) (pkg string, pristine bool) {
	pkg = r.pk.Owner(p)
	if pkg != "" && pkg != model.NoPackage {
		pristine = r.pk.Pristine(p)
	}
	return pkg, pristine
}

// cmdVerdict grades a command string a hook runs as root.
type cmdVerdict struct {
	sev        model.Severity
	conf       model.Confidence
	ind        []string
	suspicious bool // worth a finding on its own, owned file or not
}

func (v *cmdVerdict) raise(s model.Severity, c model.Confidence, ind string) {
	if !v.suspicious || s > v.sev || (s == v.sev && c > v.conf) {
		v.sev, v.conf = s, c
	}
	v.suspicious = true
	v.add(ind)
}

func (v *cmdVerdict) add(ind string) {
	if ind != "" && !contains(v.ind, ind) {
		v.ind = append(v.ind, ind)
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

var shells = map[string]bool{"sh": true, "bash": true, "dash": true, "zsh": true, "ash": true, "ksh": true, "busybox": true}

// networkTools reach other hosts or run code given on the command line.
var networkTools = map[string]bool{
	"curl": true, "wget": true, "nc": true, "ncat": true, "netcat": true, "socat": true, "telnet": true,
	"ssh": true, "scp": true, "ftp": true, "tftp": true, "openssl": true, "rsync": true,
}

// oneLiners run code from their arguments.
var oneLiners = map[string]string{"python": "-c", "python2": "-c", "python3": "-c", "perl": "-e", "ruby": "-e", "php": "-r", "node": "-e", "lua": "-e"}

// judgeCommand grades a command string. relDir resolves a program named
// without a directory (udev looks in /usr/lib/udev); "" leaves it alone.
func (r *run) judgeCommand(cmd, relDir string, depth int) cmdVerdict {
	var v cmdVerdict
	for _, m := range cmdscan.Scan(cmd) {
		v.raise(m.Severity, m.Confidence, m.ID)
	}
	for _, c := range shscript.Commands(cmd) {
		w := c.Words
		if len(w) == 0 {
			continue
		}
		head := w[0]
		if strings.Contains(head, "$") || strings.Contains(head, "%") {
			continue
		}
		base := path.Base(head)
		switch {
		case shells[base]:
			v.add(indShell)
			if base == "busybox" && len(w) > 1 {
				base = w[1]
			}
			for i, a := range w {
				if a == "-c" && i+1 < len(w) && depth < 2 {
					inner := r.judgeCommand(w[i+1], relDir, depth+1)
					for _, id := range inner.ind {
						v.add(id)
					}
					if inner.suspicious {
						v.raise(inner.sev, inner.conf, "")
					}
				}
			}
			if len(w) > 1 && !strings.HasPrefix(w[1], "-") {
				r.judgeProgram(&v, w[1], relDir) // sh /tmp/x.sh
			}
			continue
		case networkTools[base] || (base == "busybox" && len(w) > 1 && networkTools[w[1]]):
			v.raise(model.High, model.ConfMedium, indNetworkTool)
		}
		if flag, ok := oneLiners[strings.TrimRight(base, "0123456789.")]; ok {
			for _, a := range w[1:] {
				if a == flag {
					v.raise(model.High, model.ConfMedium, indNetworkTool)
				}
			}
		}
		r.judgeProgram(&v, head, relDir)
	}
	sort.Strings(v.ind)
	return v
}

// judgeProgram grades the program a hook runs by where it lives.
func (r *run) judgeProgram(v *cmdVerdict, prog, relDir string) {
	if !strings.Contains(prog, "/") {
		if relDir == "" {
			return
		}
		prog = path.Join(relDir, prog)
	}
	if !strings.HasPrefix(prog, "/") {
		return
	}
	if places.Temporary(prog) || r.worldWritable(prog) {
		v.raise(model.Critical, model.ConfHigh, indWritable)
		return
	}
	if hid := places.Hidden(prog) != ""; hid {
		v.raise(model.Critical, model.ConfHigh, indHidden)
		return
	}
	if _, err := r.t.Stat(prog); err == nil && r.pk.Owner(prog) == model.NoPackage {
		v.add(indNotPackaged)
	}
}

func (r *run) worldWritable(p string) bool {
	st, err := r.t.Stat(p)
	return err == nil && st.Mode().Perm()&0o002 != 0 && !st.IsDir()
}

// emit sends one finding.
func (r *run) emit(rule, subject string, ev model.Evidence, ind []string, sev model.Severity, conf model.Confidence) {
	if ev.User == "" {
		ev.User = "root"
	}
	f := model.Finding{RuleID: rule, Subject: subject, Indicators: ind, Evidence: ev}
	r.env.Emit(f.WithSeverity(sev).WithConfidence(conf))
}

// isELF reports whether b is a compiled program.
func isELF(b []byte) bool { return bytes.HasPrefix(b, []byte("\x7fELF")) }

// withInd returns ind with id added once, sorted.
func withInd(ind []string, id string) []string {
	out := append([]string(nil), ind...)
	if !contains(out, id) {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}
