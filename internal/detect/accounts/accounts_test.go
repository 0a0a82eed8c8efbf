package accounts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// edit changes one file of the clean fixture: replace old with new, or
// append new when old is empty. A file not in the fixture is added.
type edit struct{ file, old, new string }

// fixture returns the clean Debian root with edits applied.
func fixture(t testing.TB, edits ...edit) string {
	t.Helper()
	ar, err := txtar.ParseFile("testdata/clean.txtar")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		found := false
		for i := range ar.Files {
			f := &ar.Files[i]
			if strings.Fields(f.Name)[0] != strings.Fields(e.file)[0] {
				continue
			}
			found = true
			if strings.Contains(e.file, " ") {
				f.Name = e.file // new directives (mtime, fifo)
			}
			s := string(f.Data)
			if e.old == "" {
				s += e.new
			} else {
				if !strings.Contains(s, e.old) {
					t.Fatalf("fixture edit: %q not in %s", e.old, e.file)
				}
				s = strings.Replace(s, e.old, e.new, 1)
			}
			f.Data = []byte(s)
		}
		if !found {
			ar.Files = append(ar.Files, txtar.File{Name: e.file, Data: []byte(e.new)})
		}
	}
	return testutil.RootFromArchive(t, ar)
}

func TestCleanDebianIsQuiet(t *testing.T) {
	r := enginetest.Run(t, New(), fixture(t), false)
	enginetest.Quiet(t, r.Findings, model.Low)
	for _, f := range r.Findings {
		t.Logf("%s %s %s", f.Severity, f.RuleID, f.Subject)
	}
	if !r.Has(ruleAdmin, "account ops in group sudo") {
		t.Errorf("sudo member not inventoried: %v", r.Rules())
	}
	for _, g := range r.Gaps {
		t.Errorf("unexpected gap: %+v", g)
	}
}

// Files edited in place keep the fixture's old mtime.
const (
	pw = "etc/passwd"
	sh = "etc/shadow"
	gr = "etc/group"
)

func TestFires(t *testing.T) {
	tests := []struct {
		name    string
		edits   []edit
		rule    string
		subject string // substring of the subject
		sev     model.Severity
	}{
		{"uid0 backdoor", []edit{{pw, "", "toor:x:0:0::/root:/bin/bash\n"}, {sh, "", "toor:$6$aa$bbbb:20514:0:99999:7:::\n"}},
			ruleUID0, "toor", model.Critical},
		{"uid0 by 32-bit wrap", []edit{{pw, "", "svc:x:4294967296:100::/home/svc:/bin/bash\n"}},
			ruleUID0, "svc", model.Critical},
		{"second root line", []edit{{pw, "", "root:x:0:0:root:/root:/bin/sh\n"}},
			ruleDupUID, "uid 0", model.High},
		{"duplicate uid", []edit{{pw, "", "backup2:x:1000:1000::/home/ops:/bin/bash\n"}, {sh, "", "backup2:!:20514::::::\n"}},
			ruleDupUID, "uid 1000", model.Medium},
		{"duplicate gid of sudo", []edit{{gr, "", "helpers:x:27:mallory\n"}},
			ruleDupGID, "gid 27", model.Medium},
		{"primary gid 0 login", []edit{{pw, "", "deploy:x:1001:0::/home/ops:/bin/bash\n"}, {sh, "", "deploy:$6$aa$bb:20514:0:99999:7:::\n"}},
			ruleGID0, "deploy", model.High},
		{"root group member", []edit{{gr, "root:x:0:", "root:x:0:ops"}},
			ruleGID0, "ops", model.Medium},
		{"empty shadow password root", []edit{{sh, "root:$y$j9T$Fx0bd3PXH1X0Y6x2bS7Mq/$9yqN3Xq1d0j4yEpf0WwM7v0e3aXxgF7kqsR0q9gW8c5:", "root::"}},
			rulePwEmpty, "root", model.Critical},
		{"empty shadow password user", []edit{{sh, "ops:$y$j9T$6bYq3m7GkZ1j0bJ5Vd2tH.$3a9F1mQy8o3Qe0u1y8gJ6yKc7s2bD9r0v4n5x6w7z8A:", "ops::"}},
			rulePwEmpty, "ops", model.High},
		{"empty passwd field", []edit{{pw, "ops:x:1000", "ops::1000"}},
			rulePwEmpty, "ops", model.Critical},
		{"hash in passwd", []edit{{pw, "ops:x:1000", "ops:$1$abc$Zx8s0zG1xZ8p1q5cU5F0A/:1000"}},
			rulePwInPasswd, "ops", model.High},
		{"passwd only", []edit{{pw, "", "hax:x:1002:1002::/tmp:/bin/bash\n"}},
			ruleNoShadow, "hax", model.High},
		{"shadow only", []edit{{sh, "", "ghost:$6$aa$bb:20514:0:99999:7:::\n"}},
			ruleNoPasswd, "ghost", model.Medium},
		{"recent account", []edit{{pw, "", "jdoe:x:1001:1001:,,,:/home/ops:/bin/bash\n"}, {sh, "", "jdoe:$y$j9T$a$b:20779:0:99999:7:::\n"}},
			ruleRecent, "jdoe", model.Medium},
		{"recent root password", []edit{{sh, "9gW8c5:20514:", "9gW8c5:20781:"}},
			ruleRecent, "root", model.Medium},
		{"fresh passwd mtime", []edit{{"etc/passwd mtime=2026-11-22T03:00:00Z", "", ""}},
			ruleFilesChanged, "/etc/passwd", model.Info},
		{"service account in sudo", []edit{{gr, "sudo:x:27:ops", "sudo:x:27:ops,www-data"}},
			ruleAdmin, "www-data in group sudo", model.Medium},
		{"wheel member without home", []edit{{gr, "", "wheel:x:10:ghost2\n"}, {pw, "", "ghost2:x:1003:1003::/home/ghost2:/bin/bash\n"}, {sh, "", "ghost2:!:20514::::::\n"}},
			ruleAdmin, "ghost2 in group wheel", model.Medium},
		{"www-data shell", []edit{{pw, "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin", "www-data:x:33:33:www-data:/var/www:/bin/bash"}},
			ruleSvcLogin, "www-data", model.High},
		{"daemon shell", []edit{{pw, "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin", "daemon:x:1:1:daemon:/usr/sbin:/bin/sh"}},
			ruleSvcLogin, "daemon", model.Medium},
		{"service password", []edit{{sh, "games:*:", "games:$6$rounds=5000$aa$bb:"}},
			ruleSvcPassword, "games", model.High},
		{"shell in tmp", []edit{{pw, "ops:x:1000:1000:ops,,,:/home/ops:/bin/bash", "ops:x:1000:1000:ops,,,:/home/ops:/tmp/.x/bash"}},
			ruleLocation, "ops", model.High},
		{"home in dev shm", []edit{{pw, "ops:x:1000:1000:ops,,,:/home/ops:", "ops:x:1000:1000:ops,,,:/dev/shm/ops:"}},
			ruleLocation, "ops", model.Medium},
		{"shell unlisted", []edit{{pw, "ops:x:1000:1000:ops,,,:/home/ops:/bin/bash", "ops:x:1000:1000:ops,,,:/home/ops:/usr/local/bin/bash"}, {"usr/local/bin/bash", "", "x"}},
			ruleUnlisted, "ops", model.Medium},
		{"nis compat uid0 active", []edit{{pw, "", "+::0:0:::\n"}, {"etc/nsswitch.conf", "passwd:         files systemd", "passwd:         compat"}},
			ruleCompat, "/etc/passwd:24", model.Critical},
		{"nis compat inert", []edit{{pw, "", "+@admins\n"}},
			ruleCompat, "/etc/passwd:24", model.Low},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := enginetest.Run(t, New(), fixture(t, tc.edits...), false)
			var got []string
			for _, f := range r.Find(tc.rule) {
				if strings.Contains(f.Subject, tc.subject) {
					if f.Severity != tc.sev {
						t.Errorf("%s on %s: severity %s, want %s", tc.rule, f.Subject, f.Severity, tc.sev)
					}
					if strings.Contains(f.Evidence.Text, "$6$aa$bb") || strings.Contains(f.Evidence.Text, "$y$j9T") {
						t.Errorf("evidence leaks a hash: %q", f.Evidence.Text)
					}
					if f.Evidence.Path == "" || (f.RuleID != ruleFilesChanged && f.Evidence.Line == 0) {
						t.Errorf("evidence incomplete: %+v", f.Evidence)
					}
					return
				}
				got = append(got, f.Subject)
			}
			t.Errorf("no %s finding on %q; got %v (all: %v)", tc.rule, tc.subject, got, r.Rules())
		})
	}
}

// Distribution defaults that look odd are not intrusions.
func TestDistroDefaultsQuiet(t *testing.T) {
	tests := []struct {
		name  string
		edits []edit
	}{
		{"postgres with bash", []edit{{pw, "", "postgres:x:105:111:PostgreSQL administrator,,,:/var/lib/postgresql:/bin/bash\n"}, {sh, "", "postgres:!:20514::::::\n"}}},
		{"rhel sync halt shutdown operator", []edit{{pw, "", "shutdown:x:206:0:shutdown:/sbin:/sbin/shutdown\nhalt:x:207:0:halt:/sbin:/sbin/halt\noperator:x:211:0:operator:/root:/sbin/nologin\n"}, {sh, "", "shutdown:*:20514:0:99999:7:::\nhalt:*:20514:0:99999:7:::\noperator:*:20514:0:99999:7:::\n"}}},
		{"home not mounted", []edit{{"home/ops/", "", ""}, {pw, "ops:x:1000:1000:ops,,,:/home/ops:", "ops:x:1000:1000:ops,,,:/home/ops2:"}}},
		{"ubuntu syslog in adm", []edit{{pw, "", "syslog:x:104:111::/home/syslog:/usr/sbin/nologin\n"}, {sh, "", "syslog:!:20514::::::\n"}, {gr, "adm:x:4:", "adm:x:4:syslog,ops"}}},
		{"git-shell user", []edit{{pw, "", "git:x:1001:1001::/home/git:/usr/bin/git-shell\n"}, {sh, "", "git:!:20514::::::\n"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := enginetest.Run(t, New(), fixture(t, tc.edits...), false)
			enginetest.Quiet(t, r.Findings, model.Low)
		})
	}
}

// A server installed this week has every shadow date in the window: the
// accounts created with the system are not "recent changes".
func TestFreshInstallIsQuiet(t *testing.T) {
	dir := fixture(t,
		edit{"etc/shadow mode=0640 mtime=2026-11-23T09:00:00Z", ":20514:", ":20780:"},
	)
	// Rewrite every day, not just the first.
	p := filepath.Join(dir, "etc/shadow")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(strings.ReplaceAll(string(b), ":20514:", ":20780:")), 0o640); err != nil {
		t.Fatal(err)
	}
	r := enginetest.Run(t, New(), dir, false)
	enginetest.Quiet(t, r.Findings, model.Low)
	// An account added a day later still is.
	dir = fixture(t, edit{pw, "", "jdoe:x:1001:1001::/home/ops:/bin/bash\n"}, edit{sh, "", "jdoe:$y$j9T$a$b:20781:0:99999:7:::\n"})
	b, _ = os.ReadFile(filepath.Join(dir, "etc/shadow"))
	os.WriteFile(filepath.Join(dir, "etc/shadow"), []byte(strings.ReplaceAll(string(b), ":20514:", ":20780:")), 0o640)
	if r := enginetest.Run(t, New(), dir, false); !r.Has(ruleRecent, "account jdoe") {
		t.Errorf("account added after the install not reported: %v", r.Rules())
	}
}

// The Debian root CI builds with debootstrap (scripts/debian-root.sh), when
// present: a real, freshly installed system must give nothing above info.
func TestRealDebianRoot(t *testing.T) {
	root := os.Getenv("VIGIL_E2E_ROOT")
	if root == "" {
		root = "/var/cache/vigil-e2e/bookworm"
	}
	if _, err := os.Stat(filepath.Join(root, "etc/passwd")); err != nil {
		t.Skip("no Debian root")
	}
	r := enginetest.RunTarget(t, New(), target.NewUnchecked(root, false), engine.Options{Now: func() time.Time { return time.Now() }})
	enginetest.Quiet(t, r.Findings, model.Low)
}

func TestUnreadableShadowIsAGapNotFindings(t *testing.T) {
	r := enginetest.Run(t, New(), fixture(t, edit{"etc/shadow fifo", "", ""}), false)
	enginetest.Quiet(t, r.Findings, model.Low)
	if len(r.Gaps) != 1 || r.Gaps[0].Path != "/etc/shadow" || r.Gaps[0].Check != "users" {
		t.Errorf("gaps = %+v", r.Gaps)
	}
}

func BenchmarkAccounts(b *testing.B) {
	dir := fixture(b)
	for b.Loop() {
		enginetest.Run(b, New(), dir, false)
	}
}
