package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/evidence"
	"github.com/vigil-ir/vigil/internal/testutil"
)

func TestCollectAndVerify(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot)
	dir := t.TempDir()
	store := filepath.Join(dir, "state", "vigil.db")
	out := filepath.Join(dir, "web1.tar.zst")

	r := vigil(t, "collect", "--root", root, "-o", out, "--store", store)
	if r.code != 0 {
		t.Fatalf("collect: exit %d: %s", r.code, r.err)
	}
	if !strings.Contains(r.err, "a new signing key was made") || r.out != "" {
		t.Errorf("first collection must say it made a key, and write nothing on stdout:\n%s", r.err)
	}
	pub := filepath.Join(dir, "state", evidence.KeyFile+".pub")
	if r := vigil(t, "evidence", "verify", out, "--pubkey", pub); r.code != 0 {
		t.Fatalf("verify: exit %d\n%s%s", r.code, r.out, r.err)
	}

	// Refusals: an existing file, a place inside the target, no -o.
	for _, args := range [][]string{
		{"collect", "--root", root, "-o", out, "--store", store},
		{"collect", "--root", root, "-o", filepath.Join(root, "tmp", "x.tar.zst"), "--store", store},
		{"collect", "--root", root, "--store", store},
		{"collect", "--root", root, "-o", filepath.Join(dir, "y"), "--profile", "huge", "--store", store},
	} {
		if r := vigil(t, args...); r.code != ExitError {
			t.Errorf("%v: exit %d, want 2", args, r.code)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "tmp", "x.tar.zst")); err == nil {
		t.Error("an archive was written inside the target")
	}

	// -o - streams the archive on stdout; it verifies like a file.
	r = vigil(t, "collect", "--root", root, "-o", "-", "--store", store)
	if r.code != 0 || len(r.out) == 0 {
		t.Fatalf("collect -o -: exit %d: %s", r.code, r.err)
	}
	streamed := filepath.Join(dir, "streamed.tar.zst")
	os.WriteFile(streamed, []byte(r.out), 0o600)
	if r := vigil(t, "evidence", "verify", streamed, "--pubkey", pub, "--lang", "zh-CN"); r.code != 0 || !strings.Contains(r.out, "验证通过") {
		t.Fatalf("verify of a streamed archive: exit %d\n%s%s", r.code, r.out, r.err)
	}

	// A damaged archive: exit 1, the problem named.
	b, _ := os.ReadFile(out)
	bad := filepath.Join(dir, "bad.tar.zst")
	os.WriteFile(bad, b[:len(b)/2], 0o600)
	if r := vigil(t, "evidence", "verify", bad); r.code != ExitFindings || !strings.Contains(r.out, "FAILED") {
		t.Errorf("truncated archive: exit %d\n%s", r.code, r.out)
	}
}
