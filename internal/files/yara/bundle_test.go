package yara

import (
	"archive/tar"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/vigil-ir/vigil/internal/testutil"
	"github.com/vigil-ir/vigil/rules"
)

const (
	srcDir     = "../../../rules/yara"
	bundlePath = "../../../rules/yara/rules.tar.zst"
)

// TestBundleUpToDate keeps the embedded bundle equal to rules/yara/*.yar;
// go test ./internal/files/yara -run Bundle -update rewrites it.
func TestBundleUpToDate(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join(srcDir, "*.yar"))
	if len(paths) == 0 {
		t.Fatal("no rules/yara/*.yar")
	}
	files := map[string][]byte{}
	var names []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = b
		names = append(names, filepath.Base(p))
	}
	sort.Strings(names)
	if *testutil.Update {
		b, err := bundle(files, names)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bundlePath, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", bundlePath, len(b))
		return
	}
	got, err := unbundle(rules.YARA)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(names) {
		t.Fatalf("bundle has %d files, rules/yara has %d: run go test ./internal/files/yara -run Bundle -update", len(got), len(names))
	}
	for i, s := range got {
		if want := filepath.Join(builtinDir, names[i]); s.Name != want || !bytes.Equal(s.Text, files[names[i]]) {
			t.Fatalf("bundle differs from %s: run go test ./internal/files/yara -run Bundle -update", want)
		}
	}
}

// TestBinaryHidesRuleStrings: the running binary (this test's, which
// links the same embedded bundle as vigil) holds none of the rules'
// strings in clear, so other scanners do not flag Vigil's binary.
func TestBinaryHidesRuleStrings(t *testing.T) {
	src, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range src {
		for _, lit := range literals(string(s.Text)) {
			n++
			if bytes.Contains(bin, []byte(lit)) && !elsewhere(t, lit) {
				t.Errorf("%s: %q is in the binary in clear", s.Name, lit)
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d literal strings found in the rules: the test reads them wrong", n)
	}
}

// elsewhere reports whether lit is in Vigil's other sources (a catalog
// text, another check's Go code): there, not in the YARA bundle, is where
// the binary got it.
func elsewhere(t *testing.T, lit string) bool {
	t.Helper()
	found := false
	_ = filepath.WalkDir("../../..", func(p string, d fs.DirEntry, err error) error {
		if err != nil || found {
			return filepath.SkipAll
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "yara" || strings.HasPrefix(d.Name(), ".")) && p != "../../.." {
			return filepath.SkipDir
		}
		if d.IsDir() || strings.HasSuffix(p, "_test.go") || !(strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".yaml")) {
			return nil
		}
		b, err := os.ReadFile(p)
		found = err == nil && bytes.Contains(b, []byte(lit))
		return nil
	})
	return found
}

// literals returns the text strings ("...") of the rules' strings sections
// that are signatures: at least 8 bytes, and not plain lower-case English
// words ("decryption", "private key"), which any binary may hold.
func literals(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "$") {
			continue
		}
		_, v, ok := strings.Cut(line, "= \"")
		if !ok {
			continue
		}
		i := strings.LastIndex(v, "\"")
		if i < 8 || strings.Trim(v[:i], "abcdefghijklmnopqrstuvwxyz ") == "" {
			continue
		}
		out = append(out, strings.ReplaceAll(v[:i], `\"`, `"`))
	}
	return out
}

// bundle makes the zstd-compressed tar of the named files (sorted by the
// caller), with fixed headers so that the same rules give the same bytes.
func bundle(files map[string][]byte, names []string) ([]byte, error) {
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	for _, n := range names {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), Format: tar.FormatPAX}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(files[n]); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	zw, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	return zw.EncodeAll(tb.Bytes(), nil), nil
}
