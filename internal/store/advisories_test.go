package store

import (
	"context"
	"testing"

	"github.com/vigil-ir/vigil/internal/vuln/advisory"
	"github.com/vigil-ir/vigil/internal/vuln/vulntest"
)

func importAll(t *testing.T, s *SQLite, paths ...string) []ImportStats {
	t.Helper()
	var out []ImportStats
	for _, p := range paths {
		bs, err := advisory.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range bs {
			st, err := s.ImportAdvisories(context.Background(), b)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, st)
		}
	}
	return out
}

// dump is every advisory row of the store, to compare two states.
func dump(t *testing.T, s *SQLite) string {
	t.Helper()
	var out string
	for _, tbl := range []string{"vuln_sources", "vuln_affected", "vuln_info", "vuln_kev", "vuln_epss"} {
		rows, err := s.db.Query(`SELECT * FROM ` + tbl + ` ORDER BY 1, 2`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			v := make([]any, len(cols))
			p := make([]any, len(cols))
			for i := range v {
				p[i] = &v[i]
			}
			rows.Scan(p...)
			out += tbl + ":" + rowKey(v) + "\n"
		}
		rows.Close()
	}
	return out
}

func TestImportAdvisoriesIdempotent(t *testing.T) {
	s, _ := openTemp(t)
	f, err := vulntest.Write(t.TempDir(), t0)
	if err != nil {
		t.Fatal(err)
	}
	first := importAll(t, s, f.All()...)
	for _, st := range first {
		if st.Added == 0 || st.Unchanged {
			t.Errorf("first import of %s: %+v", st.Source, st)
		}
	}
	before := dump(t, s)
	// Same files: the digest shortcut.
	for _, st := range importAll(t, s, f.All()...) {
		if !st.Unchanged {
			t.Errorf("second import of %s changed something: %+v", st.Source, st)
		}
	}
	// Same data, new bytes (reformatted, other file dates): the row diff.
	s.db.Exec(`UPDATE vuln_sources SET digest = 'other'`)
	for _, st := range importAll(t, s, f.All()...) {
		if st.Added+st.Changed+st.Removed != 0 {
			t.Errorf("re-import of the same data of %s: %+v", st.Source, st)
		}
	}
	s.db.Exec(`UPDATE vuln_sources SET digest = 'x'`) // undo the marker for the comparison
	after := dump(t, s)
	if strip(before) != strip(after) {
		t.Errorf("importing the same data twice changed the store:\n%s\n---\n%s", before, after)
	}
	srcs, err := s.AdvisorySources(context.Background())
	if err != nil || len(srcs) != 4 {
		t.Fatalf("sources %+v %v", srcs, err)
	}
	slices, _ := s.AdvisorySlices(context.Background())
	if len(slices) != 2 || slices[1].Distro != "debian" || slices[1].Release != "12" || slices[1].Rows != 7 {
		t.Errorf("slices %+v", slices)
	}
	sl, err := s.AdvisorySlice(context.Background(), "debian", "12")
	if err != nil || len(sl.Affected) != 7 || sl.KEV["CVE-2099-0001"].DueDate == "" || sl.EPSS["CVE-2099-0001"].Score == 0 ||
		sl.Vulns["DSA-9901-1"].CVSS3 == "" || len(sl.Sources) != 4 {
		t.Errorf("slice %+v %v", sl, err)
	}
}

// strip drops the digest column values, which the test rewrote.
func strip(s string) string {
	var out []byte
	for _, line := range splitLines(s) {
		if len(line) > 13 && line[:13] == "vuln_sources:" {
			continue
		}
		out = append(out, line+"\n"...)
	}
	return string(out)
}

func splitLines(s string) []string {
	var l []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		l = append(l, s[:i])
		if i < len(s) {
			i++
		}
		s = s[i:]
	}
	return l
}

// TestImportOSVMergesAndWithdraws: an OSV batch of a few records adds to
// the source; a withdrawn record's rows go; a snapshot source drops what
// its new file no longer lists.
func TestImportOSVMergesAndWithdraws(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	f, _ := vulntest.Write(t.TempDir(), t0)
	importAll(t, s, f.OSVZip, f.Tracker)
	one := &advisory.Batch{Source: "osv:Debian", Kind: advisory.KindOSV, Digest: "d2", DataDate: t0,
		Affected: []advisory.Affected{{Distro: "debian", Release: "12", Package: "curl", ID: "DSA-9999-1", Status: advisory.Fixed, Fixed: "7.88.1-10+deb12u9"}},
		Vulns:    []advisory.Vuln{{ID: "DSA-9999-1"}}, Withdrawn: []string{"DSA-9901-1"}}
	st, err := s.ImportAdvisories(ctx, one)
	if err != nil || st.Added != 2 || st.Removed != 2 {
		t.Fatalf("merge: %+v %v", st, err)
	}
	var n int
	s.db.QueryRow(`SELECT count(*) FROM vuln_affected WHERE source = 'osv:Debian'`).Scan(&n)
	if n != 4 { // 4 rows before, one withdrawn, one added
		t.Errorf("osv rows after merge: %d", n)
	}
	tr := &advisory.Batch{Source: "debian-tracker", Kind: advisory.KindDebianTracker, Digest: "t2", DataDate: t0,
		Affected: []advisory.Affected{{Distro: "debian", Release: "12", Package: "openssh", ID: "CVE-2099-0006", Status: advisory.Fixed, Fixed: "1:9.2p1-2+deb12u6", Severity: "low"}}}
	st, err = s.ImportAdvisories(ctx, tr)
	if err != nil || st.Changed != 1 || st.Removed < 4 {
		t.Fatalf("snapshot replace: %+v %v", st, err)
	}
}
