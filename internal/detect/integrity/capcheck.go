package integrity

import (
	"errors"
	"path"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// capAttr is the extended attribute holding file capabilities.
const capAttr = "security.capability"

// capabilities judges the file capabilities of the regular file p like a
// setuid bit: a program that gains cap_setuid, cap_dac_read_search or
// cap_sys_admin at exec is a root backdoor without an s in ls -l. A file
// no package installed is reported; a packaged one only when it holds
// more than a stock install gives a program of its name.
func (w *walker) capabilities(p string, raw []byte, err error) {
	if err != nil {
		if !errors.Is(err, target.ErrNoAttr) {
			target.Record(w.env, p, err)
		}
		return
	}
	fc, err := ParseFileCaps(raw)
	if err != nil {
		w.env.GapMsg(model.GapError, p, model.Msg("integrity.gap.capability", err))
		return
	}
	all := fc.Permitted | fc.Inheritable
	if all == 0 {
		return
	}
	known := w.db.Format() != ""
	owner, owned := w.db.Owner(p)
	stock, named := stockCaps[path.Base(p)]
	loc := w.locationIndicators(p)
	rootish := all&rootEquivalent != 0

	var rule string
	sev, conf := model.Medium, model.ConfMedium
	inds := []string{indFileCaps}
	switch {
	case owned:
		extra := all &^ stock
		if named && extra == 0 {
			return // what the distribution sets
		}
		rule = ruleCapsPackaged
		if extra&rootEquivalent != 0 {
			sev = model.High
		}
	case len(loc) > 0:
		rule, sev, conf = ruleCapsUnowned, model.Critical, model.ConfHigh
	case !known:
		if (named && all&^stock == 0) || !rootish {
			return // without a package database every such file looks unowned
		}
		rule, conf = ruleCapsUnowned, model.ConfLow
	default:
		rule = ruleCapsUnowned
		if rootish {
			sev = model.High
		}
	}
	if !owned && known {
		inds = append(inds, indNotPackaged)
	}
	inds = append(inds, loc...)
	ev := w.facts(p, nil).evidence(p, packageField(owner, owned, known))
	ev.Text = p + " " + fc.String()
	ev.Extra["capabilities"] = fc.String()
	if rootish {
		ev.Extra["root_equivalent"] = joinNames(CapNames(all & rootEquivalent))
	}
	if owned && named {
		ev.Extra["stock_capabilities"] = joinNames(CapNames(stock))
	}
	if fc.Revision == 3 && fc.RootID != 0 {
		ev.Extra["namespace_root_uid"] = strconv.FormatUint(uint64(fc.RootID), 10)
	}
	w.env.Emit(model.Finding{RuleID: rule, Subject: p, Indicators: inds, Evidence: ev, Key: p}.
		WithSeverity(sev).WithConfidence(conf))
}

// joinNames joins capability names like getcap does.
func joinNames(n []string) string { return strings.Join(n, ",") }

// packageField is Evidence.Package for a file: its owner, model.NoPackage
// when the database was read and no package owns it, "" when unknown.
func packageField(owner string, owned, known bool) string {
	switch {
	case owned:
		return owner
	case known:
		return model.NoPackage
	}
	return ""
}
