package evidence

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// testKey is a fixed signing key, so tests need no state directory.
var testKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))

// collectFixture collects the fixture root with the named profile and
// returns the archive's bytes and the result.
func collectFixture(t *testing.T, profile string, secrets bool) ([]byte, *Result) {
	t.Helper()
	var buf bytes.Buffer
	res := collectTo(t, testutil.RootFromTxtar(t, "testdata/root.txtar"), profile, secrets, &buf)
	return buf.Bytes(), res
}

// collectRoot collects root and returns the result.
func collectRoot(t *testing.T, root, profile string, secrets bool) *Result {
	t.Helper()
	return collectTo(t, root, profile, secrets, io.Discard)
}

func collectTo(t *testing.T, root, profile string, secrets bool, w io.Writer, mods ...func(*Options)) *Result {
	t.Helper()
	tg, err := target.OpenRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	prof, err := GetProfile(profile)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{
		Target: tg, Profile: prof, Secrets: secrets, Key: testKey,
		Manifest: Manifest{Tool: "vigil", Version: "test", Command: []string{"vigil", "collect"}},
		Open:     func(int64) (io.Writer, error) { return w, nil },
	}
	for _, m := range mods {
		m(&o)
	}
	res, err := Collect(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// masked is the manifest with what changes from run to run blanked:
// times, the root's temporary path.
func masked(t *testing.T, m *Manifest) []byte {
	t.Helper()
	c := *m
	c.Started, c.Finished = time.Time{}, time.Time{}
	c.Target.Root = "ROOT"
	c.Footprint.PID = 0
	c.Items = nil
	for _, it := range m.Items {
		it.Mtime, it.Ctime, it.Atime = time.Time{}, time.Time{}, time.Time{}
		if it.UID != 0 { // the fixture's files belong to whoever runs the test
			it.UID, it.GID, it.Owner, it.Group = -1, -1, "", ""
		}
		c.Items = append(c.Items, it)
	}
	c.Mounts = nil
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func TestCollectGolden(t *testing.T) {
	for _, tc := range []struct {
		profile string
		secrets bool
		golden  string
	}{
		{ProfileTriage, false, "testdata/triage.golden.json"},
		{ProfileFull, true, "testdata/full-secrets.golden.json"},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			ar, res := collectFixture(t, tc.profile, tc.secrets)
			testutil.Golden(t, tc.golden, masked(t, res.Manifest))
			rep, err := Verify(bytes.NewReader(ar), testKey.Public().(ed25519.PublicKey))
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK || rep.Checked != len(res.Manifest.Items) {
				t.Fatalf("fresh archive does not verify: %+v", rep.Problems)
			}
		})
	}
}

func TestCollectSecretsAndScope(t *testing.T) {
	_, res := collectFixture(t, ProfileTriage, false)
	names := map[string]bool{}
	for _, it := range res.Manifest.Items {
		names[it.Path] = true
	}
	skipped := map[string]string{}
	for _, s := range res.Manifest.Skipped {
		skipped[s.Path] = s.Reason.ID
	}
	for _, p := range []string{"/etc/shadow", "/etc/ssh/ssh_host_ed25519_key", "/etc/nginx/tls/site.pem", "/root/.ssh/id_ed25519"} {
		if names[p] {
			t.Errorf("secret %s collected without --secrets", p)
		}
		if skipped[p] != "evidence.skip.secret" {
			t.Errorf("secret %s not listed as skipped secret: %q", p, skipped[p])
		}
	}
	for _, p := range []string{"/etc/passwd", "/var/log/auth.log", "/var/spool/cron/crontabs/root", "/root/.bash_history",
		"/home/alice/.python_history", "/usr/lib/systemd/system/evil.service", "/var/lib/dpkg/status", "/etc/alternatives/editor"} {
		if !names[p] {
			t.Errorf("%s not collected", p)
		}
	}
	if names["/opt/data/big.bin"] {
		t.Error("a place outside the profile was collected")
	}
	if skipped["/etc/initctl"] != "evidence.skip.special" {
		t.Errorf("FIFO not listed as skipped: %q", skipped["/etc/initctl"])
	}
	if skipped["/proc (processes)"] != "evidence.skip.offline" {
		t.Error("an offline root must say why no processes were read")
	}
	for _, it := range res.Manifest.Items {
		if strings.HasPrefix(it.Path, "/proc") || it.Kind == KindKernel {
			t.Errorf("the analysing machine's state entered an offline collection: %s", it.Name)
		}
	}
}

// What the scans flagged is copied even outside the profile's places, once.
func TestCollectFlagged(t *testing.T) {
	root := testutil.RootFromTxtar(t, "testdata/root.txtar")
	tg, err := target.OpenRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	prof, _ := GetProfile(ProfileTriage)
	res, err := Collect(context.Background(), Options{
		Target: tg, Profile: prof, Key: testKey, Flagged: []string{"/opt/data/big.bin", "/etc/passwd", "/no/such", "/tmp/[x]"},
		Open: func(int64) (io.Writer, error) { return io.Discard, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]string{}
	for _, it := range res.Manifest.Items {
		if _, dup := n[it.Path]; dup {
			t.Errorf("%s collected twice", it.Path)
		}
		n[it.Path] = it.Section
	}
	if n["/opt/data/big.bin"] != SectionFlagged || n["/etc/passwd"] != SectionConfig {
		t.Errorf("flagged: big.bin in %q, passwd in %q", n["/opt/data/big.bin"], n["/etc/passwd"])
	}
}
