package app

import (
	"context"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/vuln/advisory"
)

// DefaultMaxDataAge is how old advisory data may be before a vulnerability
// scan refuses to call a host clean (vigil vuln --max-age).
const DefaultMaxDataAge = 7 * 24 * time.Hour

// ImportAdvisoryFiles parses every path (an OSV zip or directory, Debian
// tracker JSON, KEV JSON, EPSS CSV; see advisory.Parse) and then writes
// them. Every file is parsed before anything is written: one damaged file
// rejects the whole command and the store keeps its previous data.
func ImportAdvisoryFiles(ctx context.Context, st store.Advisories, paths []string) ([]store.ImportStats, error) {
	var batches []*advisory.Batch
	for _, p := range paths {
		bs, err := advisory.ParseFile(p)
		if err != nil {
			return nil, &MsgError{Msg: model.Msg("vuln.err.import-rejected", p, err.Error())}
		}
		batches = append(batches, bs...)
	}
	return importBatches(ctx, st, batches)
}

// importBatches writes parsed batches in order, after every input parsed;
// the stats of those written are returned with the first error.
func importBatches(ctx context.Context, st store.Advisories, batches []*advisory.Batch) ([]store.ImportStats, error) {
	var out []store.ImportStats
	for _, b := range batches {
		s, err := st.ImportAdvisories(ctx, b)
		if err != nil {
			return out, err
		}
		out = append(out, s)
	}
	return out, nil
}

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
