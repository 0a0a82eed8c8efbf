package app

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/sysinfo"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/vuln/advisory"
)

// FreshnessCheck is the check name of the advisory-data notices in a
// scan's gaps.
const FreshnessCheck = "vuln.data"

// AdvisoryFreshness is what a scan says about the store's vulnerability
// data for the target's release: nothing when the data is there and no
// older than maxAge (0: DefaultMaxDataAge); a gap saying so when the store
// holds none for the release, or saying how old it is. Targets whose
// operating system Vigil has no advisories for get nothing (vigil vuln
// says that itself), as does a store that cannot be read (the scan's own
// store errors are reported elsewhere).
func AdvisoryFreshness(ctx context.Context, st store.Advisories, t *target.Target, now time.Time, maxAge time.Duration) []model.Gap {
	rel := sysinfo.OSRelease(t)
	distro, release, ok := advisory.HostRelease(rel["ID"], rel["VERSION_ID"])
	if !ok {
		return nil
	}
	slices, err := st.AdvisorySlices(ctx)
	if err != nil {
		return nil
	}
	for _, s := range slices {
		if s.Distro == distro && s.Release == release {
			if g, stale := staleGap(distro, release, s.DataDate, now, maxAge); stale {
				return []model.Gap{g}
			}
			return nil
		}
	}
	return []model.Gap{{Check: FreshnessCheck, Kind: model.GapSkipped,
		Reason: fmt.Sprintf("no vulnerability data for %s %s in the store", distro, release),
		Msg:    model.Msg("vuln.gap.no-data", distro, release)}}
}

// staleGap is the notice that the data of a release dates from d, when
// that is older than maxAge (0: DefaultMaxDataAge).
func staleGap(distro, release string, d, now time.Time, maxAge time.Duration) (model.Gap, bool) {
	if maxAge <= 0 {
		maxAge = DefaultMaxDataAge
	}
	age := Age(d, now)
	if age <= maxAge {
		return model.Gap{}, false
	}
	days, limit := fmt.Sprint(int(age.Hours()/24)), fmt.Sprint(int(maxAge.Hours()/24))
	date := d.UTC().Format("2006-01-02")
	return model.Gap{Check: FreshnessCheck, Kind: model.GapSkipped,
		Reason: fmt.Sprintf("the vulnerability data for %s %s is %s days old (%s), older than %s days", distro, release, days, date, limit),
		Msg:    model.Msg("vuln.gap.stale", distro, release, days, date, limit)}, true
}
