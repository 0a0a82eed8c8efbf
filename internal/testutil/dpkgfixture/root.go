package dpkgfixture

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/vigil-ir/vigil/internal/testutil"
)

// Root makes fixture roots from a clean txtar root and a JSON file of its
// packages ({"package": ["usr/bin/x", ...]}). The clean root's dpkg
// database is computed once per test binary: its digests come from the
// clean files, so an extra file that replaces a packaged one shows up as
// modified, and one that adds a file shows up as unowned.
type Root struct {
	Clean  string // path of the clean txtar, e.g. testdata/clean.txtar
	Owners string // path of the owners JSON, e.g. testdata/owners.json

	once  sync.Once
	files map[string][]byte // var/lib/dpkg relative path -> content
}

// Make materialises the clean root plus the extra txtar files, with the
// clean root's dpkg database.
func (r *Root) Make(t testing.TB, extra string) string {
	t.Helper()
	clean, err := os.ReadFile(r.Clean)
	if err != nil {
		t.Fatal(err)
	}
	r.once.Do(func() { r.files = r.build(t, string(clean)) })
	if r.files == nil {
		t.Fatal("dpkg fixture database could not be built")
	}
	dir := testutil.RootFromString(t, string(clean)+extra)
	for rel, b := range r.files {
		p := filepath.Join(dir, "var/lib/dpkg", rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func (r *Root) build(t testing.TB, clean string) map[string][]byte {
	var owners map[string][]string
	b, err := os.ReadFile(r.Owners)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &owners); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(owners))
	for n := range owners {
		names = append(names, n)
	}
	sort.Strings(names)
	var pkgs []Package
	for _, n := range names {
		pkgs = append(pkgs, Package{Name: n, Files: owners[n]})
	}
	base := testutil.RootFromString(t, clean)
	Write(t, base, pkgs...)
	out := map[string][]byte{}
	from := filepath.Join(base, "var/lib/dpkg")
	err = filepath.Walk(from, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		out[rel], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
