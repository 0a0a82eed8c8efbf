package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

// VulnState is the store's part for the vulnerability lifecycle: one row
// per target and vulnerability of a package, never deleted, with an
// append-only audit of every change of state. A small interface of its
// own, not a part of Store.
type VulnState interface {
	// RecordVulns saves what one vulnerability scan of a target found: new
	// rows open (first seen now, due by the SLA), rows found again keep
	// their first seen, rows no longer found become fixed (dated) unless
	// their package was not judged (keep). It returns the target's rows.
	RecordVulns(ctx context.Context, targetKey string, seen []VulnObservation, keep map[string]bool, due DueFunc, who Actor) ([]VulnRecord, error)
	// VulnRecords lists rows (all targets when targetKey is "").
	VulnRecords(ctx context.Context, targetKey string) ([]VulnRecord, error)
	// SetVulnState changes the state of the rows ref names (a row id, or
	// a vulnerability id on one target), auditing each change.
	SetVulnState(ctx context.Context, ref string, to VulnStateName, reason string, until time.Time, who Actor) ([]VulnRecord, error)
	// VulnAudit lists the audit trail, oldest first (one row's when id > 0).
	VulnAudit(ctx context.Context, id int64) ([]VulnAuditEntry, error)
}

var _ VulnState = (*SQLite)(nil)

// VulnStateName is a lifecycle state.
type VulnStateName string

// The states.
const (
	VulnOpen          VulnStateName = "open"
	VulnInProgress    VulnStateName = "in-progress"
	VulnFixed         VulnStateName = "fixed"
	VulnRiskAccepted  VulnStateName = "risk-accepted"
	VulnFalsePositive VulnStateName = "false-positive"
)

// DueFunc gives the due date of a vulnerability of severity sev first seen
// at first (zero: no due date).
type DueFunc func(sev model.Severity, first time.Time) time.Time

// VulnObservation is one vulnerability a scan found.
type VulnObservation struct {
	Key       string // package + " " + vulnerability: stable across rescans
	VulnID    string
	Package   string
	Severity  model.Severity
	Status    string // the advisory status (fixed, no-fix ...)
	Fixed     string
	Installed string
	KEV       bool
}

// VulnRecord is one row of the lifecycle.
type VulnRecord struct {
	ID        int64          `json:"id"`
	TargetKey string         `json:"target_key"`
	Key       string         `json:"key"`
	VulnID    string         `json:"vulnerability"`
	Package   string         `json:"package"`
	Severity  model.Severity `json:"severity"`
	Status    string         `json:"status"`
	Fixed     string         `json:"fixed,omitempty"`
	Installed string         `json:"installed"`
	KEV       bool           `json:"kev,omitempty"`
	State     VulnStateName  `json:"state"`
	FirstSeen time.Time      `json:"first_seen"`
	LastSeen  time.Time      `json:"last_seen"`
	FixedAt   time.Time      `json:"fixed_at,omitzero"`
	Due       time.Time      `json:"due,omitzero"`
	Reason    string         `json:"reason,omitempty"`
	Who       string         `json:"who,omitempty"`
	Until     time.Time      `json:"until,omitzero"`
}

// Overdue reports an open or in-progress row past its due date at now.
func (r VulnRecord) Overdue(now time.Time) bool {
	return (r.State == VulnOpen || r.State == VulnInProgress) && !r.Due.IsZero() && now.After(r.Due)
}

// VulnAuditEntry is one change of state.
type VulnAuditEntry struct {
	ID      int64         `json:"id"`
	At      time.Time     `json:"at"`
	Actor   Actor         `json:"actor"`
	StateID int64         `json:"state_id"`
	From    VulnStateName `json:"from"`
	To      VulnStateName `json:"to"`
	Reason  string        `json:"reason"`
	Until   time.Time     `json:"until,omitzero"`
}

// The reasons of the changes a scan makes by itself: ids the commands
// render in the reader's language (word.vuln.audit.<rest>).
const (
	AuditFound      = "scan:found"
	AuditReappeared = "scan:reappeared"
	AuditExpired    = "scan:expired"
	AuditGone       = "scan:gone"
)

// ErrAmbiguous is returned when a vulnerability id names rows of several
// targets.
var ErrAmbiguous = errors.New("names rows of several targets")

const vulnCols = `id, target_key, vuln_key, vuln_id, package, severity, status, fixed, installed, kev, state, first_seen, last_seen, fixed_at, due, reason, who, until`

func scanVuln(r interface{ Scan(...any) error }) (VulnRecord, error) {
	var v VulnRecord
	var first, last, fixedAt, due, until string
	var state string
	err := r.Scan(&v.ID, &v.TargetKey, &v.Key, &v.VulnID, &v.Package, &v.Severity, &v.Status, &v.Fixed, &v.Installed, &v.KEV,
		&state, &first, &last, &fixedAt, &due, &v.Reason, &v.Who, &until)
	v.State = VulnStateName(state)
	v.FirstSeen, v.LastSeen, v.FixedAt, v.Due, v.Until = parseTime(first), parseTime(last), parseTime(fixedAt), parseTime(due), parseTime(until)
	return v, err
}

func queryVulns(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, where string, args ...any) ([]VulnRecord, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+vulnCols+` FROM vuln_state `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []VulnRecord
	for rows.Next() {
		v, err := scanVuln(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func auditVuln(ctx context.Context, tx *sql.Tx, at time.Time, who Actor, id int64, from, to VulnStateName, reason string, until time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO vuln_audit(at, os_user, sudo_user, state_id, from_state, to_state, reason, until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		formatTime(at), who.User, who.SudoUser, id, string(from), string(to), reason, formatTime(until))
	return err
}

// RecordVulns implements VulnState.
func (s *SQLite) RecordVulns(ctx context.Context, targetKey string, seen []VulnObservation, keep map[string]bool, due DueFunc, who Actor) ([]VulnRecord, error) {
	now := s.now()
	var out []VulnRecord
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		old, err := queryVulns(ctx, tx, `WHERE target_key = ?`, targetKey)
		if err != nil {
			return err
		}
		byKey := map[string]VulnRecord{}
		for _, r := range old {
			byKey[r.Key] = r
		}
		found := map[string]bool{}
		for _, o := range seen {
			found[o.Key] = true
			r, ok := byKey[o.Key]
			if !ok {
				d := due(o.Severity, now)
				res, err := tx.ExecContext(ctx, `INSERT INTO vuln_state(target_key, vuln_key, vuln_id, package, severity, status, fixed, installed, kev,
					state, first_seen, last_seen, fixed_at, due, reason, who, until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, '', '', '')`,
					targetKey, o.Key, o.VulnID, o.Package, o.Severity, o.Status, o.Fixed, o.Installed, o.KEV, string(VulnOpen),
					formatTime(now), formatTime(now), formatTime(d))
				if err != nil {
					return err
				}
				id, _ := res.LastInsertId()
				if err := auditVuln(ctx, tx, now, who, id, "", VulnOpen, AuditFound, time.Time{}); err != nil {
					return err
				}
				continue
			}
			state, reason := r.State, ""
			switch {
			case r.State == VulnFixed:
				state, reason = VulnOpen, AuditReappeared
			case r.State == VulnRiskAccepted && !r.Until.IsZero() && now.After(r.Until):
				state, reason = VulnOpen, AuditExpired
			}
			_, err := tx.ExecContext(ctx, `UPDATE vuln_state SET severity = ?, status = ?, fixed = ?, installed = ?, kev = ?, state = ?,
				last_seen = max(last_seen, ?) /* never back, even if the clock moved */, due = ?, fixed_at = CASE WHEN ? THEN '' ELSE fixed_at END WHERE id = ?`,
				o.Severity, o.Status, o.Fixed, o.Installed, o.KEV, string(state), formatTime(now), formatTime(due(o.Severity, r.FirstSeen)),
				state == VulnOpen && r.State == VulnFixed, r.ID)
			if err != nil {
				return err
			}
			if reason != "" {
				if err := auditVuln(ctx, tx, now, who, r.ID, r.State, state, reason, time.Time{}); err != nil {
					return err
				}
			}
		}
		for _, r := range old {
			if found[r.Key] || r.State == VulnFixed || keep[r.Package] {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE vuln_state SET state = ?, fixed_at = ? WHERE id = ?`, string(VulnFixed), formatTime(now), r.ID); err != nil {
				return err
			}
			if err := auditVuln(ctx, tx, now, who, r.ID, r.State, VulnFixed, AuditGone, time.Time{}); err != nil {
				return err
			}
		}
		out, err = queryVulns(ctx, tx, `WHERE target_key = ?`, targetKey)
		return err
	})
	return out, err
}

// VulnRecords implements VulnState.
func (s *SQLite) VulnRecords(ctx context.Context, targetKey string) ([]VulnRecord, error) {
	var out []VulnRecord
	var err error
	if targetKey == "" {
		out, err = queryVulns(ctx, s.db, ``)
	} else {
		out, err = queryVulns(ctx, s.db, `WHERE target_key = ?`, targetKey)
	}
	return out, classify(s.path, err)
}

// SetVulnState implements VulnState.
func (s *SQLite) SetVulnState(ctx context.Context, ref string, to VulnStateName, reason string, until time.Time, who Actor) ([]VulnRecord, error) {
	now := s.now()
	var out []VulnRecord
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var rows []VulnRecord
		var err error
		if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
			rows, err = queryVulns(ctx, tx, `WHERE id = ?`, id)
		} else {
			rows, err = queryVulns(ctx, tx, `WHERE vuln_id = ? OR vuln_key = ?`, ref, ref)
		}
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return fmt.Errorf("%w: no vulnerability %q in the store (see vigil vuln --format json)", ErrNotFound, ref)
		}
		targets := map[string]bool{}
		for _, r := range rows {
			targets[r.TargetKey] = true
		}
		if len(targets) > 1 {
			var ids []string
			for _, r := range rows {
				ids = append(ids, strconv.FormatInt(r.ID, 10))
			}
			return fmt.Errorf("%q %w: give the row id (%s)", ref, ErrAmbiguous, strings.Join(ids, ", "))
		}
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, `UPDATE vuln_state SET state = ?, reason = ?, who = ?, until = ? WHERE id = ?`,
				string(to), reason, who.String(), formatTime(until), r.ID); err != nil {
				return err
			}
			if err := auditVuln(ctx, tx, now, who, r.ID, r.State, to, reason, until); err != nil {
				return err
			}
			r.State, r.Reason, r.Who, r.Until = to, reason, who.String(), until
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// VulnAudit implements VulnState.
func (s *SQLite) VulnAudit(ctx context.Context, id int64) ([]VulnAuditEntry, error) {
	q := `SELECT id, at, os_user, sudo_user, state_id, from_state, to_state, reason, until FROM vuln_audit`
	var args []any
	if id > 0 {
		q += ` WHERE state_id = ?`
		args = append(args, id)
	}
	var out []VulnAuditEntry
	err := s.query(ctx, q+` ORDER BY id`, args, func(r *sql.Rows) error {
		var e VulnAuditEntry
		var at, until, from, to string
		if err := r.Scan(&e.ID, &at, &e.Actor.User, &e.Actor.SudoUser, &e.StateID, &from, &to, &e.Reason, &until); err != nil {
			return err
		}
		e.At, e.Until, e.From, e.To = parseTime(at), parseTime(until), VulnStateName(from), VulnStateName(to)
		out = append(out, e)
		return nil
	})
	return out, err
}
