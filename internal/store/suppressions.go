package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-ir/vigil/internal/suppress"
)

const suppressionColumns = `id, fingerprint, rule_id, path_glob, reason, until, created, created_by,
	removed, removed_by, removed_reason, expiry_noticed`

type queryer interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

// loadSuppressions returns every suppression with, for each, whether its
// expiry has been recorded.
func loadSuppressions(ctx context.Context, q queryer) ([]suppress.Suppression, []bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+suppressionColumns+` FROM suppressions ORDER BY id`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var list []suppress.Suppression
	var noticed []bool
	for rows.Next() {
		var s suppress.Suppression
		var until, created, removed, expiry string
		if err := rows.Scan(&s.ID, &s.Fingerprint, &s.Rule, &s.Path, &s.Reason, &until, &created, &s.CreatedBy,
			&removed, &s.RemovedBy, &s.RemovedReason, &expiry); err != nil {
			return nil, nil, err
		}
		s.Until, s.Created, s.Removed = parseTime(until), parseTime(created), parseTime(removed)
		list = append(list, s)
		noticed = append(noticed, expiry != "")
	}
	return list, noticed, rows.Err()
}

// Suppressions implements Store. The first time a suppression is seen
// expired, the expiry is written to the audit trail (when, and who was
// running vigil when it was noticed); later reads find it recorded.
func (s *SQLite) Suppressions(ctx context.Context, all bool, who Actor) ([]suppress.Suppression, error) {
	list, noticed, err := loadSuppressions(ctx, s.db)
	if err != nil {
		return nil, classify(s.path, err)
	}
	now := s.now()
	pending := false
	for i := range list {
		if !noticed[i] && list[i].StateAt(now) == suppress.Expired {
			pending = true
		}
	}
	if pending && !s.readOnly { // a read-only store shows expiries, it cannot audit them
		if err := s.withTx(ctx, func(tx *sql.Tx) error { return recordExpiries(ctx, tx, now, who) }); err != nil {
			return nil, err
		}
	}
	if all {
		return list, nil
	}
	active := list[:0]
	for _, sp := range list {
		if sp.StateAt(now) == suppress.Active {
			active = append(active, sp)
		}
	}
	return active, nil
}

// recordExpiries audits expiries not yet recorded. It re-reads inside the
// write transaction, so two processes noticing at once record each once.
func recordExpiries(ctx context.Context, tx *sql.Tx, now time.Time, who Actor) error {
	list, noticed, err := loadSuppressions(ctx, tx)
	if err != nil {
		return err
	}
	for i, sp := range list {
		if noticed[i] || sp.StateAt(now) != suppress.Expired {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE suppressions SET expiry_noticed = ? WHERE id = ?`, formatTime(now), sp.ID); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s; expired %s", sp.Describe(), sp.Until.UTC().Format(time.RFC3339))
		if err := audit(ctx, tx, now, who, ActionExpire, sp.ID, detail, sp.Reason); err != nil {
			return err
		}
	}
	return nil
}

func audit(ctx context.Context, tx *sql.Tx, now time.Time, who Actor, action string, id int64, detail, reason string) error {
	var sid any
	if id > 0 {
		sid = id
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit (at, os_user, sudo_user, action, suppression_id, detail, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, formatTime(now), who.User, who.SudoUser, action, sid, detail, reason)
	return err
}

func insertSuppression(ctx context.Context, tx *sql.Tx, sp suppress.Suppression) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO suppressions (fingerprint, rule_id, path_glob, reason, until, created, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, sp.Fingerprint, sp.Rule, sp.Path, sp.Reason, formatTime(sp.Until), formatTime(sp.Created), sp.CreatedBy)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// AddSuppression implements Store.
func (s *SQLite) AddSuppression(ctx context.Context, sp suppress.Suppression, who Actor) (int64, error) {
	if err := sp.Validate(); err != nil {
		return 0, err
	}
	now := s.now()
	if sp.StateAt(now) != suppress.Active {
		return 0, fmt.Errorf("the suppression would already have expired (%s)", sp.Until.Format(time.RFC3339))
	}
	sp.Created, sp.CreatedBy = now, who.String()
	var id int64
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		if id, err = insertSuppression(ctx, tx, sp); err != nil {
			return err
		}
		return audit(ctx, tx, now, who, ActionAdd, id, sp.Describe(), sp.Reason)
	})
	return id, err
}

// RemoveSuppression implements Store.
func (s *SQLite) RemoveSuppression(ctx context.Context, id int64, reason string, who Actor) error {
	if reason == "" {
		return errors.New("a reason is required (it is kept for the audit trail)")
	}
	now := s.now()
	return s.withTx(ctx, func(tx *sql.Tx) error {
		list, _, err := loadSuppressions(ctx, tx)
		if err != nil {
			return err
		}
		for _, sp := range list {
			if sp.ID != id {
				continue
			}
			if !sp.Removed.IsZero() {
				return fmt.Errorf("%w: suppression %d was already removed on %s by %s", ErrNotFound, id, sp.Removed.Format(time.RFC3339), sp.RemovedBy)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE suppressions SET removed = ?, removed_by = ?, removed_reason = ? WHERE id = ?`,
				formatTime(now), who.String(), reason, id); err != nil {
				return err
			}
			return audit(ctx, tx, now, who, ActionRemove, id, sp.Describe(), reason)
		}
		return fmt.Errorf("%w: no suppression %d (see 'vigil ignore list --all')", ErrNotFound, id)
	})
}

// ImportSuppressions implements Store.
func (s *SQLite) ImportSuppressions(ctx context.Context, list []suppress.Suppression, source string, who Actor) (added, skipped int, err error) {
	for i := range list {
		if err := list[i].Validate(); err != nil {
			return 0, 0, fmt.Errorf("entry %d: %w", i+1, err)
		}
	}
	now := s.now()
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		added, skipped = 0, 0
		have, _, err := loadSuppressions(ctx, tx)
		if err != nil {
			return err
		}
	next:
		for _, sp := range list {
			if sp.StateAt(now) != suppress.Active {
				skipped++
				continue
			}
			for _, h := range have {
				if h.StateAt(now) == suppress.Active && h.SameScope(&sp) {
					skipped++
					continue next
				}
			}
			by := who.String()
			if sp.CreatedBy != "" {
				by += "; first by " + sp.CreatedBy
			}
			sp.Created, sp.CreatedBy = now, by
			id, err := insertSuppression(ctx, tx, sp)
			if err != nil {
				return err
			}
			sp.ID = id
			have = append(have, sp)
			if err := audit(ctx, tx, now, who, ActionImport, id, sp.Describe()+"; from "+source, sp.Reason); err != nil {
				return err
			}
			added++
		}
		return nil
	})
	return added, skipped, err
}

// Audit implements Store.
func (s *SQLite) Audit(ctx context.Context) ([]AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, os_user, sudo_user, action, coalesce(suppression_id, 0), detail, reason
		FROM audit ORDER BY id`)
	if err != nil {
		return nil, classify(s.path, err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.Actor.User, &e.Actor.SudoUser, &e.Action, &e.SuppressionID, &e.Detail, &e.Reason); err != nil {
			return nil, classify(s.path, err)
		}
		e.At = parseTime(at)
		out = append(out, e)
	}
	return out, classify(s.path, rows.Err())
}
