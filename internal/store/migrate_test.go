package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store/storetest"
	"github.com/vigil-ir/vigil/internal/suppress"
)

// seeds write, with the SQL of schema version v, what a store of that
// version holds: a scan with a finding and a gap, its finding state, a
// suppression and an audit line. Every schema version needs a seed: the
// test below fails when a migration is added without one.
var seeds = map[int]string{
	1: `
INSERT INTO scans (id, uid, started, finished, target_root, target_key, live, hostname, machine_id, os, tool, version, lang,
	n_info, n_low, n_medium, n_high, n_critical, total, suppressed, gaps, duration_ms, checks)
	VALUES (1, '20261101T000000.000Z', '2026-11-01T00:00:00.000000000Z', '2026-11-01T00:00:02.000000000Z', '/', 'host:old', 1,
	'old', '', 'Debian', 'vigil', '0.1.0', 'zh-CN', 0, 0, 0, 0, 1, 1, 0, 1, 2000,
	'[{"name":"schedule","version":1,"status":"ok","findings":1,"duration_ns":5}]');
INSERT INTO findings (scan_id, seq, fingerprint, rule_id, severity, confidence, category, technique, subject, path, evidence, indicators, detector)
	VALUES (1, 0, '0123456789abcdef0123', 'persistence.cron.download-exec', 4, 2, 'persistence', 'T1053.003', '/etc/cron.d/x',
	'/etc/cron.d/x', '{"path":"/etc/cron.d/x","line":1,"text":"curl x | sh"}', '["download-exec"]', 'schedule@1');
INSERT INTO gaps (scan_id, seq, check_name, kind, path, reason) VALUES (1, 0, 'accounts', 'error', '/etc/shadow', 'permission denied');
INSERT INTO finding_state (target_key, fingerprint, rule_id, check_name, first_seen, last_seen, first_scan, last_scan, state)
	VALUES ('host:old', '0123456789abcdef0123', 'persistence.cron.download-exec', 'schedule',
	'2026-11-01T00:00:00.000000000Z', '2026-11-01T00:00:00.000000000Z', 1, 1, 'open');
INSERT INTO suppressions (fingerprint, rule_id, path_glob, reason, until, created, created_by)
	VALUES ('', 'persistence.shell.*', '/home/**', 'team aliases', '', '2026-11-01T00:00:00.000000000Z', 'root');
INSERT INTO audit (at, os_user, sudo_user, action, suppression_id, detail, reason)
	VALUES ('2026-11-01T00:00:00.000000000Z', 'root', 'alice', 'add', 1, 'rule persistence.shell.*, path /home/**', 'team aliases');
`,
	2: `UPDATE scans SET baseline = 1 WHERE id = 1;`,
	3: `UPDATE scans SET folded = 7 WHERE id = 1; UPDATE findings SET folded = 7 WHERE scan_id = 1;`,
	// One entry, "/a", in hashcache.Encode's format.
	4: `INSERT INTO file_hashes (target, last_full, saved, n_entries, entries)
	VALUES ('live', '2026-11-01T00:00:00.000000000Z', '2026-11-01T00:00:00.000000000Z', 1, X'5648433101000` + `22f61010203080808010109');`,
	5: `UPDATE gaps SET message = '{"id":"target.permission-denied"}' WHERE scan_id = 1;`,
	6: `INSERT INTO scans (id, uid, started, finished, target_root, target_key, machine_key, live, hostname, machine_id, os, tool, version, lang,
	n_info, n_low, n_medium, n_high, n_critical, total, suppressed, gaps, duration_ms, checks)
	VALUES (2, '20261102T000000.000Z', '2026-11-02T00:00:00.000000000Z', '2026-11-02T00:00:02.000000000Z', '/mnt/old', 'root:/mnt/old|host:old',
	'host:old', 0, 'old', '', 'Debian', 'vigil', '0.1.0', 'en', 0, 0, 0, 0, 0, 0, 0, 0, 2000, '[]');`,
	7: `INSERT INTO vuln_sources VALUES ('kev', 'kev', '/tmp/kev.json', 'ab', '2026-11-02T00:00:00.000000000Z', '2026-11-01T00:00:00.000000000Z', 1);
INSERT INTO vuln_kev VALUES ('CVE-2024-0001', 'x', '2024-01-01', '2024-01-22', 0);`,
	8: `INSERT INTO actions (uid, kind, target, subject, params, undo, plan, state, result, created, updated, os_user, sudo_user)
	VALUES ('a1', 'file.quarantine', '/', '/tmp/x', '{}', '{}', '[]', 'applied', '', '2026-11-03T00:00:00.000000000Z',
	'2026-11-03T00:00:00.000000000Z', 'root', 'alice');
INSERT INTO action_log (action_id, at, state, result, os_user, sudo_user) VALUES (1, '2026-11-03T00:00:00.000000000Z', 'applied', '', 'root', 'alice');`,
	9: `INSERT INTO vuln_state (target_key, vuln_key, vuln_id, package, severity, status, fixed, installed, kev, state, first_seen, last_seen, fixed_at, due, reason, who, until)
	VALUES ('live|host:old', 'openssl CVE-2099-1', 'CVE-2099-1', 'openssl', 3, 'fixed', '3.0.16', '3.0.15', 0, 'open',
	'2026-11-01T00:00:00.000000000Z', '2026-11-01T00:00:00.000000000Z', '', '2027-01-30T00:00:00.000000000Z', '', '', '');`,
	10: `INSERT INTO scans (id, uid, started, finished, target_root, target_key, machine_key, live, hostname, machine_id, os, tool, version, lang,
	n_info, n_low, n_medium, n_high, n_critical, total, suppressed, gaps, duration_ms, checks)
	VALUES (3, '20261103T000000.000Z', '2026-11-03T00:00:00.000000000Z', '2026-11-03T00:00:02.000000000Z', '/', 'live|host:old',
	'host:old', 1, 'old', '', 'Debian', 'vigil', '0.1.0', 'en', 0, 0, 0, 0, 0, 0, 0, 0, 2000, '[{"name":"logs","version":1,"status":"ok"}]');
INSERT INTO cases (title, opened, aware, opened_by, state) VALUES ('web1 defaced', '2026-11-04T00:00:00.000000000Z',
	'2026-11-03T22:00:00.000000000Z', 'root', 'open');
INSERT INTO case_events (case_id, at, actor, kind, step, ref, detail) VALUES (1, '2026-11-04T00:00:00.000000000Z', 'root', 'note', '', '', 'first look');`,
	// Case 1 (seed 10) is open: the v11 trigger attaches scan 4 with no operator.
	11: `UPDATE scans SET operator = 'root (sudo: alice)' WHERE id = 1;
INSERT INTO scans (id, uid, started, finished, target_root, target_key, machine_key, live, hostname, machine_id, os, tool, version, lang,
	n_info, n_low, n_medium, n_high, n_critical, total, suppressed, gaps, duration_ms, checks, kind, operator)
	VALUES (4, '20261105T000000.000Z', '2026-11-05T00:00:00.000000000Z', '2026-11-05T00:00:02.000000000Z', '/', 'live|host:old',
	'host:old', 1, 'old', '', 'Debian', 'vigil', '0.1.0', 'en', 0, 0, 0, 0, 0, 0, 0, 0, 2000, '[]', 'files', 'root (sudo: carol)');`,
	12: `INSERT INTO scans (id, uid, started, finished, target_root, target_key, machine_key, live, hostname, machine_id, os, tool, version, lang,
	n_info, n_low, n_medium, n_high, n_critical, total, suppressed, gaps, duration_ms, checks, kind, operator)
	VALUES (5, '20261106T000000.000Z', '2026-11-06T00:00:00.000000000Z', '2026-11-06T00:00:02.000000000Z', '/', 'live|host:old',
	'host:old', 1, 'old', '', 'Debian', 'vigil', '0.1.0', 'en', 0, 0, 0, 0, 0, 0, 0, 0, 2000, '[]', 'scan', 'dave');`,
	13: `INSERT INTO log_files VALUES ('live|host:old', '/var/log/auth.log', '/var/log/auth.log', 0, 2049, 131, 5000, 'ab', 1024,
	'2026-11-03T00:00:00.000000000Z', '2026-11-03T00:00:02.000000000Z', '20261103T000000.000Z');`,
	14: `INSERT INTO case_events (case_id, at, actor, kind, step, ref, detail) VALUES (1, '2026-11-07T00:00:00.000000000Z', 'root', 'timeline', 'trace', '/', '{}');
INSERT INTO case_timeline VALUES (1, last_insert_rowid(), '2026-11-02T00:00:00.000000000Z', 'log', '', 'auth.login actor=root', 'root', '/var/log/auth.log:3', 'login', 1);`,
}

// TestMigrateFromEveryVersion builds a store at each earlier schema
// version (0 is an empty file), fills it as that version would, opens it
// with this Vigil and checks that the data survived and the store works.
func TestMigrateFromEveryVersion(t *testing.T) {
	ctx := context.Background()
	for v := 1; v <= LatestSchema(); v++ {
		if seeds[v] == "" {
			t.Fatalf("schema version %d has no seed in migrate_test.go", v)
		}
	}
	for from := 0; from < LatestSchema(); from++ {
		t.Run(fmt.Sprintf("v%d", from), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "vigil.db")
			old, err := open(ctx, path, Options{}, from)
			if err != nil {
				t.Fatal(err)
			}
			for v := 1; v <= from; v++ {
				if _, err := old.db.ExecContext(ctx, seeds[v]); err != nil {
					t.Fatalf("seed v%d: %v", v, err)
				}
			}
			if got, _ := schemaVersion(ctx, old.db); got != from {
				t.Fatalf("built schema %d, want %d", got, from)
			}
			old.Close()

			s, err := Open(ctx, path, Options{Now: func() time.Time { return t0 }})
			if err != nil {
				t.Fatalf("migrating from v%d: %v", from, err)
			}
			defer s.Close()
			if got, _ := schemaVersion(ctx, s.db); got != LatestSchema() {
				t.Fatalf("after migration: schema %d", got)
			}
			if from >= 1 {
				r, err := s.Result(ctx, 1)
				if err != nil {
					t.Fatal(err)
				}
				if len(r.Findings) != 1 || r.Findings[0].Evidence.Text != "curl x | sh" || r.Findings[0].Indicators[0] != "download-exec" ||
					len(r.Gaps) != 1 || r.Meta.Lang != "zh-CN" || r.Summary.Checks[0].Name != "schedule" {
					t.Fatalf("v%d scan did not survive: %+v", from, r)
				}
				if got := r.Gaps[0].Msg.ID; (from >= 5) != (got == "target.permission-denied") || r.Gaps[0].Reason != "permission denied" {
					t.Errorf("gap after migrating from v%d: %+v", from, r.Gaps[0])
				}
				sc, _ := s.Scan(ctx, "1")
				if sc.Kind != model.KindScan || (from >= 11) != (sc.Operator == "root (sudo: alice)") {
					t.Errorf("kind %q operator %q after migrating from v%d", sc.Kind, sc.Operator, from)
				}
				if from == 11 { // the v11 trigger left the scan's journal line without its operator
					evs, err := s.CaseEvents(ctx, 1)
					if err != nil || len(evs) != 2 || evs[1].Ref != "4" || evs[1].Actor != "root (sudo: carol)" {
						t.Errorf("the scan's journal line after migration 12: %+v %v", evs, err)
					}
					if _, err := s.db.ExecContext(ctx, `UPDATE case_events SET actor = 'x'`); err == nil {
						t.Error("the case journal must stay append-only after migration 12")
					}
				}
				if from == 10 { // a `vigil logs` run saved before kinds: its checks tell
					if lr, _ := s.Scan(ctx, "3"); lr.Kind != model.KindLogs {
						t.Errorf("a logs run migrated as kind %q", lr.Kind)
					}
				}
				if sc.Baseline != (from >= 2) {
					t.Errorf("baseline flag %v after migrating from v%d", sc.Baseline, from)
				}
				// Migration 6 rewrites the target identity of what the v1
				// seed wrote; from v6 on, the seed's rows were never migrated.
				if from < 6 && (sc.TargetKey != "live|host:old" || sc.MachineKey != "host:old") {
					t.Errorf("target identity after migrating from v%d: %q %q", from, sc.TargetKey, sc.MachineKey)
				}
				recs, err := s.Findings(ctx, FindingQuery{TargetKey: "live|host:old"})
				if from < 6 && (err != nil || len(recs) != 1) {
					t.Errorf("finding state not moved to the target identity: %+v %v", recs, err)
				}
				if other, ok, err := s.OtherTargetReference(ctx, model.KindScan, "host:old", "root:/mnt/x|host:old"); from < 6 && (err != nil || !ok || other.ID != 1) {
					t.Errorf("the same machine under another target: %+v %v %v", other, ok, err)
				}
				if want := map[bool]int{true: 7}[from >= 3]; sc.Folded != want || r.Summary.Folded != want || r.Findings[0].Folded != want {
					t.Errorf("folded counts %d/%d/%d after migrating from v%d, want %d", sc.Folded, r.Summary.Folded, r.Findings[0].Folded, from, want)
				}
				sup, err := s.Suppressions(ctx, false, Actor{User: "root"})
				if err != nil || len(sup) != 1 || sup[0].Rule != "persistence.shell.*" {
					t.Fatalf("suppressions: %+v %v", sup, err)
				}
				if a, _ := s.Audit(ctx); len(a) != 1 || a[0].Actor.SudoUser != "alice" {
					t.Fatalf("audit: %+v", a)
				}
			}
			// The v7 seed imports one source (KEV).
			if srcs, err := s.AdvisorySources(ctx); err != nil || len(srcs) != map[bool]int{true: 1}[from >= 7] {
				t.Errorf("advisory sources after migration: %+v %v", srcs, err)
			}
			if from >= 4 {
				snap, err := s.LoadHashes(ctx, "live")
				if err != nil || len(snap.Entries) != 1 || snap.Entries["/a"].Ino != 2 {
					t.Fatalf("hash cache after migration: %+v %v", snap, err)
				}
			}
			if lf, err := s.LogFileStates(ctx, "live|host:old"); err != nil || len(lf) != map[bool]int{true: 1}[from >= 13] {
				t.Errorf("log file states after migrating from v%d: %+v %v", from, lf, err)
			}
			if from >= 8 {
				acts, err := s.Actions(ctx, ActionQuery{})
				if err != nil || len(acts) != 1 || acts[0].Actor.SudoUser != "alice" || acts[0].State != ActionApplied {
					t.Fatalf("journal after migration: %+v %v", acts, err)
				}
			}
			if _, err := s.BeginAction(ctx, ActionRecord{UID: "m", Kind: "k", Target: "/"}); err != nil {
				t.Fatalf("journal after migrating from v%d: %v", from, err)
			}
			// The migrated store takes new scans and keeps history per target.
			info := save(t, s, storetest.Result(t0, []model.Finding{storetest.Finding("a.b", "/x", model.High, "check")}, "check"), true)
			if ref, ok, err := s.Reference(ctx, model.KindScan, storetest.Target.ID(), 0); err != nil || !ok || ref.ID != info.ID {
				t.Fatalf("reference after migration: %+v %v %v", ref, ok, err)
			}
			if _, err := s.AddSuppression(ctx, suppress.Suppression{Rule: "a.b", Reason: "r"}, Actor{User: "root"}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, '2030-01-01', 'from the future')`, LatestSchema()+1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(ctx, path, Options{})
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("err = %v, want ErrNewerSchema", err)
	}
	for _, want := range []string{path, fmt.Sprint(LatestSchema() + 1), "upgrade vigil"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestForeignDatabaseIsRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "other.db")
	s, err := open(ctx, path, Options{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE customers (id INTEGER)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(ctx, path, Options{}); !errors.Is(err, ErrForeign) {
		t.Fatalf("err = %v, want ErrForeign: vigil must not add tables to another program's database", err)
	}
}

func TestMigrationsAreOrdered(t *testing.T) {
	for i, m := range migrations {
		if m.version != i+1 || m.description == "" || strings.TrimSpace(m.sql) == "" {
			t.Errorf("migration %d: version %d, description %q", i, m.version, m.description)
		}
	}
}
