package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/vuln/vulntest"
)

func TestDbImportAndStatus(t *testing.T) {
	db := filepath.Join(t.TempDir(), "v.db")
	f, err := vulntest.Write(t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if r := vigil(t, "db", "status", "--store", db); r.code != 0 || !strings.Contains(r.out, "vigil db import") {
		t.Fatalf("status of no store: %+v", r)
	}
	r := vigil(t, append([]string{"db", "import", "--store", db}, f.All()...)...)
	if r.code != 0 || strings.Count(r.out, "added") != 4 {
		t.Fatalf("import: %+v", r)
	}
	before := vigil(t, "db", "status", "--store", db, "--format", "json")
	st := decode[app.DBStatus](t, before)
	if len(st.Sources) != 4 || len(st.Slices) != 2 {
		t.Fatalf("status %+v", st)
	}
	r = vigil(t, append([]string{"db", "import", "--store", db}, f.All()...)...)
	if r.code != 0 || strings.Count(r.out, "unchanged") != 4 {
		t.Fatalf("second import: %+v", r)
	}
	// A truncated file is refused; the data stays as it was.
	b, _ := os.ReadFile(f.Tracker)
	cut := filepath.Join(t.TempDir(), "tracker.json")
	os.WriteFile(cut, b[:len(b)/2], 0o644)
	r = vigil(t, "db", "import", "--store", db, f.KEV, cut)
	if r.code != ExitError || !strings.Contains(r.err, cut) || !strings.Contains(r.err, "nothing was changed") || r.out != "" {
		t.Fatalf("truncated import: %+v", r)
	}
	if after := vigil(t, "db", "status", "--store", db, "--format", "json"); after.out != before.out {
		t.Errorf("a refused import changed the data:\n%s\n%s", before.out, after.out)
	}
	zh := vigil(t, "db", "status", "--store", db, "--lang", "zh-CN")
	if !strings.Contains(zh.out, "数据源") || !strings.Contains(zh.out, "debian 12") {
		t.Errorf("status in Chinese: %s", zh.out)
	}
}
