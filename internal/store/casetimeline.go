package store

import (
	"context"
	"database/sql"
	"time"
)

// CaseTimelineEntry is one line of a case's timeline: what a `vigil
// timeline` run kept with the case while it was open (a log event, a log
// finding, a process start, a file time).
type CaseTimelineEntry struct {
	Run        int64     `json:"run"` // the journal line of the timeline run that kept it
	At         time.Time `json:"at"`
	Kind       string    `json:"kind"` // log, finding, process, file
	Severity   string    `json:"severity,omitempty"`
	Text       string    `json:"text"`
	Actor      string    `json:"by,omitempty"`
	Ref        string    `json:"ref,omitempty"`   // path:line of the evidence
	Stage      string    `json:"stage,omitempty"` // the attack-path stage this line shows
	Suspicious bool      `json:"suspicious,omitempty"`
}

// CaseTimelines is the store's part for the timelines of incident cases:
// a small interface of its own, not a part of Store.
type CaseTimelines interface {
	// AddCaseTimeline appends the journal line e of a timeline run to case
	// e.CaseID and keeps entries with it, in one transaction; it returns
	// the journal line's id. An entry the case already holds (same time,
	// kind, place and text: a second run over the same logs) is kept once;
	// a stage or suspicion the new run sees in it is added.
	AddCaseTimeline(ctx context.Context, e CaseEvent, entries []CaseTimelineEntry) (int64, error)
	// CaseTimeline lists the entries kept with case id, oldest first.
	CaseTimeline(ctx context.Context, id int64) ([]CaseTimelineEntry, error)
}

var _ CaseTimelines = (*SQLite)(nil)

// AddCaseTimeline implements CaseTimelines.
func (s *SQLite) AddCaseTimeline(ctx context.Context, e CaseEvent, entries []CaseTimelineEntry) (int64, error) {
	if e.At.IsZero() {
		e.At = s.now()
	}
	var run int64
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if err := insertCaseEvent(ctx, tx, e); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT last_insert_rowid()`).Scan(&run); err != nil {
			return err
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO case_timeline(case_id, run, at, kind, severity, text, actor, ref, stage, suspicious)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (case_id, at, kind, ref, text) DO UPDATE SET
				stage = CASE WHEN stage = '' THEN excluded.stage ELSE stage END,
				suspicious = max(suspicious, excluded.suspicious)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for _, x := range entries {
			if _, err := ins.ExecContext(ctx, e.CaseID, run, formatTime(x.At), x.Kind, x.Severity, x.Text, x.Actor, x.Ref, x.Stage, x.Suspicious); err != nil {
				return err
			}
		}
		return nil
	})
	return run, classify(s.path, err)
}

// CaseTimeline implements CaseTimelines.
func (s *SQLite) CaseTimeline(ctx context.Context, id int64) ([]CaseTimelineEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT run, at, kind, severity, text, actor, ref, stage, suspicious FROM case_timeline
		WHERE case_id = ? ORDER BY at, kind, ref, text`, id)
	if err != nil {
		return nil, classify(s.path, err)
	}
	defer rows.Close()
	var out []CaseTimelineEntry
	for rows.Next() {
		var x CaseTimelineEntry
		var at string
		if err := rows.Scan(&x.Run, &at, &x.Kind, &x.Severity, &x.Text, &x.Actor, &x.Ref, &x.Stage, &x.Suspicious); err != nil {
			return nil, err
		}
		x.At = parseTime(at)
		out = append(out, x)
	}
	return out, rows.Err()
}
