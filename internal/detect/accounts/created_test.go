package accounts

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// The scan runs at enginetest.Now, 2026-11-24: shadow day 20781. The
// fixture's accounts were set on day 20514.
func TestNewAccountsAndOldHashes(t *testing.T) {
	jdoe := edit{pw, "", "jdoe:x:1001:1001:,,,:/home/jdoe:/bin/bash\n"}
	tests := []struct {
		name  string
		edits []edit
		rule  string
		sev   model.Severity
		extra string // an Extra key the evidence must have
	}{
		{"md5 hash among yescrypt", []edit{{sh, "ops:$y$j9T$6bYq3m7GkZ1j0bJ5Vd2tH.$3a9F1mQy8o3Qe0u1y8gJ6yKc7s2bD9r0v4n5x6w7z8A:", "ops:$1$abc$Zx8s0zG1xZ8p1q5cU5F0A/:"}},
			ruleLegacyHash, model.High, "system_default"},
		{"des hash", []edit{{sh, "ops:$y$j9T$6bYq3m7GkZ1j0bJ5Vd2tH.$3a9F1mQy8o3Qe0u1y8gJ6yKc7s2bD9r0v4n5x6w7z8A:", "ops:ab01FAX.bQRSU:"}},
			ruleLegacyHash, model.High, "scheme"},
		{"locked md5 on a service account", []edit{{sh, "games:*:", "games:!$1$abc$Zx8s0zG1xZ8p1q5cU5F0A/:"}},
			ruleLegacyHash, model.Medium, "scheme"},
		{"account added months later", []edit{jdoe, {sh, "", "jdoe:!:20700:0:99999:7:::\n"}, {"home/jdoe/.bashrc", "", "# skel\n"}},
			ruleCreated, model.Low, "others_newest"},
		{"account added this month with a password", []edit{jdoe, {sh, "", "jdoe:$y$j9T$a$b:20770:0:99999:7:::\n"}, {"home/jdoe/.bashrc", "", "# skel\n"}},
			ruleCreated, model.Medium, "home_ctime"},
		{"account written with its crontab", []edit{jdoe, {sh, "", "jdoe:!:20700:0:99999:7:::\n"}, {"home/jdoe/.bashrc", "", "# skel\n"},
			{"var/spool/cron/crontabs/jdoe mode=0600", "", "* * * * * /tmp/.j\n"}},
			ruleCreated, model.High, "written_with"},
		{"copied image: ctimes all alike, mtimes apart", []edit{jdoe, {sh, "", "jdoe:!:20700:0:99999:7:::\n"}, {"etc/hostname", "", "web1\n"},
			{"home/jdoe/.bashrc mtime=2026-09-01T10:00:00Z", "", "# skel\n"}, {"home/jdoe/ mtime=2026-09-01T10:00:00Z", "", ""},
			{"var/spool/cron/crontabs/jdoe mode=0600 mtime=2026-10-01T10:00:00Z", "", "* * * * * /tmp/.j\n"}},
			ruleCreated, model.Low, "others_newest"},
		{"copied image: written together by mtime", []edit{jdoe, {sh, "", "jdoe:!:20700:0:99999:7:::\n"}, {"etc/hostname", "", "web1\n"},
			{"home/jdoe/.bashrc mtime=2026-09-01T10:00:00Z", "", "# skel\n"}, {"home/jdoe/ mtime=2026-09-01T10:00:00Z", "", ""},
			{"var/spool/cron/crontabs/jdoe mode=0600 mtime=2026-09-01T10:04:00Z", "", "* * * * * /tmp/.j\n"}},
			ruleCreated, model.High, "written_with"},
		{"account written with its key", []edit{jdoe, {sh, "", "jdoe:!:20700:0:99999:7:::\n"}, {"home/jdoe/.profile", "", "# skel\n"},
			{"home/jdoe/.ssh/authorized_keys", "", "ssh-ed25519 AAAA x\n"}},
			ruleCreated, model.Medium, "written_with"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := enginetest.Run(t, New(), fixture(t, tc.edits...), false)
			got := r.Find(tc.rule)
			if len(got) != 1 {
				t.Fatalf("want one %s, got %v", tc.rule, r.Rules())
			}
			if f := got[0]; f.Severity != tc.sev || f.Evidence.Extra[tc.extra] == "" || f.Evidence.Line == 0 {
				t.Errorf("%s %s %+v", f.Severity, f.Subject, f.Evidence)
			}
		})
	}
}

// Accounts an administrator adds with the system, or hashes the system
// writes, are not reported.
func TestNewAccountsQuiet(t *testing.T) {
	tests := map[string][]edit{
		"second admin the same month": {{pw, "", "ann:x:1001:1001::/home/ann:/bin/bash\n"}, {sh, "", "ann:$y$j9T$a$b:20530:0:99999:7:::\n"}},
		"sha512 hash":                 {{sh, "ops:$y$j9T$6bYq3m7GkZ1j0bJ5Vd2tH.$3a9F1mQy8o3Qe0u1y8gJ6yKc7s2bD9r0v4n5x6w7z8A:", "ops:$6$salt$hash:"}},
		"md5 where the system writes md5": {{sh, "ops:$y$j9T$6bYq3m7GkZ1j0bJ5Vd2tH.$3a9F1mQy8o3Qe0u1y8gJ6yKc7s2bD9r0v4n5x6w7z8A:", "ops:$1$abc$Zx8s0zG1xZ8p1q5cU5F0A/:"},
			{"etc/login.defs", "ENCRYPT_METHOD SHA512", "ENCRYPT_METHOD MD5"}},
	}
	for name, edits := range tests {
		t.Run(name, func(t *testing.T) {
			r := enginetest.Run(t, New(), fixture(t, edits...), false)
			enginetest.Quiet(t, r.Findings, model.Medium)
			for _, f := range r.Find(ruleCreated) {
				t.Errorf("%s %s %s", f.Severity, f.RuleID, f.Subject)
			}
		})
	}
}

// A 0-byte passwd is one finding, not one per shadow line.
func TestEmptyPasswdIsOneFinding(t *testing.T) {
	root := testutil.RootFromString(t, "-- etc/passwd --\n-- etc/shadow --\nroot:*:20514::::::\ndaemon:*:20514::::::\nops:$y$j9T$a$b:20514::::::\n")
	r := enginetest.Run(t, New(), root, false)
	if got := r.Find(rulePasswdEmpty); len(got) != 1 || got[0].Evidence.Extra["shadow_entries"] != "3" {
		t.Fatalf("passwd empty: %v", r.Rules())
	}
	if n := len(r.Find(ruleNoPasswd)); n != 0 {
		t.Errorf("%d shadow-only findings on an empty passwd", n)
	}
}

func BenchmarkCreated(b *testing.B) {
	dir := fixture(b, edit{pw, "", "jdoe:x:1001:1001:,,,:/home/jdoe:/bin/bash\n"}, edit{sh, "", "jdoe:!:20700:0:99999:7:::\n"})
	for b.Loop() {
		enginetest.Run(b, New(), dir, false)
	}
}
