package app

import (
	"context"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/sysinfo"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/vuln/advisory"
	"github.com/vigil-ir/vigil/internal/vuln/match"
	"github.com/vigil-ir/vigil/internal/vuln/policy"
)

// VulnOptions tune VulnScan.
type VulnOptions struct {
	Target  *target.Target
	Catalog *catalog.Catalog
	Now     func() time.Time
	// MaxAge is how old the release's advisory data may be; older data
	// refuses the scan (0: DefaultMaxDataAge, negative: any age).
	MaxAge time.Duration
	// State, when set, keeps the lifecycle: the scan is recorded (first
	// seen, due dates, fixed when gone) and each row carries its state.
	State store.VulnState
	SLA   policy.SLA // nil: policy.Default()
	Actor store.Actor
}

// VulnRow is one vulnerability of the report: the match, and the
// finding the engine made of it (fingerprint, rule).
type VulnRow struct {
	match.Match
	Rule        string `json:"rule_id"`
	Fingerprint string `json:"fingerprint"`
	// The lifecycle (with a store): row id, state, dates.
	ID        int64               `json:"id,omitempty"`
	State     store.VulnStateName `json:"state,omitempty"`
	FirstSeen time.Time           `json:"first_seen,omitzero"`
	Due       time.Time           `json:"due,omitzero"`
	Overdue   bool                `json:"overdue,omitempty"`
	Reason    string              `json:"reason,omitempty"`
	Until     time.Time           `json:"until,omitzero"`
}

// VulnReport is the result of one vulnerability scan.
type VulnReport struct {
	Target          model.TargetInfo      `json:"target"`
	Distro          string                `json:"distro"`
	Release         string                `json:"release"`
	Packages        int                   `json:"packages"`
	Sources         []advisory.SourceInfo `json:"sources"`
	Started         time.Time             `json:"started"`
	RunningKernel   string                `json:"running_kernel,omitempty"`
	RebootFor       string                `json:"reboot_for,omitempty"`
	Vulnerabilities []VulnRow             `json:"vulnerabilities"`
	Restarts        []match.Restart       `json:"restarts,omitempty"`
	// Findings are the restart and reboot findings (the vulnerabilities
	// are in Vulnerabilities).
	Findings []model.Finding `json:"findings,omitempty"`
	Gaps     []model.Gap     `json:"gaps,omitempty"`
}

// Count returns how many vulnerabilities have status s.
func (r *VulnReport) Count(s advisory.Status) int {
	n := 0
	for _, v := range r.Vulnerabilities {
		if v.Status == s {
			n++
		}
	}
	return n
}

// VulnScan matches the target's packages against the advisory data of its
// release. It refuses (a *MsgError) rather than report a clean host when
// the operating system is not one Vigil has advisories for, or the store
// holds no data for its release, or the data is older than MaxAge.
func VulnScan(ctx context.Context, st store.Advisories, opt VulnOptions) (*VulnReport, error) {
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	rep := &VulnReport{Target: sysinfo.Describe(opt.Target), Started: now().UTC(), Vulnerabilities: []VulnRow{}}
	rel := sysinfo.OSRelease(opt.Target)
	distro, release, ok := advisory.HostRelease(rel["ID"], rel["VERSION_ID"])
	if !ok {
		return nil, &MsgError{Msg: model.Msg("vuln.err.unknown-os", orDash(rel["ID"]), orDash(rel["VERSION_ID"]))}
	}
	rep.Distro, rep.Release = distro, release
	sl, err := st.AdvisorySlice(ctx, distro, release)
	if err != nil {
		return nil, err
	}
	if len(sl.Affected) == 0 {
		return nil, &MsgError{Msg: model.Msg("vuln.err.no-slice", distro, release)}
	}
	rep.Sources = sliceSources(sl)
	maxAge := opt.MaxAge
	if maxAge == 0 {
		maxAge = DefaultMaxDataAge
	}
	var notices []model.Gap // data accepted at any age, but older than the default: say how old
	for _, s := range rep.Sources {
		if maxAge > 0 && Age(s.DataDate, now()) > maxAge {
			return nil, &MsgError{Msg: model.Msg("vuln.err.stale", s.Name, distro, release, s.DataDate.UTC().Format("2006-01-02"), maxAge.String())}
		}
		if g, stale := staleGap(distro, release, s.DataDate, now(), 0); stale && len(notices) == 0 {
			notices = append(notices, g)
		}
	}
	var result match.Report
	det := &match.Detector{Slice: sl, Done: func(r match.Report) { result = r }}
	sink := &vulnSink{keys: map[string]model.Finding{}}
	e := engine.Engine{Catalog: opt.Catalog, Detectors: []engine.Detector{det}, Options: engine.Options{MaxPerRule: -1, Now: now}}
	sts := e.Run(ctx, opt.Target, rep.Target, sink)
	rep.Gaps = append(notices, sink.gaps...)
	if len(sts) == 1 && sts[0].Status != "ok" {
		return nil, &MsgError{Msg: model.Msg("vuln.err.failed", sts[0].Status, firstReason(sink.gaps))}
	}
	rep.Packages, rep.RunningKernel, rep.RebootFor, rep.Restarts = result.Packages, result.RunningKernel, result.RebootFor, result.Restarts
	for _, m := range result.Matches {
		f := sink.keys[m.Package+"\x00"+m.Vuln]
		rep.Vulnerabilities = append(rep.Vulnerabilities, VulnRow{Match: m, Rule: match.RuleOf(m.Status), Fingerprint: f.Fingerprint})
	}
	rep.Findings = sink.other
	if opt.State != nil {
		if err := recordVulns(ctx, opt, rep, result.Unparsable, now()); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// recordVulns saves the scan in the lifecycle and copies each row's state
// into the report. Packages whose versions did not parse keep their rows.
func recordVulns(ctx context.Context, opt VulnOptions, rep *VulnReport, unparsable []string, now time.Time) error {
	sla := opt.SLA
	if sla == nil {
		sla = policy.Default()
	}
	keep := map[string]bool{}
	for _, u := range unparsable {
		name, _, _ := strings.Cut(u, " ")
		keep[name] = true
	}
	obs := make([]store.VulnObservation, 0, len(rep.Vulnerabilities))
	for _, v := range rep.Vulnerabilities {
		obs = append(obs, store.VulnObservation{Key: vulnKey(v.Match), VulnID: v.Vuln, Package: v.Package, Severity: v.Severity,
			Status: string(v.Status), Fixed: v.Fixed, Installed: v.Installed, KEV: v.KEV != nil})
	}
	recs, err := opt.State.RecordVulns(ctx, rep.Target.ID(), obs, keep, sla.Due, opt.Actor)
	if err != nil {
		return err
	}
	byKey := map[string]store.VulnRecord{}
	for _, r := range recs {
		byKey[r.Key] = r
	}
	for i := range rep.Vulnerabilities {
		v := &rep.Vulnerabilities[i]
		r := byKey[vulnKey(v.Match)]
		v.ID, v.State, v.FirstSeen, v.Due, v.Overdue, v.Reason, v.Until = r.ID, r.State, r.FirstSeen, r.Due, r.Overdue(now), r.Reason, r.Until
	}
	return nil
}

// vulnKey identifies a vulnerability of a package across rescans.
func vulnKey(m match.Match) string { return m.Package + " " + m.Vuln }

// sliceSources keeps the sources that speak for the release (its
// advisories, KEV and EPSS), for the report's data statement.
func sliceSources(sl *advisory.Slice) []advisory.SourceInfo {
	used := map[string]bool{"kev": true, "epss": true}
	for _, a := range sl.Affected {
		used[a.Source] = true
	}
	var out []advisory.SourceInfo
	for _, s := range sl.Sources {
		if used[s.Name] {
			out = append(out, s)
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func firstReason(gaps []model.Gap) string {
	if len(gaps) == 0 {
		return "-"
	}
	return gaps[0].Reason
}

// vulnSink keeps the engine's findings: vulnerability findings by their
// key, the others (restart, reboot) as they come.
type vulnSink struct {
	keys  map[string]model.Finding
	other []model.Finding
	gaps  []model.Gap
}

func (s *vulnSink) Finding(f model.Finding) {
	switch f.RuleID {
	case match.RuleRebootRequired, match.RuleRestartProcess:
		s.other = append(s.other, f)
	default:
		s.keys[f.Key] = f
	}
}

func (s *vulnSink) Gap(g model.Gap) { s.gaps = append(s.gaps, g) }
