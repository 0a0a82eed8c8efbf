package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
)

const scanColumns = `id, uid, started, finished, target_root, target_key, live, hostname, machine_id, os,
	version, lang, n_info, n_low, n_medium, n_high, n_critical, total, suppressed, gaps, baseline, folded, machine_key, kind, operator`

func scanScan(row interface{ Scan(...any) error }) (ScanInfo, error) {
	var s ScanInfo
	var started, finished string
	var n [5]int
	err := row.Scan(&s.ID, &s.UID, &started, &finished, &s.Root, &s.TargetKey, &s.Live, &s.Hostname, &s.MachineID,
		&s.OS, &s.Version, &s.Lang, &n[0], &n[1], &n[2], &n[3], &n[4], &s.Total, &s.Suppressed, &s.Gaps, &s.Baseline, &s.Folded, &s.MachineKey, &s.Kind, &s.Operator)
	if err != nil {
		return s, err
	}
	s.Started, s.Finished = parseTime(started), parseTime(finished)
	s.Counts = map[model.Severity]int{}
	for i, c := range n {
		if c > 0 {
			s.Counts[model.Severity(i)] = c
		}
	}
	return s, nil
}

// Scans implements Store.
func (s *SQLite) Scans(ctx context.Context, q ScanQuery) ([]ScanInfo, error) {
	query := `SELECT ` + scanColumns + ` FROM scans`
	var args []any
	if q.TargetKey != "" {
		query += ` WHERE target_key = ?`
		args = append(args, q.TargetKey)
	}
	query += ` ORDER BY started DESC, id DESC`
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, classify(s.path, err)
	}
	defer rows.Close()
	var out []ScanInfo
	for rows.Next() {
		info, err := scanScan(rows)
		if err != nil {
			return nil, classify(s.path, err)
		}
		out = append(out, info)
	}
	return out, classify(s.path, rows.Err())
}

// Scan implements Store.
func (s *SQLite) Scan(ctx context.Context, ref string) (ScanInfo, error) {
	ref = strings.TrimSpace(ref)
	var row *sql.Row
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		row = s.db.QueryRowContext(ctx, `SELECT `+scanColumns+` FROM scans WHERE id = ?`, id)
	} else if ref == "latest" || ref == "last" {
		row = s.db.QueryRowContext(ctx, `SELECT `+scanColumns+` FROM scans ORDER BY started DESC, id DESC LIMIT 1`)
	} else {
		row = s.db.QueryRowContext(ctx, `SELECT `+scanColumns+` FROM scans WHERE uid = ? ORDER BY id DESC LIMIT 1`, ref)
	}
	info, err := scanScan(row)
	if errors.Is(err, sql.ErrNoRows) {
		return info, fmt.Errorf("%w: no scan %q in %s (see 'vigil scans')", ErrNotFound, ref, s.path)
	}
	return info, classify(s.path, err)
}

func (s *SQLite) optionalScan(ctx context.Context, query string, args ...any) (ScanInfo, bool, error) {
	info, err := scanScan(s.db.QueryRowContext(ctx, `SELECT `+scanColumns+` FROM scans WHERE `+query+` ORDER BY started DESC, id DESC LIMIT 1`, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return info, false, nil
	}
	if err != nil {
		return info, false, classify(s.path, err)
	}
	return info, true, nil
}

// Reference implements Store.
func (s *SQLite) Reference(ctx context.Context, kind, targetKey string, before int64) (ScanInfo, bool, error) {
	cond, args := `kind = ? AND target_key = ?`, []any{kindOrScan(kind), targetKey}
	if before > 0 {
		b, err := s.Scan(ctx, strconv.FormatInt(before, 10))
		if err != nil {
			return ScanInfo{}, false, err
		}
		cond += ` AND id <> ? AND started <= ?`
		args = append(args, before, formatTime(b.Started))
	}
	if info, ok, err := s.optionalScan(ctx, cond+` AND baseline = 1`, args...); err != nil || ok {
		return info, ok, err
	}
	return s.optionalScan(ctx, cond, args...)
}

// OtherTargetReference implements Store.
func (s *SQLite) OtherTargetReference(ctx context.Context, kind, machineKey, targetKey string) (ScanInfo, bool, error) {
	cond, args := `kind = ? AND machine_key = ? AND target_key <> ?`, []any{kindOrScan(kind), machineKey, targetKey}
	if info, ok, err := s.optionalScan(ctx, cond+` AND baseline = 1`, args...); err != nil || ok {
		return info, ok, err
	}
	return s.optionalScan(ctx, cond, args...)
}

// Previous implements Store.
func (s *SQLite) Previous(ctx context.Context, id int64) (ScanInfo, bool, error) {
	cur, err := s.Scan(ctx, strconv.FormatInt(id, 10))
	if err != nil {
		return ScanInfo{}, false, err
	}
	return s.optionalScan(ctx, `kind = ? AND target_key = ? AND (started < ? OR (started = ? AND id < ?))`,
		kindOrScan(cur.Kind), cur.TargetKey, formatTime(cur.Started), formatTime(cur.Started), id)
}

// kindOrScan is kind, model.KindScan when empty.
func kindOrScan(kind string) string { return model.ScanMeta{Kind: kind}.RunKind() }

// Result implements Store.
func (s *SQLite) Result(ctx context.Context, id int64) (*model.Result, error) {
	info, err := s.Scan(ctx, strconv.FormatInt(id, 10))
	if err != nil {
		return nil, err
	}
	var tool, checks string
	if err := s.db.QueryRowContext(ctx, `SELECT tool, checks FROM scans WHERE id = ?`, id).Scan(&tool, &checks); err != nil {
		return nil, classify(s.path, err)
	}
	r := &model.Result{
		SchemaVersion: model.SchemaVersion,
		Meta: model.ScanMeta{ID: info.UID, Tool: tool, Version: info.Version, Started: info.Started, Finished: info.Finished, Lang: info.Lang,
			Kind: info.Kind, Operator: info.Operator,
			Target: model.TargetInfo{Root: info.Root, Live: info.Live, Hostname: info.Hostname, OS: info.OS, MachineID: info.MachineID}},
		Summary: model.Summary{Counts: info.Counts, Total: info.Total, Suppressed: info.Suppressed, Gaps: info.Gaps, Folded: info.Folded},
	}
	if err := json.Unmarshal([]byte(checks), &r.Summary.Checks); err != nil {
		return nil, corrupt(s.path, fmt.Errorf("scan %d: checks: %w", id, err))
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+findingColumns+` FROM findings f WHERE scan_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, classify(s.path, err)
	}
	defer rows.Close()
	for rows.Next() {
		f, err := s.scanFinding(rows)
		if err != nil {
			return nil, err
		}
		r.Findings = append(r.Findings, f)
	}
	if err := rows.Err(); err != nil {
		return nil, classify(s.path, err)
	}
	grows, err := s.db.QueryContext(ctx, `SELECT check_name, kind, path, reason, message FROM gaps WHERE scan_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, classify(s.path, err)
	}
	defer grows.Close()
	for grows.Next() {
		var g model.Gap
		var msg string
		if err := grows.Scan(&g.Check, &g.Kind, &g.Path, &g.Reason, &msg); err != nil {
			return nil, classify(s.path, err)
		}
		if msg != "" {
			if err := json.Unmarshal([]byte(msg), &g.Msg); err != nil {
				return nil, corrupt(s.path, fmt.Errorf("gap %s %s: message: %w", g.Check, g.Path, err))
			}
		}
		r.Gaps = append(r.Gaps, g)
	}
	return r, classify(s.path, grows.Err())
}

const findingColumns = `f.fingerprint, f.rule_id, f.severity, f.confidence, f.category, f.technique, f.subject,
	f.evidence, f.indicators, f.detector, f.folded`

// scanFinding reads findingColumns, after the columns lead points to.
func (s *SQLite) scanFinding(row interface{ Scan(...any) error }, lead ...any) (model.Finding, error) {
	var f model.Finding
	var sev, conf int
	var ev, ind string
	dest := append(lead, &f.Fingerprint, &f.RuleID, &sev, &conf, &f.Category, &f.Technique, &f.Subject, &ev, &ind, &f.Detector, &f.Folded)
	if err := row.Scan(dest...); err != nil {
		return f, classify(s.path, err)
	}
	f.Severity, f.Confidence = model.Severity(sev), model.Confidence(conf)
	if err := json.Unmarshal([]byte(ev), &f.Evidence); err != nil {
		return f, corrupt(s.path, fmt.Errorf("finding %s: evidence: %w", f.Fingerprint, err))
	}
	if ind != "" && ind != "[]" {
		if err := json.Unmarshal([]byte(ind), &f.Indicators); err != nil {
			return f, corrupt(s.path, fmt.Errorf("finding %s: indicators: %w", f.Fingerprint, err))
		}
	}
	return f, nil
}

// ResolveFingerprint implements Store.
func (s *SQLite) ResolveFingerprint(ctx context.Context, prefix string) (string, error) {
	prefix = strings.ToLower(strings.TrimSpace(prefix))
	if len(prefix) < 6 || strings.Trim(prefix, "0123456789abcdef") != "" {
		return "", fmt.Errorf("%w: %q is not a fingerprint prefix (at least 6 hex digits)", ErrNotFound, prefix)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT fingerprint FROM finding_state
		WHERE fingerprint >= ? AND fingerprint < ? LIMIT 2`, prefix, prefix+"g")
	if err != nil {
		return "", classify(s.path, err)
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var fp string
		if err := rows.Scan(&fp); err != nil {
			return "", classify(s.path, err)
		}
		found = append(found, fp)
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("%w: no stored finding has a fingerprint starting with %s", ErrNotFound, prefix)
	case 1:
		return found[0], classify(s.path, rows.Err())
	}
	return "", fmt.Errorf("%w: fingerprint prefix %s is ambiguous; give more digits", ErrNotFound, prefix)
}
