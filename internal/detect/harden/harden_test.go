package harden

import (
	"testing"

	"os"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

func TestWeakFires(t *testing.T) {
	root := fixture(t, "testdata/weak.txtar")
	r := enginetest.Run(t, New(), root, false)
	enginetest.Expect(t, r.Findings, []enginetest.Want{
		{Rule: ruleMinLength, Subject: "common-password: minlen 6", Severity: model.Medium},
		{Rule: ruleQuality, Subject: "/etc/pam.d/common-password: letters, digits, symbols not required", Severity: model.Low},
		{Rule: ruleMaxAge, Subject: "PASS_MAX_DAYS 99999", Severity: model.Low},
		{Rule: ruleFirewall, Severity: model.Medium},
		{Rule: ruleCoreDump, Severity: model.Low},
		{Rule: ruleSysctl, Subject: "kernel.randomize_va_space = 0", Severity: model.Low},
		{Rule: ruleSysctl, Subject: "net.ipv4.conf.all.accept_redirects = 1", Severity: model.Low},
		{Rule: ruleUpdates, Severity: model.Low},
		{Rule: ruleAudit, Subject: "auditd", Severity: model.Medium},
		{Rule: ruleRetention, Subject: "/etc/logrotate.d/rsyslog: auth.log, syslog (28)", Severity: model.Low},
		{Rule: ruleVolatile, Subject: "journald Storage=auto", Severity: model.Medium},
		{Rule: ruleTimeSync, Severity: model.Low},
		{Rule: ruleLockout, Subject: "/etc/pam.d/common-auth", Severity: model.Low},
		{Rule: ruleTimeout, Subject: "TMOUT", Severity: model.Low},
		{Rule: ruleUmask, Subject: "UMASK 022", Severity: model.Low},
	})
	for _, f := range r.Findings {
		if f.RuleID == ruleSysctl && f.Evidence.Extra["key"] == "net.ipv4.tcp_syncookies" {
			t.Errorf("a setting at the baseline reported: %s", f.Subject)
		}
	}
}

func TestHardenedIsQuiet(t *testing.T) {
	root := fixture(t, "testdata/hardened.txtar")
	r := enginetest.Run(t, New(), root, false)
	enginetest.Quiet(t, r.Findings, model.Info)
}

// fixture writes a txtar fixture root.
func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return testutil.RootFromString(t, string(b))
}

func BenchmarkHarden(b *testing.B) {
	data, err := os.ReadFile("testdata/weak.txtar")
	if err != nil {
		b.Fatal(err)
	}
	root := testutil.RootFromString(b, string(data))
	for b.Loop() {
		enginetest.Run(b, New(), root, false)
	}
}

// TestHostileInput: hostile versions of every file the check parses leave
// the sysctl finding of the weak root reported.
func TestHostileInput(t *testing.T) {
	enginetest.Hostile{
		Detector: New(),
		Root:     func(tb testing.TB) string { return fixture(tb, "testdata/weak.txtar") },
		Trace:    []enginetest.Want{{Rule: ruleSysctl, Subject: "kernel.randomize_va_space = 0", Severity: model.Low}},
		Files: []string{"/etc/pam.d/common-password", "/etc/login.defs", "/etc/security/limits.conf", "/etc/security/limits.d/",
			"/etc/sysctl.d/", "/etc/sysctl.conf", "/etc/security/pwquality.conf", "/etc/security/pwquality.conf.d/", "/etc/nftables.conf", "/etc/apt/apt.conf.d/", "/etc/ufw/ufw.conf",
			"/etc/logrotate.conf", "/etc/logrotate.d/", "/etc/pam.d/common-auth", "/etc/profile", "/etc/systemd/journald.conf"},
		Needs: []string{"/etc/sysctl.d/99-local.conf"},
	}.Run(t)
}
