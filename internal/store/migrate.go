package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// migration is one step of the schema. Steps are append-only: a released
// step is never edited, a change is a new step (docs/store.md).
type migration struct {
	version     int
	description string
	sql         string
}

// migrations is the schema's history. LatestSchema is its last version.
var migrations = []migration{
	{1, "scans, findings, gaps, finding state, suppressions, audit", `
CREATE TABLE scans (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	uid         TEXT NOT NULL,
	started     TEXT NOT NULL,
	finished    TEXT NOT NULL,
	target_root TEXT NOT NULL,
	target_key  TEXT NOT NULL,
	live        INTEGER NOT NULL,
	hostname    TEXT NOT NULL,
	machine_id  TEXT NOT NULL,
	os          TEXT NOT NULL,
	tool        TEXT NOT NULL,
	version     TEXT NOT NULL,
	lang        TEXT NOT NULL,
	n_info      INTEGER NOT NULL,
	n_low       INTEGER NOT NULL,
	n_medium    INTEGER NOT NULL,
	n_high      INTEGER NOT NULL,
	n_critical  INTEGER NOT NULL,
	total       INTEGER NOT NULL,
	suppressed  INTEGER NOT NULL,
	gaps        INTEGER NOT NULL,
	duration_ms INTEGER NOT NULL,
	checks      TEXT NOT NULL
);
CREATE INDEX scans_target ON scans(target_key, started);
CREATE TABLE findings (
	scan_id     INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
	seq         INTEGER NOT NULL,
	fingerprint TEXT NOT NULL,
	rule_id     TEXT NOT NULL,
	severity    INTEGER NOT NULL,
	confidence  INTEGER NOT NULL,
	category    TEXT NOT NULL,
	technique   TEXT NOT NULL,
	subject     TEXT NOT NULL,
	path        TEXT NOT NULL,
	evidence    TEXT NOT NULL,
	indicators  TEXT NOT NULL,
	detector    TEXT NOT NULL,
	PRIMARY KEY (scan_id, seq)
);
CREATE TABLE gaps (
	scan_id    INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
	seq        INTEGER NOT NULL,
	check_name TEXT NOT NULL,
	kind       TEXT NOT NULL,
	path       TEXT NOT NULL,
	reason     TEXT NOT NULL,
	PRIMARY KEY (scan_id, seq)
);
CREATE TABLE finding_state (
	target_key  TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	rule_id     TEXT NOT NULL,
	check_name  TEXT NOT NULL,
	first_seen  TEXT NOT NULL,
	last_seen   TEXT NOT NULL,
	first_scan  INTEGER NOT NULL,
	last_scan   INTEGER NOT NULL,
	state       TEXT NOT NULL CHECK (state IN ('open', 'gone')),
	gone_since  TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (target_key, fingerprint)
) WITHOUT ROWID;
CREATE TABLE suppressions (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	fingerprint    TEXT NOT NULL,
	rule_id        TEXT NOT NULL,
	path_glob      TEXT NOT NULL,
	reason         TEXT NOT NULL CHECK (reason <> ''),
	until          TEXT NOT NULL,
	created        TEXT NOT NULL,
	created_by     TEXT NOT NULL,
	removed        TEXT NOT NULL DEFAULT '',
	removed_by     TEXT NOT NULL DEFAULT '',
	removed_reason TEXT NOT NULL DEFAULT '',
	expiry_noticed TEXT NOT NULL DEFAULT '',
	CHECK (fingerprint <> '' OR rule_id <> '')
);
CREATE TABLE audit (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	at             TEXT NOT NULL,
	os_user        TEXT NOT NULL,
	sudo_user      TEXT NOT NULL,
	action         TEXT NOT NULL,
	suppression_id INTEGER,
	detail         TEXT NOT NULL,
	reason         TEXT NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
`},
	{2, "baseline flag; indexes for finding history and --new", `
ALTER TABLE scans ADD COLUMN baseline INTEGER NOT NULL DEFAULT 0;
CREATE INDEX scans_baseline ON scans(target_key, baseline, started);
CREATE INDEX findings_fingerprint ON findings(fingerprint, scan_id);
CREATE INDEX finding_state_open ON finding_state(target_key, state, last_seen);
`},
	{3, "folded findings of flooding rules", `
ALTER TABLE findings ADD COLUMN folded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE scans ADD COLUMN folded INTEGER NOT NULL DEFAULT 0;
`},
	{4, "hash cache of the package-integrity check, per target", `
CREATE TABLE file_hashes (
	target     TEXT PRIMARY KEY,
	last_full  TEXT NOT NULL,
	saved      TEXT NOT NULL,
	n_entries  INTEGER NOT NULL,
	entries    BLOB NOT NULL
) WITHOUT ROWID;
`},
	{5, "gap reasons as message id and arguments (JSON), rendered in the reader's language", `
ALTER TABLE gaps ADD COLUMN message TEXT NOT NULL DEFAULT '';
`},
	{6, "target identity: the live host or a root path, with the machine key", `
ALTER TABLE scans ADD COLUMN machine_key TEXT NOT NULL DEFAULT '';
UPDATE scans SET machine_key = target_key;
UPDATE scans SET target_key = CASE WHEN live THEN 'live|' || machine_key ELSE 'root:' || target_root || '|' || machine_key END;
UPDATE finding_state SET target_key = coalesce((SELECT s.target_key FROM scans s WHERE s.id = finding_state.last_scan), target_key);
CREATE INDEX scans_machine ON scans(machine_key, baseline, started);
`},
	{7, "vulnerability advisories: sources, affected packages, vulnerabilities, KEV, EPSS", `
CREATE TABLE vuln_sources (
	source    TEXT PRIMARY KEY,
	kind      TEXT NOT NULL,
	origin    TEXT NOT NULL,
	digest    TEXT NOT NULL,
	imported  TEXT NOT NULL,
	data_date TEXT NOT NULL,
	records   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE vuln_affected (
	distro   TEXT NOT NULL,
	release  TEXT NOT NULL,
	package  TEXT NOT NULL,
	vuln_id  TEXT NOT NULL,
	source   TEXT NOT NULL,
	status   TEXT NOT NULL,
	fixed    TEXT NOT NULL,
	severity TEXT NOT NULL,
	PRIMARY KEY (distro, release, package, vuln_id, source)
) WITHOUT ROWID;
CREATE INDEX vuln_affected_source ON vuln_affected(source, vuln_id);
CREATE TABLE vuln_info (
	source   TEXT NOT NULL,
	vuln_id  TEXT NOT NULL,
	aliases  TEXT NOT NULL,
	summary  TEXT NOT NULL,
	cvss3    TEXT NOT NULL,
	cvss4    TEXT NOT NULL,
	modified TEXT NOT NULL,
	PRIMARY KEY (source, vuln_id)
) WITHOUT ROWID;
CREATE TABLE vuln_kev (
	cve        TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	date_added TEXT NOT NULL,
	due_date   TEXT NOT NULL,
	ransomware INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE vuln_epss (
	cve        TEXT PRIMARY KEY,
	score      REAL NOT NULL,
	percentile REAL NOT NULL
) WITHOUT ROWID;
`},
	{8, "containment journal: actions changed on a host, their undo data, and an append-only log of their states", `
CREATE TABLE actions (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	uid       TEXT NOT NULL,
	kind      TEXT NOT NULL,
	target    TEXT NOT NULL,
	subject   TEXT NOT NULL,
	params    TEXT NOT NULL,
	undo      TEXT NOT NULL,
	plan      TEXT NOT NULL,
	state     TEXT NOT NULL CHECK (state IN ('applying', 'applied', 'rolled-back', 'failed', 'undoing', 'undone')),
	result    TEXT NOT NULL,
	created   TEXT NOT NULL,
	updated   TEXT NOT NULL,
	os_user   TEXT NOT NULL,
	sudo_user TEXT NOT NULL
);
CREATE INDEX actions_state ON actions(state, created);
CREATE TABLE action_log (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	action_id INTEGER NOT NULL REFERENCES actions(id),
	at        TEXT NOT NULL,
	state     TEXT NOT NULL,
	result    TEXT NOT NULL,
	os_user   TEXT NOT NULL,
	sudo_user TEXT NOT NULL
);
CREATE TRIGGER action_log_no_update BEFORE UPDATE ON action_log
BEGIN SELECT RAISE(ABORT, 'the action log is append-only'); END;
CREATE TRIGGER action_log_no_delete BEFORE DELETE ON action_log
BEGIN SELECT RAISE(ABORT, 'the action log is append-only'); END;
CREATE TRIGGER actions_no_delete BEFORE DELETE ON actions
BEGIN SELECT RAISE(ABORT, 'the containment journal keeps every action'); END;
`},
	{9, "vulnerability lifecycle per target: state, first seen, due date, and an append-only audit of every change", `
CREATE TABLE vuln_state (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	target_key TEXT NOT NULL,
	vuln_key   TEXT NOT NULL,
	vuln_id    TEXT NOT NULL,
	package    TEXT NOT NULL,
	severity   INTEGER NOT NULL,
	status     TEXT NOT NULL,
	fixed      TEXT NOT NULL,
	installed  TEXT NOT NULL,
	kev        INTEGER NOT NULL,
	state      TEXT NOT NULL,
	first_seen TEXT NOT NULL,
	last_seen  TEXT NOT NULL,
	fixed_at   TEXT NOT NULL,
	due        TEXT NOT NULL,
	reason     TEXT NOT NULL,
	who        TEXT NOT NULL,
	until      TEXT NOT NULL,
	UNIQUE (target_key, vuln_key)
);
CREATE INDEX vuln_state_vuln ON vuln_state(vuln_id);
CREATE TABLE vuln_audit (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	at         TEXT NOT NULL,
	os_user    TEXT NOT NULL,
	sudo_user  TEXT NOT NULL,
	state_id   INTEGER NOT NULL,
	from_state TEXT NOT NULL,
	to_state   TEXT NOT NULL,
	reason     TEXT NOT NULL,
	until      TEXT NOT NULL
);
CREATE INDEX vuln_audit_state ON vuln_audit(state_id, id);
CREATE TRIGGER vuln_audit_no_update BEFORE UPDATE ON vuln_audit
BEGIN SELECT RAISE(ABORT, 'the vulnerability audit trail is append-only'); END;
CREATE TRIGGER vuln_audit_no_delete BEFORE DELETE ON vuln_audit
BEGIN SELECT RAISE(ABORT, 'the vulnerability audit trail is append-only'); END;
`},
	{10, "incident cases and their journal; scans and containment actions made while a case is open are attached to it", `
CREATE TABLE cases (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	title      TEXT NOT NULL,
	opened     TEXT NOT NULL,
	aware      TEXT NOT NULL,
	opened_by  TEXT NOT NULL,
	closed     TEXT NOT NULL DEFAULT '',
	closed_by  TEXT NOT NULL DEFAULT '',
	state      TEXT NOT NULL CHECK (state IN ('open', 'closed'))
);
CREATE UNIQUE INDEX cases_one_open ON cases(state) WHERE state = 'open';
CREATE TABLE case_events (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id INTEGER NOT NULL REFERENCES cases(id),
	at      TEXT NOT NULL,
	actor   TEXT NOT NULL,
	kind    TEXT NOT NULL,
	step    TEXT NOT NULL,
	ref     TEXT NOT NULL,
	detail  TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events(case_id, at);
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN SELECT RAISE(ABORT, 'the case journal is append-only'); END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN SELECT RAISE(ABORT, 'the case journal is append-only'); END;
CREATE TRIGGER case_attach_scan AFTER INSERT ON scans
WHEN EXISTS (SELECT 1 FROM cases WHERE state = 'open')
BEGIN
	INSERT INTO case_events(case_id, at, actor, kind, step, ref, detail)
	SELECT id, NEW.started, '', 'scan', 'assess', CAST(NEW.id AS TEXT), NEW.target_key FROM cases WHERE state = 'open';
END;
CREATE TRIGGER case_attach_action AFTER INSERT ON actions
WHEN EXISTS (SELECT 1 FROM cases WHERE state = 'open')
BEGIN
	INSERT INTO case_events(case_id, at, actor, kind, step, ref, detail)
	SELECT id, NEW.created, NEW.os_user || CASE WHEN NEW.sudo_user <> '' AND NEW.sudo_user <> NEW.os_user THEN ' (sudo: ' || NEW.sudo_user || ')' ELSE '' END,
		'action', 'contain', CAST(NEW.id AS TEXT), NEW.kind || ' ' || NEW.subject FROM cases WHERE state = 'open';
END;
`},
	{11, "the kind of each run (scan, files, logs, harden: history only within a kind) and its operator", `
ALTER TABLE scans ADD COLUMN kind TEXT NOT NULL DEFAULT 'scan';
ALTER TABLE scans ADD COLUMN operator TEXT NOT NULL DEFAULT '';
UPDATE scans SET kind = 'logs' WHERE checks <> '[]' AND NOT EXISTS (
	SELECT 1 FROM json_each(scans.checks) WHERE json_extract(value, '$.name') <> 'logs');
UPDATE scans SET kind = 'harden' WHERE checks <> '[]' AND NOT EXISTS (
	SELECT 1 FROM json_each(scans.checks) WHERE json_extract(value, '$.name') NOT IN ('harden', 'sshd-baseline'));
CREATE INDEX scans_kind_target ON scans(kind, target_key, started);
`},
	{12, "the case journal's scan lines name the scan's operator (written by the trigger; the older lines filled in from their scans)", `
DROP TRIGGER case_attach_scan;
CREATE TRIGGER case_attach_scan AFTER INSERT ON scans
WHEN EXISTS (SELECT 1 FROM cases WHERE state = 'open')
BEGIN
	INSERT INTO case_events(case_id, at, actor, kind, step, ref, detail)
	SELECT id, NEW.started, NEW.operator, 'scan', 'assess', CAST(NEW.id AS TEXT), NEW.target_key FROM cases WHERE state = 'open';
END;
DROP TRIGGER case_events_no_update;
UPDATE case_events SET actor = coalesce((SELECT s.operator FROM scans s WHERE CAST(s.id AS TEXT) = case_events.ref), '')
	WHERE kind = 'scan' AND actor = '';
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN SELECT RAISE(ABORT, 'the case journal is append-only'); END;
`},
	{13, "what vigil logs saw of each log file per target (inode, size, head), so the next run notices a log that shrank", `
CREATE TABLE log_files (
	target_key TEXT NOT NULL,
	log        TEXT NOT NULL,
	path       TEXT NOT NULL,
	rotation   INTEGER NOT NULL,
	dev        INTEGER NOT NULL,
	ino        INTEGER NOT NULL,
	size       INTEGER NOT NULL,
	head       TEXT NOT NULL,
	head_len   INTEGER NOT NULL,
	mtime      TEXT NOT NULL,
	seen       TEXT NOT NULL,
	run        TEXT NOT NULL,
	PRIMARY KEY (target_key, path)
);
CREATE INDEX log_files_log ON log_files(target_key, log);
`},
	{14, "the timelines of an incident case: the entries each vigil timeline run kept with the case (bounded, once per case)", `
CREATE TABLE case_timeline (
	case_id    INTEGER NOT NULL REFERENCES cases(id),
	run        INTEGER NOT NULL REFERENCES case_events(id),
	at         TEXT NOT NULL,
	kind       TEXT NOT NULL,
	severity   TEXT NOT NULL,
	text       TEXT NOT NULL,
	actor      TEXT NOT NULL,
	ref        TEXT NOT NULL,
	stage      TEXT NOT NULL,
	suspicious INTEGER NOT NULL,
	PRIMARY KEY (case_id, at, kind, ref, text)
) WITHOUT ROWID;
CREATE TRIGGER case_timeline_no_delete BEFORE DELETE ON case_timeline
BEGIN SELECT RAISE(ABORT, 'the case timeline is kept with the case'); END;
`},
}

// LatestSchema is the schema version this Vigil writes.
func LatestSchema() int { return migrations[len(migrations)-1].version }

const migrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version     INTEGER PRIMARY KEY,
	applied     TEXT NOT NULL,
	description TEXT NOT NULL
)`

// schemaVersion reads the store's schema version: 0 for an empty database.
// A database holding tables but no migrations table is someone else's.
func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var hasMigrations, tables int
	err := q.QueryRowContext(ctx, `SELECT
		count(*) FILTER (WHERE name = 'schema_migrations'),
		count(*) FILTER (WHERE name NOT LIKE 'sqlite_%')
		FROM sqlite_master WHERE type = 'table'`).Scan(&hasMigrations, &tables)
	if err != nil {
		return 0, err
	}
	if hasMigrations == 0 {
		if tables > 0 {
			return 0, ErrForeign
		}
		return 0, nil
	}
	var v sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, err
	}
	return int(v.Int64), nil
}

// migrate brings the schema to version target (LatestSchema in
// production; tests stop at earlier versions to build old stores). It
// holds the write lock while it reads the version and applies the steps, so
// two processes opening a new store at once apply each step once.
func (s *SQLite) migrate(ctx context.Context, target int) error {
	v, err := schemaVersion(ctx, s.db)
	if errors.Is(err, ErrForeign) {
		return foreign(s.path)
	}
	if err != nil {
		return err
	}
	if v > LatestSchema() {
		return newerSchema(s.path, v)
	}
	if v >= target {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE (see dsn)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if v, err = schemaVersion(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, migrationsTable); err != nil {
		return err
	}
	for _, m := range migrations {
		if m.version <= v || m.version > target {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("schema migration %d (%s): %w", m.version, m.description, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, applied, description) VALUES (?, ?, ?)`,
			m.version, formatTime(s.now()), m.description); err != nil {
			return err
		}
	}
	return tx.Commit()
}
