package app

import (
	"context"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/suppress"
)

// SuppressionImpact counts, by severity, the findings of the store's latest
// scan that s would hide: what a person is told before a broad suppression
// (suppress.Suppression.Broad) is added. ok is false when the store holds
// no scan yet.
func SuppressionImpact(ctx context.Context, st store.Store, s suppress.Suppression) (latest store.ScanInfo, counts map[model.Severity]int, ok bool, err error) {
	scans, err := st.Scans(ctx, store.ScanQuery{Limit: 1})
	if err != nil || len(scans) == 0 {
		return latest, nil, false, err
	}
	latest = scans[0]
	r, err := st.Result(ctx, latest.ID)
	if err != nil {
		return latest, nil, false, err
	}
	s.Until, s.Removed = time.Time{}, time.Time{} // what it matches, not when
	set, err := suppress.NewSet([]suppress.Suppression{s}, nil)
	if err != nil {
		return latest, nil, false, err
	}
	counts = map[model.Severity]int{}
	for i := range r.Findings {
		if _, hit := set.Match(&r.Findings[i]); hit {
			counts[r.Findings[i].Severity]++
		}
	}
	return latest, counts, true, nil
}
