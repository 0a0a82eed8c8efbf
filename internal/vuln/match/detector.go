package match

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/collect/netsock"
	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/collect/procs"
	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/vuln/advisory"
	"github.com/vigil-ir/vigil/internal/vuln/version"
)

// Rule ids.
const (
	RuleFixAvailable   = "vuln.package.fix-available"
	RuleNoFix          = "vuln.package.no-fix"
	RuleWontFix        = "vuln.package.wont-fix"
	RuleEndOfSupport   = "vuln.package.end-of-support"
	RuleRebootRequired = "vuln.kernel.reboot-required"
	RuleRestartProcess = "vuln.process.restart-required"
)

// RuleOf is the rule id of a status: one rule per status, never mixed.
func RuleOf(s advisory.Status) string {
	switch s {
	case advisory.Fixed:
		return RuleFixAvailable
	case advisory.WontFix:
		return RuleWontFix
	case advisory.EndOfSupport:
		return RuleEndOfSupport
	}
	return RuleNoFix
}

// Detector is the matcher on the engine. Slice is the advisory data of
// the target's release (the caller checked that it exists and is fresh);
// Done, when set, receives everything found, for the vulnerability report.
type Detector struct {
	Slice *advisory.Slice
	Done  func(Report)
}

// Report is a run's full result.
type Report struct {
	Result
	Packages      int       // installed packages examined
	RunningKernel string    // live: uname -r; "" offline
	Restarts      []Restart // live: processes running replaced package files
	RebootFor     string    // live: the newer installed kernel package, "" when none
}

// Restart is a process still running code of replaced package files.
type Restart struct {
	PID      int      `json:"pid"`
	Exe      string   `json:"exe"`
	Packages []string `json:"packages"`
	Files    []string `json:"files"`
}

// Name implements engine.Detector.
func (d *Detector) Name() string { return "vuln" }

// Version implements engine.Detector.
func (d *Detector) Version() int { return 1 }

// NeedsLive implements engine.Detector: packages are matched on a root
// too; the running kernel, exposure and restarts only live.
func (d *Detector) NeedsLive() bool { return false }

// Rules implements engine.Detector.
func (d *Detector) Rules() []string {
	return []string{RuleFixAvailable, RuleNoFix, RuleWontFix, RuleEndOfSupport, RuleRebootRequired, RuleRestartProcess}
}

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	if d.Slice == nil {
		return fmt.Errorf("no advisory data given")
	}
	view := inventory.Packages(env)
	if !view.Known() {
		return fmt.Errorf("no package database")
	}
	pkgs := view.DB.Packages()
	host := Host{Distro: d.Slice.Distro, Release: d.Slice.Release}
	rep := Report{Packages: len(pkgs)}
	fam := advisory.Family(host.Distro)
	if env.Target.IsLive() {
		if b, ok := env.ReadFile("/proc/sys/kernel/osrelease"); ok {
			rep.RunningKernel = strings.TrimSpace(string(b))
		}
		var newer string
		host.SkipKernel, newer = kernels(fam, pkgs, rep.RunningKernel)
		if newer != "" {
			rep.RebootFor = newer
			env.Emit(model.Finding{RuleID: RuleRebootRequired, Subject: "kernel " + rep.RunningKernel, Key: "kernel",
				Evidence: model.Evidence{Text: "running " + rep.RunningKernel + "; installed " + newer, Package: newer}})
		}
		snap := engine.Shared(env, "procs", procs.Load)
		host.Exposed = exposure(snap, engine.Shared(env, "netsock", netsock.Load), view, pkgs, fam)
		rep.Restarts = restarts(ctx, env, snap, view)
		for _, r := range rep.Restarts {
			env.Emit(model.Finding{RuleID: RuleRestartProcess, Subject: fmt.Sprintf("pid %d (%s)", r.PID, r.Exe),
				Key:      r.Exe + "\x00" + strings.Join(r.Packages, ","),
				Evidence: model.Evidence{PID: r.PID, Path: r.Files[0], Package: strings.Join(r.Packages, ","), Text: strings.Join(r.Files, " ")}})
		}
	}
	rep.Result = Packages(pkgs, d.Slice, host)
	for _, p := range rep.Unparsable {
		env.GapMsg(model.GapError, "", model.Msg("vuln.gap.version", p))
	}
	for _, m := range rep.Matches {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		env.Emit(finding(m))
	}
	if d.Done != nil {
		d.Done(rep)
	}
	return nil
}

// finding is a match as a finding: evidence, never prose.
func finding(m Match) model.Finding {
	ex := map[string]string{"vulnerability": m.Vuln, "advisories": strings.Join(m.IDs, " "), "installed": m.Installed,
		"status": string(m.Status), "severity_from": m.SeverityFrom, "priority": strconv.Itoa(m.Priority)}
	if m.Fixed != "" {
		ex["fixed"] = m.Fixed
	}
	if m.CVSS != nil {
		ex["cvss"], ex["cvss_vector"] = strconv.FormatFloat(m.CVSS.Score, 'f', 1, 64), m.CVSS.Vector
	}
	if m.KEV != nil {
		ex["kev_due"] = m.KEV.DueDate
	}
	if m.EPSS != nil {
		ex["epss"], ex["epss_percentile"] = strconv.FormatFloat(m.EPSS.Score, 'f', 5, 64), strconv.FormatFloat(m.EPSS.Percentile, 'f', 5, 64)
	}
	if len(m.Exposed) > 0 {
		ex["listening"] = strings.Join(m.Exposed, " ")
	}
	text := m.Vuln + " " + m.Package + " " + m.Installed
	if m.Fixed != "" {
		text += " < " + m.Fixed
	}
	return model.Finding{RuleID: RuleOf(m.Status), Subject: m.Package + " " + m.Vuln, Key: m.Package + "\x00" + m.Vuln,
		Evidence: model.Evidence{Package: strings.Join(m.Binaries, ","), Text: text, Extra: ex}}.WithSeverity(m.Severity)
}

// kernels decides which installed kernel images are not running (their
// vulnerabilities are not the host's) and whether a newer one than the
// running kernel is installed (a reboot is due). With no running kernel
// known, nothing is skipped.
func kernels(fam string, pkgs []pkgdb.Package, running string) (skip map[string]bool, newer string) {
	if running == "" {
		return nil, ""
	}
	skip = map[string]bool{}
	var run *pkgdb.Package
	var images []pkgdb.Package
	for i, p := range pkgs {
		name := bareName(p.Name)
		if !IsKernelImage(fam, name) {
			continue
		}
		images = append(images, p)
		if runs(fam, p, running) {
			run = &pkgs[i]
		} else {
			skip[KernelKey(p)] = true
		}
	}
	if run == nil {
		return skip, ""
	}
	var best *pkgdb.Package // the newest image newer than the running one
	for i, p := range images {
		if KernelKey(p) == KernelKey(*run) {
			continue
		}
		if c, err := compareKernels(fam, p, *run); err != nil || c <= 0 {
			continue
		}
		if best == nil {
			best = &images[i]
		} else if c, err := compareKernels(fam, p, *best); err == nil && (c > 0 || c == 0 && p.Name > best.Name) {
			best = &images[i]
		}
	}
	if best != nil {
		newer = bareName(best.Name) + " " + best.Version
	}
	return skip, newer
}

// runs reports whether kernel image package p is the running kernel.
func runs(fam string, p pkgdb.Package, running string) bool {
	name := bareName(p.Name)
	switch fam {
	case "dpkg":
		return name == "linux-image-"+running || name == "linux-image-"+running+"-unsigned"
	case "rpm":
		v := p.Version
		if i := strings.IndexByte(v, ':'); i >= 0 {
			v = v[i+1:]
		}
		return running == v+"."+p.Arch || running == v
	case "apk":
		flavour := strings.TrimPrefix(name, "linux-")
		return running == strings.Replace(p.Version, "-r", "-", 1)+"-"+flavour
	}
	return false
}

// compareKernels orders two kernel image packages: dpkg's are versioned
// by their ABI in the name (linux-image-6.1.0-28-amd64), so the package
// version decides.
func compareKernels(fam string, a, b pkgdb.Package) (int, error) {
	return version.Compare(fam, a.Version, b.Version)
}

// exposure maps source packages to their listening processes.
func exposure(snap *procs.Snapshot, tb *netsock.Table, view pkgdb.View, pkgs []pkgdb.Package, fam string) map[string][]string {
	byName := map[string]pkgdb.Package{}
	for _, p := range pkgs {
		byName[p.Name] = p
	}
	out := map[string][]string{}
	for _, p := range snap.Procs {
		if p.Kernel || p.Exe == "" {
			continue
		}
		var ports []string
		for _, ino := range p.Sockets {
			s, ok := tb.ByInode(ino)
			if !ok || !s.Listening() {
				continue
			}
			ports = append(ports, fmt.Sprintf("%s:%d/%s", p.Name, s.Local.Port(), strings.TrimSuffix(s.Proto, "6")))
		}
		if len(ports) == 0 {
			continue
		}
		owner := view.Owner(procs.ExePath(p))
		pk, ok := byName[owner]
		if !ok {
			continue
		}
		src := pk.SourceName()
		if fam == "rpm" {
			src = bareName(pk.Name)
		}
		for _, port := range ports {
			if !contains(out[src], port) {
				out[src] = append(out[src], port)
			}
		}
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// mapsLimit bounds one /proc/PID/maps (a JVM maps thousands of regions).
const mapsLimit = 16 << 20

// restarts finds processes that run a deleted package executable or map
// a deleted package library: they still run the code an upgrade replaced.
func restarts(ctx context.Context, env *engine.Env, snap *procs.Snapshot, view pkgdb.View) []Restart {
	var out []Restart
	for _, p := range snap.Procs {
		if ctx.Err() != nil || p.Kernel {
			break
		}
		r := Restart{PID: p.PID, Exe: p.Exe}
		add := func(path string) {
			owner := view.Owner(path)
			if owner == "" || owner == model.NoPackage || contains(r.Files, path) {
				return
			}
			r.Files = append(r.Files, path)
			if !contains(r.Packages, owner) {
				r.Packages = append(r.Packages, owner)
			}
		}
		if p.ExeDeleted && p.Exe != "" {
			add(p.Exe)
		}
		b, err := env.Target.ReadFile("/proc/"+strconv.Itoa(p.PID)+"/maps", mapsLimit)
		if err == nil {
			maps, _ := procs.ParseMaps(b)
			for _, m := range maps {
				if m.Deleted && m.Exec() && strings.Contains(m.Path, ".so") {
					add(m.Path)
				}
			}
		}
		if len(r.Files) > 0 {
			sort.Strings(r.Packages)
			out = append(out, r)
		}
	}
	return out
}
