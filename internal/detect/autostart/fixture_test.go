package autostart

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil/dpkgfixture"
)

// clean is the lived-in fixture root with its dpkg database.
var clean = &dpkgfixture.Root{Clean: "testdata/clean.txtar", Owners: "testdata/owners.json"}

// fixture materialises the clean root plus extra txtar files, with the
// clean root's dpkg database (owners from testdata/owners.json).
func fixture(t testing.TB, extra string) string {
	t.Helper()
	return clean.Make(t, extra)
}

// fixtureOwned is fixture plus extra packages whose files (present in
// extra) are recorded with the digests they have in the root: packaged
// and pristine.
func fixtureOwned(t testing.TB, extra string, owners map[string][]string) string {
	t.Helper()
	dir := fixture(t, extra)
	tmp := t.TempDir()
	var pkgs []dpkgfixture.Package
	for _, name := range sortedKeys(owners) {
		for _, f := range owners[name] {
			copyInto(t, filepath.Join(dir, f), filepath.Join(tmp, f))
		}
		pkgs = append(pkgs, dpkgfixture.Package{Name: name, Files: owners[name]})
	}
	dpkgfixture.Write(t, tmp, pkgs...)
	status, err := os.ReadFile(filepath.Join(tmp, "var/lib/dpkg/status"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "var/lib/dpkg/status"), os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(append([]byte("\n"), status...)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	infos, _ := filepath.Glob(filepath.Join(tmp, "var/lib/dpkg/info/*"))
	for _, p := range infos {
		copyInto(t, p, filepath.Join(dir, "var/lib/dpkg/info", filepath.Base(p)))
	}
	return dir
}

// copyInto copies a file (a symlink as a symlink) to dst.
func copyInto(t testing.TB, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(src)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		l, err := os.Readlink(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(l, dst); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func sortedKeys(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func describe(f model.Finding) string {
	return f.Severity.String() + "/" + f.Confidence.String() + " " + f.RuleID + " " + f.Evidence.Path + ":" +
		itoa(f.Evidence.Line) + " [" + f.Evidence.User + " " + f.Evidence.When + " " + f.Evidence.Package + "] " +
		f.Evidence.Text + " {" + strings.Join(f.Indicators, ",") + "}"
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
