package app

import (
	"context"
	"fmt"
	"strconv"

	"github.com/vigil-ir/vigil/internal/diff"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/report"
	"github.com/vigil-ir/vigil/internal/store"
)

// ShowScan replays the saved scan ref into h through view: what a person sees
// of it today (current suppressions, threshold). It returns the summary of
// what was shown.
func ShowScan(ctx context.Context, st store.Store, ref string, view ViewOptions, h report.Handler) (model.Summary, error) {
	info, err := st.Scan(ctx, ref)
	if err != nil {
		return model.Summary{}, err
	}
	r, err := st.Result(ctx, info.ID)
	if err != nil {
		return model.Summary{}, err
	}
	shown := *r
	shown.Findings = nil
	sum := model.Summary{Counts: map[model.Severity]int{}, Gaps: len(r.Gaps), Folded: r.Summary.Folded, Checks: r.Summary.Checks}
	for _, f := range r.Findings {
		switch view.Verdict(&f) {
		case Hide:
			sum.Suppressed++
			countSuppressed(&sum, f.Severity)
			continue
		case Filtered:
			sum.Hidden++
			continue
		case ShowSuppressed:
			sum.Suppressed++
			countSuppressed(&sum, f.Severity)
		default:
			sum.Counts[f.Severity]++
			sum.Total++
		}
		shown.Findings = append(shown.Findings, f)
	}
	shown.Summary = sum
	return sum, report.Replay(&shown, h)
}

// countSuppressed adds a suppressed finding of severity sev to sum's
// counts by severity.
func countSuppressed(sum *model.Summary, sev model.Severity) {
	if sum.SuppressedCounts == nil {
		sum.SuppressedCounts = map[model.Severity]int{}
	}
	sum.SuppressedCounts[sev]++
}

// DiffScans compares two saved scans. With no refs it takes the newest
// scan and the one before it of the same target; with one ref, that scan
// and its predecessor. Two given scans of different targets are refused
// (ErrDifferentTargets) unless force. Entries view hides are counted as suppressed (the
// --new filter of view does not apply).
func DiffScans(ctx context.Context, st store.Store, refs []string, view ViewOptions, force bool) (*diff.Report, error) {
	var oldInfo, newInfo store.ScanInfo
	var err error
	switch len(refs) {
	case 0, 1:
		ref := "latest"
		if len(refs) == 1 {
			ref = refs[0]
		}
		if newInfo, err = st.Scan(ctx, ref); err != nil {
			return nil, err
		}
		prev, ok, err := st.Previous(ctx, newInfo.ID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &onlyScanError{s: newInfo}
		}
		oldInfo = prev
	case 2:
		if oldInfo, err = st.Scan(ctx, refs[0]); err != nil {
			return nil, err
		}
		if newInfo, err = st.Scan(ctx, refs[1]); err != nil {
			return nil, err
		}
		if err := SameTarget(oldInfo, newInfo, force); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("diff takes OLD and NEW scans, or one scan, or none (got %d)", len(refs))
	}
	oldR, err := st.Result(ctx, oldInfo.ID)
	if err != nil {
		return nil, err
	}
	newR, err := st.Result(ctx, newInfo.ID)
	if err != nil {
		return nil, err
	}
	rep := diff.Compare(oldInfo.ID, oldR, newInfo.ID, newR)
	view.Known = nil
	rep.Filter(func(f *model.Finding) bool {
		v := view.Verdict(f)
		return v == Show || v == ShowSuppressed
	})
	return rep, nil
}

// FindingRow is a stored finding as a person queries it.
type FindingRow struct {
	store.FindingRecord
	Suppressed   bool   `json:"suppressed"`
	SuppressedBy string `json:"suppressed_by,omitempty"` // "#id: reason"
}

// StateSuppressed is the --state value selecting suppressed findings.
const StateSuppressed = "suppressed"

// QueryFindings runs q and applies the current suppressions: with state
// StateSuppressed only suppressed findings are returned; otherwise they are
// left out (and counted) unless view.ShowSuppressed.
func QueryFindings(ctx context.Context, st store.Store, q store.FindingQuery, state string, view ViewOptions) ([]FindingRow, int, error) {
	switch state {
	case "", store.StateOpen, store.StateGone:
		q.State = state
	case StateSuppressed:
		q.State = ""
	default:
		return nil, 0, fmt.Errorf("unknown state %q (want open, gone or suppressed)", state)
	}
	limit := q.Limit
	q.Limit = 0
	recs, err := st.Findings(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	var rows []FindingRow
	hidden := 0
	for _, rec := range recs {
		row := FindingRow{FindingRecord: rec}
		if s, ok := view.Suppressions.Match(&rec.Finding); ok {
			row.Suppressed = true
			row.SuppressedBy = "#" + strconv.FormatInt(s.ID, 10) + ": " + s.Reason
		}
		switch {
		case state == StateSuppressed && !row.Suppressed:
			continue
		case state != StateSuppressed && row.Suppressed && !view.ShowSuppressed:
			hidden++
			continue
		}
		rows = append(rows, row)
		if limit > 0 && len(rows) >= limit {
			break
		}
	}
	return rows, hidden, nil
}
