package app

import (
	"context"
	"time"

	"github.com/vigil-ir/vigil/internal/store"
)

// DefaultMaxDataAge is how old advisory data may be before a vulnerability
// scan refuses to call a host clean (vigil vuln --max-age).
const DefaultMaxDataAge = 7 * 24 * time.Hour

// DBStatus is what `vigil db status` shows.
type DBStatus struct {
	Sources []store.SourceStatus `json:"sources"`
	Slices  []store.SliceStatus  `json:"releases"`
}

// AdvisoryStatus reads the sources and per-release slices of the store.
func AdvisoryStatus(ctx context.Context, st store.Advisories) (DBStatus, error) {
	var s DBStatus
	var err error
	if s.Sources, err = st.AdvisorySources(ctx); err != nil {
		return s, err
	}
	s.Slices, err = st.AdvisorySlices(ctx)
	if s.Sources == nil {
		s.Sources = []store.SourceStatus{}
	}
	if s.Slices == nil {
		s.Slices = []store.SliceStatus{}
	}
	return s, err
}

// Age is how old data dated d is at now, rounded to hours, never negative.
func Age(d, now time.Time) time.Duration {
	if d.IsZero() || d.After(now) {
		return 0
	}
	return now.Sub(d).Round(time.Hour)
}
