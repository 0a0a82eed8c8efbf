package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/vuln/advisory"
)

// Advisories is the store's part for vulnerability data: a small
// interface of its own, not a part of Store. Imports are transactions: a
// failed one leaves the previous data as it was.
type Advisories interface {
	// ImportAdvisories writes one parsed batch: an OSV batch replaces the
	// rows of the records it holds (and drops withdrawn ones); the other
	// kinds replace their source whole. Only differences are written:
	// importing the same data again changes nothing.
	ImportAdvisories(ctx context.Context, b *advisory.Batch) (ImportStats, error)
	// ImportAdvisoryBatches writes several batches in one transaction:
	// all of them, or (on an error) none.
	ImportAdvisoryBatches(ctx context.Context, bs []*advisory.Batch) ([]ImportStats, error)
	// ExportAdvisories reads every source back as the batch that would
	// import it again, with when its data last changed here.
	ExportAdvisories(ctx context.Context) ([]ExportedSource, error)
	// AdvisorySources lists the imported sources.
	AdvisorySources(ctx context.Context) ([]SourceStatus, error)
	// AdvisorySlices counts the affected-package rows per distribution
	// release, with the sources that hold them.
	AdvisorySlices(ctx context.Context) ([]SliceStatus, error)
	// AdvisorySlice loads everything matching needs for one release.
	AdvisorySlice(ctx context.Context, distro, release string) (*advisory.Slice, error)
}

var _ Advisories = (*SQLite)(nil)

// ImportStats says what one import changed.
type ImportStats struct {
	Source    string `json:"source"`
	Records   int    `json:"records"` // in the input
	Added     int    `json:"added"`
	Changed   int    `json:"changed"`
	Removed   int    `json:"removed"`
	Unchanged bool   `json:"unchanged"` // nothing was written
}

// SourceStatus is one imported source.
type SourceStatus struct {
	Source   string    `json:"source"`
	Kind     string    `json:"kind"`
	Origin   string    `json:"origin"`
	Imported time.Time `json:"imported"`  // when its data last changed here
	DataDate time.Time `json:"data_date"` // the data's own date
	Records  int       `json:"records"`
}

// SliceStatus is the advisory data held for one distribution release.
type SliceStatus struct {
	Distro   string    `json:"distro"`
	Release  string    `json:"release"`
	Rows     int       `json:"rows"`
	Sources  []string  `json:"sources"`
	DataDate time.Time `json:"data_date"` // the oldest data date of its sources
}

// ImportAdvisories implements Advisories.
func (s *SQLite) ImportAdvisories(ctx context.Context, b *advisory.Batch) (ImportStats, error) {
	st, err := s.ImportAdvisoryBatches(ctx, []*advisory.Batch{b})
	if len(st) == 0 {
		return ImportStats{Source: b.Source, Records: b.Records()}, err
	}
	return st[0], err
}

// ImportAdvisoryBatches implements Advisories.
func (s *SQLite) ImportAdvisoryBatches(ctx context.Context, bs []*advisory.Batch) ([]ImportStats, error) {
	var out []ImportStats
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		for _, b := range bs {
			st, err := s.importBatch(ctx, tx, b)
			if err != nil {
				return err
			}
			out = append(out, st)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// importBatch writes one batch in tx, unless its source already holds
// the same input (digest).
func (s *SQLite) importBatch(ctx context.Context, tx *sql.Tx, b *advisory.Batch) (ImportStats, error) {
	st := ImportStats{Source: b.Source, Records: b.Records()}
	var digest string
	err := tx.QueryRowContext(ctx, `SELECT digest FROM vuln_sources WHERE source = ?`, b.Source).Scan(&digest)
	if err != nil && err != sql.ErrNoRows {
		return st, err
	}
	if err == nil && digest == b.Digest && b.Digest != "" {
		st.Unchanged = true
		return st, nil
	}
	var d rowDiff
	switch b.Kind {
	case advisory.KindKEV:
		d, err = syncRows(ctx, tx, kevSpec, kevRows(b), nil)
	case advisory.KindEPSS:
		d, err = syncRows(ctx, tx, epssSpec, epssRows(b), nil)
	default:
		d, err = s.syncAdvisories(ctx, tx, b)
	}
	if err != nil {
		return st, err
	}
	st.Added, st.Changed, st.Removed = d.added, d.changed, d.removed
	return st, s.saveSource(ctx, tx, b, d.changes() > 0)
}

// syncAdvisories writes the affected rows and vulnerability texts of an
// OSV or tracker batch.
func (s *SQLite) syncAdvisories(ctx context.Context, tx *sql.Tx, b *advisory.Batch) (rowDiff, error) {
	var scope func(key []any) bool // which stored rows this batch speaks for
	if b.Kind == advisory.KindOSV {
		ids := map[string]bool{}
		for _, v := range b.Vulns {
			ids[v.ID] = true
		}
		for _, id := range b.Withdrawn {
			ids[id] = true
		}
		scope = func(key []any) bool { return ids[key[len(key)-1].(string)] }
	}
	aff := make([][]any, 0, len(b.Affected))
	for _, a := range b.Affected {
		aff = append(aff, []any{a.Distro, a.Release, a.Package, a.ID, string(a.Status), a.Fixed, a.Severity})
	}
	spec := affectedSpec(b.Source)
	d, err := syncRows(ctx, tx, spec, aff, scope)
	if err != nil {
		return d, err
	}
	info := make([][]any, 0, len(b.Vulns))
	for _, v := range b.Vulns {
		info = append(info, []any{v.ID, strings.Join(v.Aliases, " "), v.Summary, v.CVSS3, v.CVSS4, formatTime(v.Modified)})
	}
	d2, err := syncRows(ctx, tx, infoSpec(b.Source), info, scope)
	d.added, d.changed, d.removed = d.added+d2.added, d.changed+d2.changed, d.removed+d2.removed
	return d, err
}

func (s *SQLite) saveSource(ctx context.Context, tx *sql.Tx, b *advisory.Batch, changed bool) error {
	var n int
	q := `SELECT count(*) FROM vuln_affected WHERE source = ?`
	switch b.Kind {
	case advisory.KindKEV:
		q = `SELECT count(*) FROM vuln_kev WHERE ? != ''`
	case advisory.KindEPSS:
		q = `SELECT count(*) FROM vuln_epss WHERE ? != ''`
	}
	if err := tx.QueryRowContext(ctx, q, b.Source).Scan(&n); err != nil {
		return err
	}
	dataDate := b.DataDate
	var old, oldImported string
	err := tx.QueryRowContext(ctx, `SELECT data_date, imported FROM vuln_sources WHERE source = ?`, b.Source).Scan(&old, &oldImported)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	if b.Kind == advisory.KindOSV && parseTime(old).After(dataDate) {
		dataDate = parseTime(old) // a few older records merged into newer data
	}
	imported := formatTime(s.now())
	if !changed && oldImported != "" {
		imported = oldImported
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO vuln_sources(source, kind, origin, digest, imported, data_date, records) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(source) DO UPDATE SET kind = excluded.kind, origin = excluded.origin, digest = excluded.digest,
		imported = excluded.imported, data_date = excluded.data_date, records = excluded.records`,
		b.Source, string(b.Kind), b.Origin, b.Digest, imported, formatTime(dataDate), n)
	return err
}

// AdvisorySources implements Advisories.
func (s *SQLite) AdvisorySources(ctx context.Context) ([]SourceStatus, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT source, kind, origin, imported, data_date, records FROM vuln_sources ORDER BY source`)
	if err != nil {
		return nil, classify(s.path, err)
	}
	defer rows.Close()
	var out []SourceStatus
	for rows.Next() {
		var x SourceStatus
		var imp, dd string
		if err := rows.Scan(&x.Source, &x.Kind, &x.Origin, &imp, &dd, &x.Records); err != nil {
			return nil, classify(s.path, err)
		}
		x.Imported, x.DataDate = parseTime(imp), parseTime(dd)
		out = append(out, x)
	}
	return out, classify(s.path, rows.Err())
}

// AdvisorySlices implements Advisories.
func (s *SQLite) AdvisorySlices(ctx context.Context) ([]SliceStatus, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT a.distro, a.release, a.source, count(*), coalesce(min(v.data_date), '')
		FROM vuln_affected a LEFT JOIN vuln_sources v ON v.source = a.source
		GROUP BY a.distro, a.release, a.source ORDER BY a.distro, a.release, a.source`)
	if err != nil {
		return nil, classify(s.path, err)
	}
	defer rows.Close()
	var out []SliceStatus
	for rows.Next() {
		var d, r, src, dd string
		var n int
		if err := rows.Scan(&d, &r, &src, &n, &dd); err != nil {
			return nil, classify(s.path, err)
		}
		if len(out) == 0 || out[len(out)-1].Distro != d || out[len(out)-1].Release != r {
			out = append(out, SliceStatus{Distro: d, Release: r, DataDate: parseTime(dd)})
		}
		sl := &out[len(out)-1]
		sl.Rows += n
		sl.Sources = append(sl.Sources, src)
		if t := parseTime(dd); t.Before(sl.DataDate) {
			sl.DataDate = t
		}
	}
	return out, classify(s.path, rows.Err())
}

// AdvisorySlice implements Advisories.
func (s *SQLite) AdvisorySlice(ctx context.Context, distro, release string) (*advisory.Slice, error) {
	sl := &advisory.Slice{Distro: distro, Release: release, Vulns: map[string]advisory.Vuln{},
		KEV: map[string]advisory.KEV{}, EPSS: map[string]advisory.EPSS{}}
	err := s.query(ctx, `SELECT package, vuln_id, source, status, fixed, severity FROM vuln_affected WHERE distro = ? AND release = ?`,
		[]any{distro, release}, func(r *sql.Rows) error {
			a := advisory.Affected{Distro: distro, Release: release}
			var src, status string
			if err := r.Scan(&a.Package, &a.ID, &src, &status, &a.Fixed, &a.Severity); err != nil {
				return err
			}
			a.Status = advisory.Status(status)
			sl.Affected = append(sl.Affected, advisory.Sourced{Affected: a, Source: src})
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = s.query(ctx, `SELECT i.vuln_id, i.aliases, i.summary, i.cvss3, i.cvss4, i.modified FROM vuln_info i
		WHERE EXISTS (SELECT 1 FROM vuln_affected a WHERE a.source = i.source AND a.vuln_id = i.vuln_id AND a.distro = ? AND a.release = ?)`,
		[]any{distro, release}, func(r *sql.Rows) error {
			var v advisory.Vuln
			var aliases, mod string
			if err := r.Scan(&v.ID, &aliases, &v.Summary, &v.CVSS3, &v.CVSS4, &mod); err != nil {
				return err
			}
			v.Aliases, v.Modified = strings.Fields(aliases), parseTime(mod)
			if old, ok := sl.Vulns[v.ID]; ok {
				v = mergeVuln(old, v)
			}
			sl.Vulns[v.ID] = v
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = s.query(ctx, `SELECT cve, name, date_added, due_date, ransomware FROM vuln_kev`, nil, func(r *sql.Rows) error {
		var k advisory.KEV
		if err := r.Scan(&k.CVE, &k.Name, &k.DateAdded, &k.DueDate, &k.Ransomware); err != nil {
			return err
		}
		sl.KEV[k.CVE] = k
		return nil
	})
	if err != nil {
		return nil, err
	}
	cves := sl.CVEs()
	err = s.query(ctx, `SELECT cve, score, percentile FROM vuln_epss`, nil, func(r *sql.Rows) error {
		var e advisory.EPSS
		if err := r.Scan(&e.CVE, &e.Score, &e.Percentile); err != nil {
			return err
		}
		if cves[e.CVE] {
			sl.EPSS[e.CVE] = e
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	srcs, err := s.AdvisorySources(ctx)
	for _, x := range srcs {
		sl.Sources = append(sl.Sources, advisory.SourceInfo{Name: x.Source, DataDate: x.DataDate, Imported: x.Imported, Records: x.Records})
	}
	return sl, err
}

// mergeVuln keeps what either source said about a vulnerability.
func mergeVuln(a, b advisory.Vuln) advisory.Vuln {
	if a.Summary == "" {
		a.Summary = b.Summary
	}
	if a.CVSS3 == "" {
		a.CVSS3 = b.CVSS3
	}
	if a.CVSS4 == "" {
		a.CVSS4 = b.CVSS4
	}
	if len(a.Aliases) == 0 {
		a.Aliases = b.Aliases
	}
	return a
}

func (s *SQLite) query(ctx context.Context, q string, args []any, each func(*sql.Rows) error) error {
	return classify(s.path, txQuery(ctx, s.db, q, args, each))
}

func kevRows(b *advisory.Batch) [][]any {
	m := make([][]any, 0, len(b.KEV))
	for _, k := range b.KEV {
		m = append(m, []any{k.CVE, k.Name, k.DateAdded, k.DueDate, k.Ransomware})
	}
	return m
}

func epssRows(b *advisory.Batch) [][]any {
	m := make([][]any, 0, len(b.EPSS))
	for _, e := range b.EPSS {
		m = append(m, []any{e.CVE, e.Score, e.Percentile})
	}
	return m
}
