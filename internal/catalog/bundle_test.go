package catalog

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/vigil-ir/vigil/internal/testutil"
	"github.com/vigil-ir/vigil/rules"
)

// TestBundle: rules/catalog.gob is the embedded YAML parsed, field for
// field; -update rewrites it.
func TestBundle(t *testing.T) {
	want, err := parseEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	sum, err := sourceSum(rules.Checks, rules.Messages, rules.Indicators)
	if err != nil {
		t.Fatal(err)
	}
	if *testutil.Update {
		b, err := encodeBundle(want, sum)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("..", "..", "rules", "catalog.gob"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got := decodeBundle(rules.CatalogBundle, sum)
	if got == nil {
		t.Fatal("rules/catalog.gob is stale (the YAML changed): run go test ./internal/catalog -run TestBundle -update")
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("rules/catalog.gob differs from the YAML it claims: run go test ./internal/catalog -run TestBundle -update")
	}
}

// TestBundleStaleOrBroken: a bundle of other YAML, a truncated one or none
// is not used (the YAML is parsed instead).
func TestBundleStaleOrBroken(t *testing.T) {
	c, err := parseEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	b, err := encodeBundle(c, 42)
	if err != nil {
		t.Fatal(err)
	}
	if decodeBundle(b, 42) == nil {
		t.Fatal("a fresh bundle was refused")
	}
	for name, in := range map[string][]byte{"stale": b, "truncated": b[:len(b)/2], "empty": nil, "garbage": []byte("not gob")} {
		if decodeBundle(in, 43) != nil {
			t.Errorf("%s bundle used", name)
		}
	}
}
