package yara

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func builtinScanner(t testing.TB) (*Rules, *Scanner) {
	t.Helper()
	r, bad, err := Load(nil, false)
	if err != nil || len(bad) > 0 {
		t.Fatal(err, bad)
	}
	s, err := r.NewScanner(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return r, s
}

// TestCorpus: each sample of testdata/corpus/bad (named RULE.N.ext, written
// for this test) fires its rule, every builtin rule has a sample, and the
// clean samples (application code that looks like the bad ones) fire none.
func TestCorpus(t *testing.T) {
	_, s := builtinScanner(t)
	covered := map[string]bool{}
	bad, _ := filepath.Glob("testdata/corpus/bad/*")
	for _, p := range bad {
		want, _, _ := strings.Cut(filepath.Base(p), ".")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		ms, err := s.Scan(b, FileInfo{Path: p}, 0)
		if err != nil {
			t.Fatal(p, err)
		}
		var got []string
		for _, m := range ms {
			got = append(got, m.Rule.Name)
			if m.Rule.Name == want {
				covered[want] = true
				if m.Rule.RuleID() == "files.yara.match" || !m.Rule.SeveritySet || m.Rule.Technique == "" || m.Rule.Description == "" {
					t.Errorf("%s: rule %s lacks family, severity, technique or description: %+v", p, want, m.Rule)
				}
			}
		}
		if !covered[want] {
			t.Errorf("%s: %s did not fire (got %v)", p, want, got)
		}
	}
	src, _ := Builtin()
	for _, f := range src {
		for _, line := range strings.Split(string(f.Text), "\n") {
			if name, ok := strings.CutPrefix(line, "rule "); ok && !covered[strings.TrimSpace(name)] {
				t.Errorf("%s: rule %s has no sample in testdata/corpus/bad", f.Name, name)
			}
		}
	}
	clean, _ := filepath.Glob("testdata/corpus/clean/*")
	if len(clean) < 10 {
		t.Fatalf("only %d clean samples", len(clean))
	}
	for _, p := range clean {
		b, _ := os.ReadFile(p)
		if ms, err := s.Scan(b, FileInfo{Path: p}, 0); err != nil || len(ms) > 0 {
			t.Errorf("%s: false positive %v %v", p, ms, err)
		}
	}
}

// TestQuietOnSystemTrees: Vigil's rules fire on no file of a Debian
// system (the debootstrap root of the end-to-end tests) nor of a WordPress
// server root. Skipped when those roots are not built, and with -short.
func TestQuietOnSystemTrees(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	_, s := builtinScanner(t)
	n := systemFiles(func(p, rel string, b []byte) {
		if ms, err := s.Scan(b, FileInfo{Path: rel}, 0); len(ms) > 0 || err != nil {
			for _, m := range ms {
				t.Errorf("%s: false positive %s", p, EvidenceText(m))
			}
			if err != nil {
				t.Errorf("%s: %v", p, err)
			}
		}
	})
	if n == 0 {
		t.Skip("VIGIL_E2E_ROOT / VIGIL_E2E_WP_ROOT not built")
	}
	t.Logf("%d files scanned, no match", n)
}

// systemFiles calls fn with every regular file of at most 16 MiB of the
// end-to-end roots that are built (VIGIL_E2E_ROOT, VIGIL_E2E_WP_ROOT): its
// host path, its path inside the root and its content. It returns how many.
func systemFiles(fn func(p, rel string, b []byte)) int {
	n := 0
	for _, root := range []string{os.Getenv("VIGIL_E2E_ROOT"), os.Getenv("VIGIL_E2E_WP_ROOT")} {
		if root == "" {
			continue
		}
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return nil
			}
			if fi, err := d.Info(); err != nil || fi.Size() > 16<<20 {
				return nil
			}
			if b, err := os.ReadFile(p); err == nil {
				n++
				fn(p, strings.TrimPrefix(p, root), b)
			}
			return nil
		})
	}
	return n
}
