package diff

import (
	"sort"

	"github.com/vigil-ir/vigil/internal/model"
)

// Kinds of change.
const (
	New       = "new"       // in the newer scan only
	Gone      = "gone"      // in the older scan only, and its check ran in the newer one
	Changed   = "changed"   // in both, with another severity
	Unchecked = "unchecked" // in the older scan only, but its check did not complete in the newer one
)

// Entry is one finding that differs between the scans.
type Entry struct {
	Change string `json:"change"`
	// Finding is the newer occurrence (the older one for gone and
	// unchecked findings).
	Finding model.Finding `json:"finding"`
	// OldSeverity is the severity in the older scan, for changed findings.
	OldSeverity *model.Severity `json:"old_severity,omitempty"`
}

// Side identifies one of the compared scans.
type Side struct {
	ID   int64          `json:"id"`
	Meta model.ScanMeta `json:"scan"`
}

// Report is the comparison of two scans.
type Report struct {
	Old        Side    `json:"old"`
	New        Side    `json:"new"`
	Added      []Entry `json:"new_findings"`
	Gone       []Entry `json:"gone"`
	Changed    []Entry `json:"changed"`
	Unchecked  []Entry `json:"unchecked"`
	Unchanged  int     `json:"unchanged"`
	Suppressed int     `json:"suppressed"` // entries hidden by Filter
}

// byFingerprint keeps one finding per fingerprint (the most severe), in
// first-seen order.
func byFingerprint(fs []model.Finding) (map[string]model.Finding, []string) {
	m := make(map[string]model.Finding, len(fs))
	var order []string
	for _, f := range fs {
		prev, ok := m[f.Fingerprint]
		if !ok {
			order = append(order, f.Fingerprint)
		}
		if !ok || f.Severity > prev.Severity {
			m[f.Fingerprint] = f
		}
	}
	return m, order
}

// checkName is the check a finding came from ("" for the scan's own).
func checkName(detector string) string {
	for i := 0; i < len(detector); i++ {
		if detector[i] == '@' {
			return detector[:i]
		}
	}
	return detector
}

// Compare diffs old against new.
func Compare(oldID int64, old *model.Result, newID int64, cur *model.Result) *Report {
	r := &Report{Old: Side{ID: oldID, Meta: old.Meta}, New: Side{ID: newID, Meta: cur.Meta}}
	oldM, oldOrder := byFingerprint(old.Findings)
	newM, newOrder := byFingerprint(cur.Findings)
	ran := map[string]bool{"": true}
	for _, c := range cur.Summary.Checks {
		if c.Status == "ok" {
			ran[c.Name] = true
		}
	}
	for _, fp := range newOrder {
		f := newM[fp]
		o, ok := oldM[fp]
		switch {
		case !ok:
			r.Added = append(r.Added, Entry{Change: New, Finding: f})
		case o.Severity != f.Severity:
			was := o.Severity
			r.Changed = append(r.Changed, Entry{Change: Changed, Finding: f, OldSeverity: &was})
		default:
			r.Unchanged++
		}
	}
	for _, fp := range oldOrder {
		if _, ok := newM[fp]; ok {
			continue
		}
		f := oldM[fp]
		if ran[checkName(f.Detector)] {
			r.Gone = append(r.Gone, Entry{Change: Gone, Finding: f})
		} else {
			r.Unchecked = append(r.Unchecked, Entry{Change: Unchecked, Finding: f})
		}
	}
	for _, l := range [][]Entry{r.Added, r.Gone, r.Changed, r.Unchecked} {
		sortEntries(l)
	}
	return r
}

// Filter drops the entries keep rejects (display threshold, suppressions)
// and counts them as suppressed.
func (r *Report) Filter(keep func(*model.Finding) bool) {
	filter := func(l []Entry) []Entry {
		out := l[:0]
		for _, e := range l {
			if keep(&e.Finding) {
				out = append(out, e)
			} else {
				r.Suppressed++
			}
		}
		return out
	}
	r.Added, r.Gone, r.Changed, r.Unchecked = filter(r.Added), filter(r.Gone), filter(r.Changed), filter(r.Unchecked)
}

// Worst is the highest severity among new and changed findings (what the
// exit status judges), and false when there are none.
func (r *Report) Worst() (model.Severity, bool) {
	var worst model.Severity
	found := false
	for _, l := range [][]Entry{r.Added, r.Changed} {
		for _, e := range l {
			if !found || e.Finding.Severity > worst {
				worst, found = e.Finding.Severity, true
			}
		}
	}
	return worst, found
}

func sortEntries(l []Entry) {
	sort.SliceStable(l, func(i, k int) bool {
		a, b := l[i].Finding, l[k].Finding
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		if a.Evidence.Path != b.Evidence.Path {
			return a.Evidence.Path < b.Evidence.Path
		}
		if a.Evidence.Line != b.Evidence.Line {
			return a.Evidence.Line < b.Evidence.Line
		}
		return a.Fingerprint < b.Fingerprint
	})
}
