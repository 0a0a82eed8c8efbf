package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/vigil-ir/vigil/internal/suppress"
)

// Findings implements Store. Rule and path globs are matched here rather
// than in SQL so that they mean exactly what they mean in suppressions.
func (s *SQLite) Findings(ctx context.Context, q FindingQuery) ([]FindingRecord, error) {
	var ruleGlob, pathGlob *suppress.Glob
	var err error
	exactRule := ""
	if q.Rule != "" {
		if suppress.IsGlob(q.Rule) {
			if ruleGlob, err = suppress.CompileRule(q.Rule); err != nil {
				return nil, fmt.Errorf("--rule: %w", err)
			}
		} else {
			exactRule = q.Rule
		}
	}
	if q.Path != "" {
		if pathGlob, err = suppress.CompilePath(q.Path); err != nil {
			return nil, fmt.Errorf("--path: %w", err)
		}
	}
	var where []string
	var args []any
	var query string
	if q.ScanID > 0 {
		query = `SELECT s.target_key, coalesce(fs.state, 'open'), coalesce(fs.first_seen, s.started),
			coalesce(fs.last_seen, s.started), coalesce(fs.gone_since, ''), f.scan_id, ` + findingColumns + `
			FROM findings f JOIN scans s ON s.id = f.scan_id
			LEFT JOIN finding_state fs ON fs.target_key = s.target_key AND fs.fingerprint = f.fingerprint`
		where = append(where, `f.scan_id = ?`)
		args = append(args, q.ScanID)
	} else {
		query = `SELECT fs.target_key, fs.state, fs.first_seen, fs.last_seen, fs.gone_since, fs.last_scan, ` + findingColumns + `
			FROM finding_state fs JOIN findings f ON f.fingerprint = fs.fingerprint AND f.scan_id = fs.last_scan`
	}
	if q.TargetKey != "" {
		where = append(where, `s.target_key = ?`)
		if q.ScanID == 0 {
			where[len(where)-1] = `fs.target_key = ?`
		}
		args = append(args, q.TargetKey)
	}
	if q.State != "" {
		where = append(where, `coalesce(fs.state, 'open') = ?`)
		args = append(args, q.State)
	}
	if q.MinSeverity > 0 {
		where = append(where, `f.severity >= ?`)
		args = append(args, int(q.MinSeverity))
	}
	if exactRule != "" {
		where = append(where, `f.rule_id = ?`)
		args = append(args, exactRule)
	}
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY f.severity DESC, f.rule_id, f.path, f.seq`
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, classify(s.path, err)
	}
	defer rows.Close()
	var out []FindingRecord
	seen := map[string]bool{}
	for rows.Next() {
		var rec FindingRecord
		var first, last, gone string
		f, err := s.scanFinding(rows, &rec.TargetKey, &rec.State, &first, &last, &gone, &rec.ScanID)
		if err != nil {
			return nil, err
		}
		key := rec.TargetKey + "\x00" + f.Fingerprint
		if seen[key] {
			continue // the same finding twice in one scan
		}
		seen[key] = true
		if ruleGlob != nil && !ruleGlob.Match(f.RuleID) {
			continue
		}
		if pathGlob != nil {
			p := f.Evidence.Path
			if p == "" {
				p = f.Subject
			}
			if !pathGlob.Match(p) {
				continue
			}
		}
		rec.FirstSeen, rec.LastSeen, rec.GoneSince = parseTime(first), parseTime(last), parseTime(gone)
		rec.Finding = f
		out = append(out, rec)
		if q.Limit > 0 && len(out) >= q.Limit {
			break
		}
	}
	return out, classify(s.path, rows.Err())
}
