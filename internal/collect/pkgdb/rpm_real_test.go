package pkgdb

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vigil-ir/vigil/internal/target"
)

// TestRPMRealDatabases reads real rpm databases when VIGIL_RPMDB_TESTDATA
// names a directory of them (for instance go-rpmdb's pkg/testdata in the
// module cache: centos7-plain/Packages, ...). Each becomes a root with the
// file at /var/lib/rpm.
func TestRPMRealDatabases(t *testing.T) {
	dir := os.Getenv("VIGIL_RPMDB_TESTDATA")
	if dir == "" {
		t.Skip("VIGIL_RPMDB_TESTDATA not set")
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	for _, m := range matches {
		base := filepath.Base(m)
		if base != "Packages" && base != "Packages.db" && base != "rpmdb.sqlite" {
			continue
		}
		t.Run(filepath.Base(filepath.Dir(m))+"/"+base, func(t *testing.T) {
			root := t.TempDir()
			os.MkdirAll(filepath.Join(root, "var/lib/rpm"), 0o755)
			b, err := os.ReadFile(m)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(root, "var/lib/rpm", base), b, 0o644)
			g := &gaps{}
			db := Load(target.NewUnchecked(root, false), g)
			if db.Format() != "rpm" || len(g.Gaps) > 0 {
				t.Fatalf("format %q, gaps %+v", db.Format(), g.Gaps)
			}
			n := 0
			for range db.Files() {
				n++
			}
			o, _ := db.Owner("/usr/bin/bash")
			a, h, _ := db.Digest("/usr/bin/bash")
			if o == "" {
				o, _ = db.Owner("/bin/bash")
				a, h, _ = db.Digest("/bin/bash")
			}
			t.Logf("%d packages, %d paths, %d digests; /bin/bash: %s %s %s; /etc/passwd conffile %v", len(db.Packages()), db.Len(), n, o, a, h, db.IsConffile("/etc/passwd"))
		})
	}
}
