package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
)

// SaveScan implements Store. Everything is written in one immediate
// transaction with prepared statements: a scan is saved whole or not at
// all, and 10,000 findings take a fraction of a second.
func (s *SQLite) SaveScan(ctx context.Context, r *model.Result, opt SaveOptions) (ScanInfo, error) {
	info := infoFromResult(r, opt)
	checks, err := json.Marshal(r.Summary.Checks)
	if err != nil {
		return info, err
	}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO scans (uid, started, finished, target_root, target_key, live,
			hostname, machine_id, os, tool, version, lang, n_info, n_low, n_medium, n_high, n_critical,
			total, suppressed, gaps, duration_ms, checks, baseline, folded, machine_key, kind, operator)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			info.UID, formatTime(info.Started), formatTime(info.Finished), info.Root, info.TargetKey, info.Live,
			info.Hostname, info.MachineID, info.OS, r.Meta.Tool, info.Version, info.Lang,
			info.Counts[model.Info], info.Counts[model.Low], info.Counts[model.Medium], info.Counts[model.High], info.Counts[model.Critical],
			info.Total, info.Suppressed, info.Gaps, info.Duration().Milliseconds(), string(checks), info.Baseline, info.Folded, info.MachineKey, info.Kind, info.Operator)
		if err != nil {
			return err
		}
		if info.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := insertFindings(ctx, tx, info.ID, r.Findings); err != nil {
			return err
		}
		if err := insertGaps(ctx, tx, info.ID, r.Gaps); err != nil {
			return err
		}
		return updateState(ctx, tx, info, r)
	})
	return info, err
}

func infoFromResult(r *model.Result, opt SaveOptions) ScanInfo {
	m := r.Meta
	info := ScanInfo{
		UID: m.ID, Started: m.Started.UTC(), Finished: m.Finished.UTC(), Root: m.Target.Root, Live: m.Target.Live,
		TargetKey: m.Target.ID(), MachineKey: m.Target.Key(), Hostname: m.Target.Hostname, MachineID: m.Target.MachineID, OS: m.Target.OS,
		Version: m.Version, Lang: m.Lang, Counts: map[model.Severity]int{}, Total: len(r.Findings),
		Suppressed: r.Summary.Suppressed, Gaps: len(r.Gaps), Baseline: opt.Baseline, Folded: r.Summary.Folded,
		Kind: m.RunKind(), Operator: m.Operator,
	}
	if info.Finished.IsZero() {
		info.Finished = info.Started
	}
	for _, f := range r.Findings {
		info.Counts[f.Severity]++
	}
	return info
}

func insertFindings(ctx context.Context, tx *sql.Tx, scanID int64, findings []model.Finding) error {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO findings (scan_id, seq, fingerprint, rule_id, severity, confidence,
		category, technique, subject, path, evidence, indicators, detector, folded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, f := range findings {
		ev, err := json.Marshal(f.Evidence)
		if err != nil {
			return fmt.Errorf("finding %s: %w", f.Fingerprint, err)
		}
		ind := []byte("[]")
		if len(f.Indicators) > 0 {
			if ind, err = json.Marshal(f.Indicators); err != nil {
				return err
			}
		}
		if _, err := stmt.ExecContext(ctx, scanID, i, f.Fingerprint, f.RuleID, int(f.Severity), int(f.Confidence),
			f.Category, f.Technique, f.Subject, f.Evidence.Path, string(ev), string(ind), f.Detector, f.Folded); err != nil {
			return err
		}
	}
	return nil
}

func insertGaps(ctx context.Context, tx *sql.Tx, scanID int64, gaps []model.Gap) error {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO gaps (scan_id, seq, check_name, kind, path, reason, message) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, g := range gaps {
		msg := ""
		if !g.Msg.IsZero() {
			b, err := json.Marshal(g.Msg)
			if err != nil {
				return err
			}
			msg = string(b)
		}
		if _, err := stmt.ExecContext(ctx, scanID, i, g.Check, string(g.Kind), g.Path, g.Reason, msg); err != nil {
			return err
		}
	}
	return nil
}

// checkName is the check a finding comes from: its detector without the
// version; "" for findings the scan itself makes (coverage).
func checkName(detector string) string {
	name, _, _ := strings.Cut(detector, "@")
	return name
}

// updateState records that this scan saw its findings, and that findings
// open for the target and not seen are gone — but only when the check that
// reported them ran to completion in this scan: a failed or not-applicable
// check (a live-only check on an image of the same host) proves nothing.
// A scan saved out of order (older than what is recorded) never moves
// last_seen back.
func updateState(ctx context.Context, tx *sql.Tx, info ScanInfo, r *model.Result) error {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO finding_state (target_key, fingerprint, rule_id, check_name,
		first_seen, last_seen, first_scan, last_scan, state, gone_since) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', '')
		ON CONFLICT (target_key, fingerprint) DO UPDATE SET
			first_scan = CASE WHEN excluded.first_seen < first_seen THEN excluded.first_scan ELSE first_scan END,
			first_seen = min(first_seen, excluded.first_seen),
			state      = CASE WHEN excluded.last_seen >= last_seen THEN 'open' ELSE state END,
			gone_since = CASE WHEN excluded.last_seen >= last_seen THEN '' ELSE gone_since END,
			rule_id    = CASE WHEN excluded.last_seen >= last_seen THEN excluded.rule_id ELSE rule_id END,
			check_name = CASE WHEN excluded.last_seen >= last_seen THEN excluded.check_name ELSE check_name END,
			last_scan  = CASE WHEN excluded.last_seen >= last_seen THEN excluded.last_scan ELSE last_scan END,
			last_seen  = max(last_seen, excluded.last_seen)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	seen := formatTime(info.Started)
	done := make(map[string]bool, len(r.Findings))
	for _, f := range r.Findings {
		if done[f.Fingerprint] {
			continue
		}
		done[f.Fingerprint] = true
		if _, err := stmt.ExecContext(ctx, info.TargetKey, f.Fingerprint, f.RuleID, checkName(f.Detector),
			seen, seen, info.ID, info.ID); err != nil {
			return err
		}
	}
	ran := []string{""}
	for _, c := range r.Summary.Checks {
		if c.Status == "ok" {
			ran = append(ran, c.Name)
		}
	}
	ranJSON, err := json.Marshal(ran)
	if err != nil {
		return err
	}
	// A run closes only what a run of its own kind saw last: a scan's
	// `files` check looks at web roots, `vigil files` at the whole disk, and
	// the one must not call the other's findings gone.
	_, err = tx.ExecContext(ctx, `UPDATE finding_state SET state = 'gone', gone_since = ?
		WHERE target_key = ? AND state = 'open' AND last_seen < ?
		AND check_name IN (SELECT value FROM json_each(?))
		AND last_scan IN (SELECT id FROM scans WHERE kind = ?)`, seen, info.TargetKey, seen, string(ranJSON), info.Kind)
	return err
}
