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

	"github.com/vigil-ir/vigil/internal/grade/jobexec"
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

// The programs persistence entries run are copied and hashed, with the
// entry that runs each; one already collected elsewhere is not copied twice.
func TestCollectPersistencePrograms(t *testing.T) {
	_, res := collectFixture(t, ProfileTriage, false)
	entries := map[string]string{}
	for _, r := range res.Manifest.Programs {
		entries[r.Copied] = r.Entry
	}
	want := map[string]string{
		"/opt/updater/run.sh":           "/etc/systemd/system/updater.service:2",
		"/home/alice/.local/bin/helper": "/home/alice/.bashrc:2",
		"/usr/local/bin/backup":         "/etc/cron.d/backup:1",
	}
	for p, e := range want {
		if entries[p] != e {
			t.Errorf("program %s: entry %q, want %q (all: %v)", p, entries[p], e, entries)
		}
	}
	sections := map[string][]string{}
	for _, it := range res.Manifest.Items {
		sections[it.Path] = append(sections[it.Path], it.Section)
		if it.Path == "/opt/updater/run.sh" && it.SHA256 == "" {
			t.Error("a copied program without its digest")
		}
	}
	if s := sections["/opt/updater/run.sh"]; len(s) != 1 || s[0] != SectionPrograms {
		t.Errorf("/opt/updater/run.sh collected as %v, want once in %s", s, SectionPrograms)
	}
	if s := sections["/usr/local/bin/backup"]; len(s) != 1 || s[0] != SectionPersistence {
		t.Errorf("/usr/local/bin/backup collected as %v, want once (persistence)", s)
	}
}

func TestPersistenceCommands(t *testing.T) {
	for _, tc := range []struct {
		f          func(string) string
		line, want string
	}{
		{cronCommand(5, true), "0 3 * * * root /usr/local/bin/backup --all", "/usr/local/bin/backup --all"},
		{cronCommand(5, true), "@reboot root /opt/x", "/opt/x"},
		{cronCommand(5, false), "*/5 * * * * /tmp/.x/agent", "/tmp/.x/agent"},
		{cronCommand(5, false), "SHELL=/bin/sh", ""},
		{cronCommand(5, false), "# 0 3 * * * /opt/old", ""},
		{cronCommand(3, false), "1 5 cron.daily run-parts --report /etc/cron.daily", "run-parts --report /etc/cron.daily"},
		{cronCommand(5, true), "0 3 * * *", ""},
		{execCommand, "ExecStart=-/opt/updater/run.sh --daemon", "/opt/updater/run.sh --daemon"},
		{execCommand, "ExecStartPre=+@/usr/bin/true x", "/usr/bin/true x"},
		{execCommand, "Exec=/usr/bin/helper %u", "/usr/bin/helper %u"},
		{execCommand, "Description=Exec=/bin/no", ""},
		{shellCommand, "  # comment", ""},
	} {
		if got := tc.f(tc.line); got != tc.want {
			t.Errorf("%q -> %q, want %q", tc.line, got, tc.want)
		}
	}
}

func FuzzPersistenceCommands(f *testing.F) {
	f.Add("0 3 * * * root /usr/local/bin/backup")
	f.Add("ExecStart=-/opt/updater/run.sh --daemon")
	f.Fuzz(func(t *testing.T, line string) {
		for _, fn := range []func(string) string{cronCommand(5, true), cronCommand(3, false), execCommand, shellCommand} {
			if cmd := fn(line); cmd != "" {
				_ = jobexec.Programs(cmd, "/root")
			}
		}
	})
}
