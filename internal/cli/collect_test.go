package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

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

// collect --encrypt-to writes an age file that evidence verify reads with
// --identity and refuses, saying what to do, without it.
func TestCollectEncrypted(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot)
	dir := t.TempDir()
	store := filepath.Join(dir, "state", "vigil.db")
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	idFile, recFile := filepath.Join(dir, "responder.key"), filepath.Join(dir, "responders.txt")
	if err := os.WriteFile(idFile, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	other, _ := age.GenerateX25519Identity()
	if err := os.WriteFile(recFile, []byte(other.Recipient().String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "web1.tar.zst.age")
	r := vigil(t, "collect", "--root", root, "-o", out, "--store", store, "--encrypt-to", id.Recipient().String(), "--encrypt-to", recFile)
	if r.code != 0 || !strings.Contains(r.err, "age to 2 recipient") {
		t.Fatalf("collect: exit %d: %s", r.code, r.err)
	}
	if r := vigil(t, "evidence", "verify", out, "--lang", "zh-CN"); r.code != ExitError || !strings.Contains(r.err, "--identity") {
		t.Errorf("verify without the key: exit %d: %s", r.code, r.err)
	}
	r = vigil(t, "evidence", "verify", out, "--identity", idFile, "--format", "json")
	rep := decode[evidence.Report](t, r)
	if r.code != 0 || !rep.OK || !rep.Encrypted || len(rep.Manifest.EncryptedTo) != 2 {
		t.Errorf("verify with the key: exit %d %+v\n%s", r.code, rep.Problems, r.err)
	}
	if r := vigil(t, "collect", "--root", root, "-o", filepath.Join(dir, "x"), "--store", store, "--encrypt-to", "hunter2"); r.code != ExitError {
		t.Errorf("a bad recipient: exit %d", r.code)
	}
}
