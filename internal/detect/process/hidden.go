package process

import (
	"context"
	"strconv"

	"github.com/vigil-ir/vigil/internal/collect/procs"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/model"
)

// hidden reports processes that /proc answers for but does not list: the
// mark of a rootkit hooking getdents (Diamorphine, Reptile, the
// libprocesshider family when preloaded into the scanner's view).
func (r *run) hidden(ctx context.Context, d *Detector) error {
	hs, err := procs.FindHidden(ctx, r.t, r.env, procs.HiddenOptions{Lister: d.Lister, Delay: d.RecheckDelay})
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		r.env.GapMsg(model.GapError, "/proc", model.Msg("process.gap.probe", err))
		return nil
	}
	for _, h := range hs {
		if h.PID == r.self {
			continue
		}
		p, err := procs.ReadOne(r.t, r.env, h.PID)
		if err != nil || p == nil {
			// It answered twice but cannot be read: still report it.
			p = &procs.Process{PID: h.PID, UID: -1, EUID: -1, Name: "?"}
		}
		f := r.finding(ruleHidden, p, r.pkgOf(p), indHiddenProc)
		f.Evidence.Extra["found_by"] = h.Via
		if h.Parent > 0 {
			f.Evidence.Extra["listed_parent"] = strconv.Itoa(h.Parent)
		}
		if p.Exe != "" && places.Odd(p.Exe) {
			f.Indicators = append(f.Indicators, placeIndicators(p.Exe)...)
		}
		f.Key = "hidden\x00" + f.Key
		r.env.Emit(f)
	}
	return nil
}
