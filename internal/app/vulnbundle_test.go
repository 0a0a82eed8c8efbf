package app

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-ir/vigil/internal/evidence"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/testutil"
)

func emptyStore(t *testing.T) *store.SQLite {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "v.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// exportTo writes the store's bundle to a file, signed with priv.
func exportTo(t *testing.T, st store.Advisories, priv ed25519.PrivateKey) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "advisories.vdb")
	var buf bytes.Buffer
	if _, err := ExportAdvisoryBundle(context.Background(), st, &buf, priv, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func slices12(t *testing.T, st store.Advisories) []store.ExportedSource {
	t.Helper()
	x, err := st.ExportAdvisories(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestBundleRoundTrip: a signed bundle carries the whole database to an
// empty store, and vigil vuln there judges as on the producer.
func TestBundleRoundTrip(t *testing.T) {
	ctx := context.Background()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	pub := priv.Public().(ed25519.PublicKey)
	src := vulnStore(t, time.Now())
	file := exportTo(t, src, priv)

	dst := emptyStore(t)
	res, err := ImportAdvisoryFiles(ctx, dst, []string{file}, ImportOptions{Trusted: []ed25519.PublicKey{pub}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Notes) != 1 || res.Notes[0].ID != "vuln.db.bundle-verified" || len(res.Stats) != 4 {
		t.Fatalf("notes %v stats %+v", res.Notes, res.Stats)
	}
	a, b := slices12(t, src), slices12(t, dst)
	for i := range a {
		a[i].Batch.Origin, b[i].Batch.Origin, a[i].Batch.Digest, b[i].Batch.Digest = "", "", "", ""
		a[i].Imported, b[i].Imported = time.Time{}, time.Time{}
	}
	if d := cmp.Diff(a, b); d != "" {
		t.Errorf("imported data differs (-producer +importer):\n%s", d)
	}
	rep, err := vulnScan(t, dst, testutil.RootFromString(t, vulnRoot), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Vulnerabilities) == 0 {
		t.Error("nothing matched from the bundle's data")
	}

	// the same bundle again changes nothing
	res, err = ImportAdvisoryFiles(ctx, dst, []string{file}, ImportOptions{Trusted: []ed25519.PublicKey{pub}})
	for _, s := range res.Stats {
		if err != nil || !s.Unchanged {
			t.Errorf("second import: %+v %v", s, err)
		}
	}
}

// TestBundleRefused: a wrong key, an unsigned or tampered bundle, or an
// older one than the store's is refused, and the store is as it was.
func TestBundleRefused(t *testing.T) {
	ctx := context.Background()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	pub := priv.Public().(ed25519.PublicKey)
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{4}, 32)).Public().(ed25519.PublicKey)
	old := exportTo(t, vulnStore(t, time.Now().Add(-72*time.Hour)), priv)
	fresh := vulnStore(t, time.Now())
	file := exportTo(t, fresh, priv)
	unsigned := exportTo(t, fresh, nil)
	raw, _ := os.ReadFile(file)
	tampered := filepath.Join(t.TempDir(), "tampered.vdb")
	raw[bytes.LastIndex(raw, []byte("advisories.json.gz"))+512+40] ^= 1 // inside the content entry's data
	os.WriteFile(tampered, raw, 0o644)
	truncated := filepath.Join(t.TempDir(), "truncated.vdb")
	os.WriteFile(truncated, raw[:len(raw)/2], 0o644)

	dst := emptyStore(t)
	if _, err := ImportAdvisoryFiles(ctx, dst, []string{file}, ImportOptions{Trusted: []ed25519.PublicKey{pub}}); err != nil {
		t.Fatal(err)
	}
	before := slices12(t, dst)
	for _, c := range []struct {
		name string
		file string
		opt  ImportOptions
		want string
	}{
		{"wrong key", file, ImportOptions{Trusted: []ed25519.PublicKey{other}}, "vuln.err.bundle"},
		{"unsigned", unsigned, ImportOptions{Trusted: []ed25519.PublicKey{pub}}, "vuln.err.bundle"},
		{"tampered", tampered, ImportOptions{Trusted: []ed25519.PublicKey{pub}, Insecure: true}, "vuln.err.import-rejected"},
		{"truncated", truncated, ImportOptions{Trusted: []ed25519.PublicKey{pub}, Insecure: true}, "vuln.err.import-rejected"},
		{"replayed older", old, ImportOptions{Trusted: []ed25519.PublicKey{pub}}, "vuln.err.bundle-older"},
	} {
		t.Run(c.name, func(t *testing.T) {
			// a good file alongside: all or nothing
			good, _ := vulntestKEV(t)
			_, err := ImportAdvisoryFiles(ctx, dst, []string{good, c.file}, c.opt)
			var me *MsgError
			if !errors.As(err, &me) || me.Msg.ID != c.want {
				t.Fatalf("err %v, want %s", err, c.want)
			}
			if d := cmp.Diff(before, slices12(t, dst)); d != "" {
				t.Errorf("the store changed:\n%s", d)
			}
		})
	}
	// --insecure takes an unsigned bundle, --allow-older an older one, and say so
	res, err := ImportAdvisoryFiles(ctx, dst, []string{unsigned}, ImportOptions{Insecure: true})
	if err != nil || len(res.Notes) != 1 || res.Notes[0].ID != "vuln.db.bundle-insecure" {
		t.Errorf("insecure: %v %v", res.Notes, err)
	}
	res, err = ImportAdvisoryFiles(ctx, dst, []string{old}, ImportOptions{Trusted: []ed25519.PublicKey{pub}, AllowOlder: true})
	if err != nil || len(res.Notes) != 1 || res.Notes[0].ID != "vuln.db.bundle-older-allowed" {
		t.Errorf("allow older: %v %v", res.Notes, err)
	}
}

// vulntestKEV is a plain advisory file with a different KEV catalog.
func vulntestKEV(t *testing.T) (string, error) {
	p := filepath.Join(t.TempDir(), "kev.json")
	return p, os.WriteFile(p, []byte(`{"title":"t","catalogVersion":"2026.12.01","dateReleased":"2026-12-01T00:00:00Z","count":1,
		"vulnerabilities":[{"cveID":"CVE-2099-7777","vulnerabilityName":"x","dateAdded":"2026-12-01","dueDate":"2026-12-22","knownRansomwareCampaignUse":"Unknown"}]}`), 0o644)
}

func TestBundleKeys(t *testing.T) {
	dir := t.TempDir()
	kf := filepath.Join(dir, "vigil-db.key")
	pubFile, id, err := NewBundleKey(kf)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := NewBundleKey(kf); err == nil {
		t.Error("keygen overwrote a key")
	}
	if _, err := BundleKey(filepath.Join(dir, "typo.key")); err == nil {
		t.Error("a missing secret key was made instead of refused")
	}
	if _, err := os.Stat(filepath.Join(dir, "typo.key")); err == nil {
		t.Error("a mistyped key name created a key")
	}
	priv, err := BundleKey(kf)
	if err != nil {
		t.Fatal(err)
	}
	pub := priv.Public().(ed25519.PublicKey)
	two := filepath.Join(dir, "two.pub")
	b, _ := os.ReadFile(pubFile)
	os.WriteFile(two, append([]byte("# producers\n\n"+evidence.PublicKeyText(ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey))+" old key\n"), b...), 0o644)
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if k, err := TrustedKeys([]string{two}, env(nil)); err != nil || len(k) != 2 || !k[1].Equal(pub) || evidence.KeyFingerprint(k[1]) != id {
		t.Errorf("--keys: %v %v", k, err)
	}
	if k, err := TrustedKeys(nil, env(map[string]string{"VIGIL_DB_KEYS": pubFile})); err != nil || len(k) != 1 {
		t.Errorf("VIGIL_DB_KEYS: %v %v", k, err)
	}
	if _, err := TrustedKeys([]string{filepath.Join(dir, "none")}, env(nil)); err == nil {
		t.Error("a missing --keys file accepted")
	}
	bad := filepath.Join(dir, "bad.pub")
	os.WriteFile(bad, []byte("ssh-ed25519 AAAA x\n"), 0o644)
	if _, err := TrustedKeys([]string{bad}, env(nil)); err == nil {
		t.Error("a bad keys file accepted")
	}
	if k, err := parseKeyLines(EmbeddedBundleKeys); err != nil || len(k) != 0 {
		t.Errorf("embedded keys: %v %v", k, err)
	}
}
