package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Case is an incident case: opened with a title, closed at the end. While
// a case is open, what Vigil records (scans, containment actions, evidence,
// notes) is attached to it in its journal.
type Case struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	Opened    time.Time `json:"opened"`
	Aware     time.Time `json:"aware"` // when the organisation became aware: the regulator's clock
	OpenedBy  string    `json:"opened_by"`
	Closed    time.Time `json:"closed,omitzero"`
	ClosedBy  string    `json:"closed_by,omitempty"`
	State     string    `json:"state"` // CaseOpen or CaseClosed
	Reference string    `json:"ref"`   // IR-<id>, as printed
}

// Case states.
const (
	CaseOpen   = "open"
	CaseClosed = "closed"
)

// CaseEvent is one line of a case's append-only journal.
type CaseEvent struct {
	ID     int64     `json:"id"`
	CaseID int64     `json:"case"`
	At     time.Time `json:"at"`
	Actor  string    `json:"by,omitempty"` // a scan's: its operator, copied by the store (migration 12)
	Kind   string    `json:"kind"`         // opened, note, scan, action, evidence, image, report, closed
	Step   string    `json:"step,omitempty"`
	Ref    string    `json:"ref,omitempty"`    // scan number, action id, archive path
	Detail string    `json:"detail,omitempty"` // note text, archive digest, target
	// RunKind is the kind of an attached scan's run (model.KindScan,
	// KindFiles ...): not stored in the journal, filled from the scan by
	// the reader (app.StatusOfIncident).
	RunKind string `json:"run_kind,omitempty"`
}

// ErrCaseOpen: a case is already open (one at a time).
var ErrCaseOpen = errors.New("an incident case is already open")

// Cases is the store's part for `vigil incident`: a small interface of its
// own, not a part of Store.
type Cases interface {
	// OpenCase starts a case; ErrCaseOpen when one is open.
	OpenCase(ctx context.Context, title string, aware time.Time, who Actor) (Case, error)
	// CurrentCase is the open case; ok is false when none is open.
	CurrentCase(ctx context.Context) (c Case, ok bool, err error)
	// CaseByRef finds a case by number or IR-number; "" is the open
	// case, else the newest one. ErrNotFound when there is none.
	CaseByRef(ctx context.Context, ref string) (Case, error)
	// ListCases lists every case, newest first.
	ListCases(ctx context.Context) ([]Case, error)
	// AddCaseEvent appends to the journal of case id.
	AddCaseEvent(ctx context.Context, e CaseEvent) error
	// CaseEvents lists the journal of a case, oldest first.
	CaseEvents(ctx context.Context, id int64) ([]CaseEvent, error)
	// CloseCase closes case id, with a journal line.
	CloseCase(ctx context.Context, id int64, who Actor) error
}

var _ Cases = (*SQLite)(nil)

// CaseRef is how a case is named: IR-<number>.
func CaseRef(id int64) string { return "IR-" + strconv.FormatInt(id, 10) }

const caseColumns = `id, title, opened, aware, opened_by, closed, closed_by, state`

func scanCase(r interface{ Scan(...any) error }) (Case, error) {
	var c Case
	var opened, aware, closed string
	if err := r.Scan(&c.ID, &c.Title, &opened, &aware, &c.OpenedBy, &closed, &c.ClosedBy, &c.State); err != nil {
		return c, err
	}
	c.Opened, c.Aware, c.Reference = parseTime(opened), parseTime(aware), CaseRef(c.ID)
	if closed != "" {
		c.Closed = parseTime(closed)
	}
	return c, nil
}

// OpenCase implements Cases.
func (s *SQLite) OpenCase(ctx context.Context, title string, aware time.Time, who Actor) (Case, error) {
	now := s.now()
	if aware.IsZero() || aware.After(now) {
		aware = now
	}
	var id int64
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM cases WHERE state = 'open'`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrCaseOpen
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO cases(title, opened, aware, opened_by, state) VALUES (?, ?, ?, ?, 'open')`,
			title, formatTime(now), formatTime(aware), who.String())
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		return insertCaseEvent(ctx, tx, CaseEvent{CaseID: id, At: now, Actor: who.String(), Kind: "opened", Detail: title})
	})
	if err != nil {
		if errors.Is(err, ErrCaseOpen) {
			return Case{}, err
		}
		return Case{}, classify(s.path, err)
	}
	return s.CaseByRef(ctx, strconv.FormatInt(id, 10))
}

func insertCaseEvent(ctx context.Context, tx *sql.Tx, e CaseEvent) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO case_events(case_id, at, actor, kind, step, ref, detail) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		e.CaseID, formatTime(e.At), e.Actor, e.Kind, e.Step, e.Ref, e.Detail)
	return err
}

// CurrentCase implements Cases.
func (s *SQLite) CurrentCase(ctx context.Context) (Case, bool, error) {
	c, err := scanCase(s.db.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE state = 'open' ORDER BY id DESC LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return Case{}, false, nil
	}
	if err != nil {
		return Case{}, false, classify(s.path, err)
	}
	return c, true, nil
}

// CaseByRef implements Cases.
func (s *SQLite) CaseByRef(ctx context.Context, ref string) (Case, error) {
	q := `SELECT ` + caseColumns + ` FROM cases ORDER BY state = 'open' DESC, id DESC LIMIT 1`
	var args []any
	if ref != "" {
		n, err := strconv.ParseInt(strings.TrimPrefix(strings.ToUpper(ref), "IR-"), 10, 64)
		if err != nil {
			return Case{}, ErrNotFound
		}
		q, args = `SELECT `+caseColumns+` FROM cases WHERE id = ?`, []any{n}
	}
	c, err := scanCase(s.db.QueryRowContext(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Case{}, ErrNotFound
	}
	if err != nil {
		return Case{}, classify(s.path, err)
	}
	return c, nil
}

// ListCases implements Cases.
func (s *SQLite) ListCases(ctx context.Context) ([]Case, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+caseColumns+` FROM cases ORDER BY id DESC`)
	if err != nil {
		return nil, classify(s.path, err)
	}
	defer rows.Close()
	var out []Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AddCaseEvent implements Cases.
func (s *SQLite) AddCaseEvent(ctx context.Context, e CaseEvent) error {
	if e.At.IsZero() {
		e.At = s.now()
	}
	return classify(s.path, s.withTx(ctx, func(tx *sql.Tx) error { return insertCaseEvent(ctx, tx, e) }))
}

// CaseEvents implements Cases.
func (s *SQLite) CaseEvents(ctx context.Context, id int64) ([]CaseEvent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, case_id, at, actor, kind, step, ref, detail FROM case_events WHERE case_id = ? ORDER BY at, id`, id)
	if err != nil {
		return nil, classify(s.path, err)
	}
	defer rows.Close()
	var out []CaseEvent
	for rows.Next() {
		var e CaseEvent
		var at string
		if err := rows.Scan(&e.ID, &e.CaseID, &at, &e.Actor, &e.Kind, &e.Step, &e.Ref, &e.Detail); err != nil {
			return nil, err
		}
		e.At = parseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// CloseCase implements Cases.
func (s *SQLite) CloseCase(ctx context.Context, id int64, who Actor) error {
	now := s.now()
	return classify(s.path, s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cases SET state = 'closed', closed = ?, closed_by = ? WHERE id = ? AND state = 'open'`,
			formatTime(now), who.String(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return insertCaseEvent(ctx, tx, CaseEvent{CaseID: id, At: now, Actor: who.String(), Kind: "closed"})
	}))
}
