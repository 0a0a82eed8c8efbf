package pkgdb

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
)

const goodStanza = "Package: base-files\nStatus: install ok installed\nVersion: 12.4\nArchitecture: amd64\n\n"

// A database that exists and does not parse is a problem; one that parses
// is not, nor an empty database of another format beside the one in use.
func TestProblems(t *testing.T) {
	tests := []struct {
		name   string
		txtar  string
		format string // of the DB loaded
		whole  bool
		n      int
	}{
		{"clean dpkg", "-- var/lib/dpkg/status --\n" + goodStanza, "dpkg", false, 0},
		{"dpkg garbage", "-- var/lib/dpkg/status --\n\x00\x01\x02 not a status file\n", "", true, 1},
		{"dpkg emptied", "-- var/lib/dpkg/status --\n\n", "", true, 1},
		{"dpkg partly broken", "-- var/lib/dpkg/status --\n" + goodStanza + "Status: install ok installed\nVersion: 1.0\n\n", "dpkg", false, 1},
		{"apk garbage", "-- lib/apk/db/installed --\nR:orphan\n", "", true, 1},
		{"rpm garbage", "-- var/lib/rpm/rpmdb.sqlite --\nSQLite format 3? no, garbage\n", "", true, 1},
		{"empty dpkg beside apk", "-- var/lib/dpkg/status --\n-- lib/apk/db/installed --\nP:busybox\nV:1\nA:x86_64\n\n", "apk", false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := testutil.RootFromString(t, tc.txtar)
			g := &gaps{}
			db := Load(target.NewUnchecked(root, false), g)
			if db.Format() != tc.format {
				t.Fatalf("format %q, want %q", db.Format(), tc.format)
			}
			ps := db.Problems()
			if len(ps) != tc.n {
				t.Fatalf("problems %+v, want %d", ps, tc.n)
			}
			if tc.n > 0 && ps[0].Whole != tc.whole {
				t.Errorf("whole %v, want %v: %+v", ps[0].Whole, tc.whole, ps[0])
			}
			if tc.n > 0 && len(g.Gaps) == 0 {
				t.Errorf("no gap recorded")
			}
		})
	}
}
