package report

import (
	"encoding/json"
	"io"
	"sort"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

// JSON writes the whole scan as one document (model.Result) at End, with
// findings sorted most severe first.
type JSON struct {
	w   io.Writer
	opt Options
	c   Collector
}

// Begin implements Handler.
func (j *JSON) Begin(meta model.ScanMeta) error { return j.c.Begin(meta) }

// Finding implements Handler.
func (j *JSON) Finding(f model.Finding) error {
	localize(j.opt, &f)
	return j.c.Finding(f)
}

// Gap implements Handler.
func (j *JSON) Gap(g model.Gap) error { return j.c.Gap(g) }

// UpdateMeta implements MetaUpdater.
func (j *JSON) UpdateMeta(m model.ScanMeta) { j.c.UpdateMeta(m) }

// End implements Handler.
func (j *JSON) End(s model.Summary) error {
	_ = j.c.End(s)
	r := j.c.Result
	SortFindings(r.Findings)
	sortGaps(r.Gaps)
	if r.Findings == nil {
		r.Findings = []model.Finding{}
	}
	if r.Gaps == nil {
		r.Gaps = []model.Gap{}
	}
	enc := json.NewEncoder(j.w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// JSONL writes one JSON object per line as the scan streams: a "scan"
// record, then "finding" and "gap" records, then a "summary" record.
type JSONL struct {
	w   io.Writer
	opt Options
	enc *json.Encoder
	fin time.Time
}

// UpdateMeta implements MetaUpdater.
func (j *JSONL) UpdateMeta(m model.ScanMeta) { j.fin = m.Finished }

type jsonlRecord struct {
	Type    string          `json:"type"`
	Scan    *model.ScanMeta `json:"scan,omitempty"`
	Finding *model.Finding  `json:"finding,omitempty"`
	Gap     *model.Gap      `json:"gap,omitempty"`
	Summary *model.Summary  `json:"summary,omitempty"`
	Schema  int             `json:"schema_version,omitempty"`
	// Finished is on the summary record: the scan record streams first.
	Finished *time.Time `json:"finished,omitempty"`
}

// Begin implements Handler.
func (j *JSONL) Begin(meta model.ScanMeta) error {
	j.enc = json.NewEncoder(j.w)
	j.enc.SetEscapeHTML(false)
	return j.enc.Encode(jsonlRecord{Type: "scan", Scan: &meta, Schema: model.SchemaVersion})
}

// Finding implements Handler.
func (j *JSONL) Finding(f model.Finding) error {
	localize(j.opt, &f)
	return j.enc.Encode(jsonlRecord{Type: "finding", Finding: &f})
}

// Gap implements Handler.
func (j *JSONL) Gap(g model.Gap) error { return j.enc.Encode(jsonlRecord{Type: "gap", Gap: &g}) }

// End implements Handler.
func (j *JSONL) End(s model.Summary) error {
	rec := jsonlRecord{Type: "summary", Summary: &s}
	if !j.fin.IsZero() {
		rec.Finished = &j.fin
	}
	return j.enc.Encode(rec)
}

// SortFindings orders findings for people: most severe first, then by rule,
// subject and location, so output is stable from run to run.
func SortFindings(fs []model.Finding) {
	sort.SliceStable(fs, func(i, k int) bool {
		a, b := fs[i], fs[k]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		if a.Subject != b.Subject {
			return a.Subject < b.Subject
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

func sortGaps(gs []model.Gap) {
	sort.SliceStable(gs, func(i, k int) bool {
		a, b := gs[i], gs[k]
		if a.Check != b.Check {
			return a.Check < b.Check
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Reason < b.Reason
	})
}
