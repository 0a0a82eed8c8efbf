package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/vuln/advisory"
)

// ExportedSource is one imported source read back as a batch (for the
// offline bundle of vigil db export).
type ExportedSource struct {
	Batch    *advisory.Batch
	Imported time.Time // when its data last changed in this store
}

// ExportAdvisories implements Advisories. One read transaction: the
// sources are consistent with each other.
func (s *SQLite) ExportAdvisories(ctx context.Context) ([]ExportedSource, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, classify(s.path, err)
	}
	defer tx.Rollback()
	var out []ExportedSource
	err = txQuery(ctx, tx, `SELECT source, kind, origin, digest, imported, data_date FROM vuln_sources ORDER BY source`, nil, func(r *sql.Rows) error {
		b := &advisory.Batch{}
		var kind, imp, dd string
		if err := r.Scan(&b.Source, &kind, &b.Origin, &b.Digest, &imp, &dd); err != nil {
			return err
		}
		b.Kind, b.DataDate = advisory.Kind(kind), parseTime(dd)
		out = append(out, ExportedSource{Batch: b, Imported: parseTime(imp)})
		return nil
	})
	for i := 0; err == nil && i < len(out); i++ {
		err = exportRows(ctx, tx, out[i].Batch)
	}
	if err != nil {
		return nil, classify(s.path, err)
	}
	return out, nil
}

// exportRows fills b with its source's rows, in the order the parsers
// give them (sortBatch's).
func exportRows(ctx context.Context, tx *sql.Tx, b *advisory.Batch) error {
	switch b.Kind {
	case advisory.KindKEV:
		return txQuery(ctx, tx, `SELECT cve, name, date_added, due_date, ransomware FROM vuln_kev ORDER BY cve`, nil, func(r *sql.Rows) error {
			var k advisory.KEV
			err := r.Scan(&k.CVE, &k.Name, &k.DateAdded, &k.DueDate, &k.Ransomware)
			b.KEV = append(b.KEV, k)
			return err
		})
	case advisory.KindEPSS:
		return txQuery(ctx, tx, `SELECT cve, score, percentile FROM vuln_epss ORDER BY cve`, nil, func(r *sql.Rows) error {
			var e advisory.EPSS
			err := r.Scan(&e.CVE, &e.Score, &e.Percentile)
			b.EPSS = append(b.EPSS, e)
			return err
		})
	}
	err := txQuery(ctx, tx, `SELECT distro, release, package, vuln_id, status, fixed, severity FROM vuln_affected
		WHERE source = ? ORDER BY distro, release, package, vuln_id`, []any{b.Source}, func(r *sql.Rows) error {
		var a advisory.Affected
		var st string
		err := r.Scan(&a.Distro, &a.Release, &a.Package, &a.ID, &st, &a.Fixed, &a.Severity)
		a.Status = advisory.Status(st)
		b.Affected = append(b.Affected, a)
		return err
	})
	if err != nil {
		return err
	}
	return txQuery(ctx, tx, `SELECT vuln_id, aliases, summary, cvss3, cvss4, modified FROM vuln_info WHERE source = ? ORDER BY vuln_id`,
		[]any{b.Source}, func(r *sql.Rows) error {
			var v advisory.Vuln
			var aliases, mod string
			err := r.Scan(&v.ID, &aliases, &v.Summary, &v.CVSS3, &v.CVSS4, &mod)
			v.Aliases, v.Modified = strings.Fields(aliases), parseTime(mod)
			b.Vulns = append(b.Vulns, v)
			return err
		})
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// txQuery runs q and calls each for every row.
func txQuery(ctx context.Context, tx querier, q string, args []any, each func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
