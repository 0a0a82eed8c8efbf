package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// rowSpec describes a table synchronised by syncRows: its key columns, its
// value columns and the WHERE clause (with arguments) that selects the
// rows one source owns.
type rowSpec struct {
	table string
	keys  []string // leading columns of each row; their values, joined, are the key
	vals  []string
	fixed map[string]any // columns set to a constant in every row (the source)
	where string
	args  []any
}

var (
	kevSpec  = rowSpec{table: "vuln_kev", keys: []string{"cve"}, vals: []string{"name", "date_added", "due_date", "ransomware"}, where: "1"}
	epssSpec = rowSpec{table: "vuln_epss", keys: []string{"cve"}, vals: []string{"score", "percentile"}, where: "1"}
)

func affectedSpec(source string) rowSpec {
	return rowSpec{table: "vuln_affected", keys: []string{"distro", "release", "package", "vuln_id"},
		vals: []string{"status", "fixed", "severity"}, fixed: map[string]any{"source": source}, where: "source = ?", args: []any{source}}
}

func infoSpec(source string) rowSpec {
	return rowSpec{table: "vuln_info", keys: []string{"vuln_id"}, vals: []string{"aliases", "summary", "cvss3", "cvss4", "modified"},
		fixed: map[string]any{"source": source}, where: "source = ?", args: []any{source}}
}

// rowDiff counts what syncRows wrote.
type rowDiff struct{ added, changed, removed int }

func (d rowDiff) changes() int { return d.added + d.changed + d.removed }

// syncRows makes the rows of spec equal to rowsWanted (each: key values
// then value values), writing only differences.
// Stored rows missing from want are deleted when inScope says the batch
// speaks for them (nil: every row of the source).
func syncRows(ctx context.Context, tx *sql.Tx, spec rowSpec, rowsWanted [][]any, inScope func(key []any) bool) (rowDiff, error) {
	var d rowDiff
	want := make(map[string][]any, len(rowsWanted))
	for _, v := range rowsWanted {
		want[rowKey(v[:len(spec.keys)])] = v
	}
	cols := append(append([]string(nil), spec.keys...), spec.vals...)
	have := map[string]string{}
	haveKeys := map[string][]any{}
	rows, err := tx.QueryContext(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM "+spec.table+" WHERE "+spec.where, spec.args...)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		v := make([]any, len(cols))
		ptr := make([]any, len(cols))
		for i := range v {
			ptr[i] = &v[i]
		}
		if err := rows.Scan(ptr...); err != nil {
			rows.Close()
			return d, err
		}
		k := rowKey(v[:len(spec.keys)])
		have[k] = rowKey(v)
		haveKeys[k] = v[:len(spec.keys)]
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, err
	}
	insCols := append([]string(nil), cols...)
	var fixedVals []any
	for c, v := range spec.fixed {
		insCols = append(insCols, c)
		fixedVals = append(fixedVals, v)
	}
	ins, err := tx.PrepareContext(ctx, "INSERT OR REPLACE INTO "+spec.table+"("+strings.Join(insCols, ", ")+") VALUES (?"+strings.Repeat(", ?", len(insCols)-1)+")")
	if err != nil {
		return d, err
	}
	defer ins.Close()
	for _, v := range want {
		k := rowKey(v[:len(spec.keys)])
		old, ok := have[k]
		if ok && old == rowKey(v) {
			continue
		}
		if _, err := ins.ExecContext(ctx, append(append([]any(nil), v...), fixedVals...)...); err != nil {
			return d, err
		}
		if ok {
			d.changed++
		} else {
			d.added++
		}
	}
	conds := make([]string, len(spec.keys))
	for i, c := range spec.keys {
		conds[i] = c + " = ?"
	}
	del, err := tx.PrepareContext(ctx, "DELETE FROM "+spec.table+" WHERE ("+spec.where+") AND "+strings.Join(conds, " AND "))
	if err != nil {
		return d, err
	}
	defer del.Close()
	for k, key := range haveKeys {
		if _, ok := want[k]; ok || (inScope != nil && !inScope(key)) {
			continue
		}
		if _, err := del.ExecContext(ctx, append(append([]any(nil), spec.args...), key...)...); err != nil {
			return d, err
		}
		d.removed++
	}
	return d, nil
}

// rowKey joins column values into one comparable string. Values come back
// from SQLite as int64, float64, string or []byte; booleans written are
// read back as integers, so both spell the same here.
func rowKey(v []any) string {
	var b strings.Builder
	for _, x := range v {
		switch y := x.(type) {
		case bool:
			if y {
				b.WriteString("1")
			} else {
				b.WriteString("0")
			}
		case []byte:
			b.Write(y)
		default:
			fmt.Fprint(&b, y)
		}
		b.WriteByte(0)
	}
	return b.String()
}
