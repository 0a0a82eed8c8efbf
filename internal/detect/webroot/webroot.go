package webroot

import (
	"context"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/collect/webroots"
	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Rule ids.
const (
	ruleDiscovered  = "web.root.discovered"
	ruleExecImage   = "web.config.exec-image"
	ruleAutoPrepend = "web.config.auto-prepend"
	ruleGitHook     = "web.git.hook"
)

// Detector is the web root check.
type Detector struct{}

// New returns the detector.
func New() *Detector { return &Detector{} }

// Name implements engine.Detector.
func (*Detector) Name() string { return "webroot" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 2 }

// NeedsLive implements engine.Detector.
func (*Detector) NeedsLive() bool { return false }

// Rules implements engine.Detector.
func (*Detector) Rules() []string {
	return []string{ruleDiscovered, ruleExecImage, ruleAutoPrepend, ruleGitHook}
}

type run struct {
	env *engine.Env
	t   *target.Target
	pk  pkgdb.View
}

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	r := &run{env: env, t: env.Target, pk: inventory.Packages(env)}
	inv := inventory.WebRoots(env)
	r.discovered(inv)
	for _, e := range inv.Apache {
		r.judgeApache(e.File, e.Active, e.D, "")
	}
	r.judgeNginx(inv.Nginx)
	r.phpConfig()
	if err := ctx.Err(); err != nil {
		return err
	}
	return r.walkRoots(ctx)
}

var _ engine.Walker = (*Detector)(nil)

// Walks implements engine.Walker: the web roots, from the scan's one walk.
func (d *Detector) Walks(env *engine.Env) []target.WalkSpec {
	return []target.WalkSpec{walkSpec(inventory.WebRoots(env).WalkRoots())}
}

// discovered lists every web root as context for the responder.
func (r *run) discovered(inv *webroots.Inventory) {
	for _, root := range inv.Roots {
		ev := model.Evidence{Path: root.Resolved, Extra: map[string]string{"server": root.Server}}
		if root.Source != "" {
			ev.Path, ev.Line, ev.Text = root.Source, root.Line, root.Text
			ev.Extra["root"] = root.Resolved
			if !root.Active {
				ev.Extra["active"] = "no (file not loaded by the server's main configuration)"
			}
		} else {
			ev.Note = model.Msg("webroot.note.usual-location")
		}
		if root.Path != root.Resolved {
			ev.Extra["configured_as"] = root.Path
		}
		if !root.Walk {
			ev.Extra["walked"] = "no"
		}
		r.env.Emit(model.Finding{RuleID: ruleDiscovered, Subject: root.Resolved, Evidence: ev, Key: "webroot:" + root.Resolved})
	}
}

// confReadLimit bounds the configuration files read here (as discovery does).
const confReadLimit = 4 << 20
