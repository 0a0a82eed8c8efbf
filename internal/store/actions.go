package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Action states of the containment journal (docs/contain.md).
const (
	ActionApplying   = "applying"    // journaled, the change may have begun
	ActionApplied    = "applied"     // done and verified
	ActionRolledBack = "rolled-back" // failed or interrupted, and reverted
	ActionFailed     = "failed"      // failed and could not be reverted: look at it
	ActionUndoing    = "undoing"     // an undo began
	ActionUndone     = "undone"      // reverted on request
)

// ActionRecord is one entry of the containment journal: what was (or is
// being) changed on a target, and the data that reverts it. Params, Undo
// and Plan are the action kind's own JSON; the store does not read them.
type ActionRecord struct {
	ID      int64           `json:"id"`
	UID     string          `json:"uid"`
	Kind    string          `json:"kind"`
	Target  string          `json:"target"` // "/" (live) or a root directory
	Subject string          `json:"subject"`
	Params  json.RawMessage `json:"params"`
	Undo    json.RawMessage `json:"undo"`
	Plan    json.RawMessage `json:"plan"`
	State   string          `json:"state"`
	Result  string          `json:"result,omitempty"`
	Created time.Time       `json:"created"`
	Updated time.Time       `json:"updated"`
	Actor   Actor           `json:"by"`
}

// ActionQuery selects journal entries; zero values select everything.
type ActionQuery struct {
	Since  time.Time // created at or after
	States []string
	Kind   string // a kind, or a prefix ending in "." ("net.")
}

// Journal is the store's part for `vigil contain`: the journal of changes
// made to hosts. A small interface of its own, not a part of Store. Every
// write is synced to disk before it returns (synchronous=FULL for that
// transaction): the journal entry of an action exists on disk before the
// action changes anything.
type Journal interface {
	// BeginAction records a new action in state applying and returns its id.
	BeginAction(ctx context.Context, a ActionRecord) (int64, error)
	// SetActionState moves an action to state, with a result text, and
	// appends the change (with who made it) to the action log.
	SetActionState(ctx context.Context, id int64, state, result string, who Actor) error
	// Actions lists journal entries, oldest first.
	Actions(ctx context.Context, q ActionQuery) ([]ActionRecord, error)
	// ActionByID returns one entry; ErrNoAction when there is none.
	ActionByID(ctx context.Context, id int64) (ActionRecord, error)
	// ActionLog lists the state changes of one action, oldest first.
	ActionLog(ctx context.Context, id int64) ([]ActionEvent, error)
}

// ActionEvent is one line of the append-only action log.
type ActionEvent struct {
	At     time.Time `json:"at"`
	State  string    `json:"state"`
	Result string    `json:"result,omitempty"`
	Actor  Actor     `json:"by"`
}

// ErrNoAction: the journal holds no action with that id.
var ErrNoAction = errors.New("no such action in the journal")

var _ Journal = (*SQLite)(nil)

// withDurableTx runs fn in one write transaction committed with
// synchronous=FULL: the WAL is fsync'd before the commit returns, so the
// entry survives a power cut, not only a crash of vigil.
func (s *SQLite) withDurableTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if s.readOnly {
		return fmt.Errorf("%w: %s is opened read-only", ErrNotWritable, s.path)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return classify(s.path, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA synchronous=FULL`); err != nil {
		return classify(s.path, err)
	}
	defer conn.ExecContext(context.Background(), `PRAGMA synchronous=NORMAL`)
	tx, err := conn.BeginTx(ctx, nil)
	return s.inTx(tx, err, fn)
}

// BeginAction implements Journal.
func (s *SQLite) BeginAction(ctx context.Context, a ActionRecord) (int64, error) {
	now := formatTime(s.now())
	var id int64
	err := s.withDurableTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO actions (uid, kind, target, subject, params, undo, plan, state, result, created, updated, os_user, sudo_user)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?)`,
			a.UID, a.Kind, a.Target, a.Subject, rawOr(a.Params), rawOr(a.Undo), rawOr(a.Plan), ActionApplying, now, now, a.Actor.User, a.Actor.SudoUser)
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		return logAction(ctx, tx, id, now, ActionApplying, "", a.Actor)
	})
	return id, err
}

func rawOr(b json.RawMessage) string {
	if len(b) == 0 {
		return "null"
	}
	return string(b)
}

func logAction(ctx context.Context, tx *sql.Tx, id int64, at, state, result string, who Actor) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO action_log (action_id, at, state, result, os_user, sudo_user) VALUES (?, ?, ?, ?, ?, ?)`,
		id, at, state, result, who.User, who.SudoUser)
	return err
}

// SetActionState implements Journal.
func (s *SQLite) SetActionState(ctx context.Context, id int64, state, result string, who Actor) error {
	now := formatTime(s.now())
	return s.withDurableTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE actions SET state = ?, result = ?, updated = ? WHERE id = ?`, state, result, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: %d", ErrNoAction, id)
		}
		return logAction(ctx, tx, id, now, state, result, who)
	})
}

const actionColumns = `id, uid, kind, target, subject, params, undo, plan, state, result, created, updated, os_user, sudo_user`

func scanAction(rows interface{ Scan(...any) error }) (ActionRecord, error) {
	var a ActionRecord
	var params, undo, plan, created, updated string
	err := rows.Scan(&a.ID, &a.UID, &a.Kind, &a.Target, &a.Subject, &params, &undo, &plan, &a.State, &a.Result,
		&created, &updated, &a.Actor.User, &a.Actor.SudoUser)
	a.Params, a.Undo, a.Plan = json.RawMessage(params), json.RawMessage(undo), json.RawMessage(plan)
	a.Created, a.Updated = parseTime(created), parseTime(updated)
	return a, err
}

// Actions implements Journal.
func (s *SQLite) Actions(ctx context.Context, q ActionQuery) ([]ActionRecord, error) {
	where := []string{"1=1"}
	var args []any
	if !q.Since.IsZero() {
		where, args = append(where, "created >= ?"), append(args, formatTime(q.Since))
	}
	if len(q.States) > 0 {
		where = append(where, "state IN (?"+strings.Repeat(", ?", len(q.States)-1)+")")
		for _, st := range q.States {
			args = append(args, st)
		}
	}
	if q.Kind != "" {
		if strings.HasSuffix(q.Kind, ".") {
			where, args = append(where, "substr(kind, 1, ?) = ?"), append(args, len(q.Kind), q.Kind)
		} else {
			where, args = append(where, "kind = ?"), append(args, q.Kind)
		}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+actionColumns+` FROM actions WHERE `+strings.Join(where, " AND ")+` ORDER BY id`, args...)
	if err != nil {
		return nil, classify(s.path, err)
	}
	defer rows.Close()
	var out []ActionRecord
	for rows.Next() {
		a, err := scanAction(rows)
		if err != nil {
			return nil, classify(s.path, err)
		}
		out = append(out, a)
	}
	return out, classify(s.path, rows.Err())
}

// ActionByID implements Journal.
func (s *SQLite) ActionByID(ctx context.Context, id int64) (ActionRecord, error) {
	a, err := scanAction(s.db.QueryRowContext(ctx, `SELECT `+actionColumns+` FROM actions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("%w: %d", ErrNoAction, id)
	}
	return a, classify(s.path, err)
}

// ActionLog implements Journal.
func (s *SQLite) ActionLog(ctx context.Context, id int64) ([]ActionEvent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT at, state, result, os_user, sudo_user FROM action_log WHERE action_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, classify(s.path, err)
	}
	defer rows.Close()
	var out []ActionEvent
	for rows.Next() {
		var e ActionEvent
		var at string
		if err := rows.Scan(&at, &e.State, &e.Result, &e.Actor.User, &e.Actor.SudoUser); err != nil {
			return nil, classify(s.path, err)
		}
		e.At = parseTime(at)
		out = append(out, e)
	}
	return out, classify(s.path, rows.Err())
}
