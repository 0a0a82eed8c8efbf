package logs

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/logs/rules"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

const rootFiles = `-- etc/passwd --
root:x:0:0:root:/root:/bin/bash
deploy:x:1000:1000::/home/deploy:/bin/bash
-- etc/os-release --
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
ID=debian
-- etc/machine-id --
4f0c8e1a9b2d4c6e8f0a1b2c3d4e5f61
-- var/lib/dpkg/status --
Package: base-files
Status: install ok installed
Version: 12.4

`

// incidentAuth is an SSH brute force that succeeded, followed by a root
// shell, a new account and a sudoers edit.
func incidentAuth() string {
	var b strings.Builder
	for i := range 40 {
		user := []string{"root", "admin", "deploy", "oracle"}[i%4]
		fmt.Fprintf(&b, "Mar  1 09:%02d:%02d web1 sshd[%d]: Failed password for %s from 203.0.113.9 port %d ssh2\n", i/6, (i*10)%60, 2000+i, user, 40000+i)
	}
	b.WriteString("Mar  1 09:07:10 web1 sshd[2100]: Accepted password for deploy from 203.0.113.9 port 41000 ssh2\n")
	b.WriteString("Mar  1 09:07:40 web1 sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/bash\n")
	b.WriteString("Mar  1 09:08:02 web1 useradd[2200]: new user: name=sysupd, UID=1001, GID=1001, home=/home/sysupd, shell=/bin/bash, from=/dev/pts/0\n")
	b.WriteString("Mar  1 09:08:30 web1 sudo:   deploy : TTY=pts/0 ; PWD=/root ; USER=root ; COMMAND=/usr/bin/tee -a /etc/sudoers.d/sysupd\n")
	return b.String()
}

// cleanAuth is a week of an ordinary server's auth.log.
func cleanAuth() string {
	var b strings.Builder
	for d := 1; d <= 7; d++ {
		for h := 0; h < 24; h++ {
			fmt.Fprintf(&b, "Mar  %d %02d:17:01 web1 CRON[%d]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)\n", d, h, 100*d+h)
			fmt.Fprintf(&b, "Mar  %d %02d:17:01 web1 CRON[%d]: pam_unix(cron:session): session closed for user root\n", d, h, 100*d+h)
			if h == 9 {
				fmt.Fprintf(&b, "Mar  %d 09:30:12 web1 sshd[%d]: Accepted publickey for deploy from 10.0.0.5 port 52311 ssh2: ED25519 SHA256:3o2tXzJc1Nw\n", d, 900+d)
				fmt.Fprintf(&b, "Mar  %d 09:31:40 web1 sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/apt-get upgrade -y\n", d)
				fmt.Fprintf(&b, "Mar  %d 09:45:02 web1 sshd[%d]: Disconnected from user deploy 10.0.0.5 port 52311\n", d, 900+d)
			}
		}
	}
	return b.String()
}

func root(t *testing.T, auth string) string {
	return testutil.RootFromString(t, rootFiles+"-- var/log/auth.log --\n"+auth)
}

func TestLogsDetectorFires(t *testing.T) {
	res := enginetest.Run(t, New(Options{}), root(t, incidentAuth()), false)
	enginetest.Expect(t, res.Findings, []enginetest.Want{
		{Rule: rules.RuleBruteSource, Subject: "203.0.113.9", Severity: model.Medium},
		{Rule: rules.RuleLoginAfter, Subject: "deploy@203.0.113.9", Severity: model.High},
		{Rule: rules.RuleSudoShell, Subject: "deploy", Severity: model.Medium},
		{Rule: rules.RuleUserAdded, Subject: "sysupd", Severity: model.Medium},
		{Rule: rules.RuleSudoersEdit, Subject: "deploy", Severity: model.High},
		{Rule: RuleCoverage, Subject: "/var/log/auth.log", Severity: model.Info},
	})
	for _, f := range res.Find(rules.RuleLoginAfter) {
		if f.Evidence.Path != "/var/log/auth.log" || f.Evidence.Line != 41 || !strings.Contains(f.Evidence.Text, "Accepted password for deploy") {
			t.Errorf("evidence: %+v", f.Evidence)
		}
	}
	cov := res.Find(RuleCoverage)[0].Evidence.Extra
	if cov["lines"] != "44" || cov["unparsed"] != "0" {
		t.Errorf("coverage: %v", cov)
	}
}

func TestLogsDetectorQuiet(t *testing.T) {
	res := enginetest.Run(t, New(Options{}), root(t, cleanAuth()), false)
	enginetest.Quiet(t, res.Findings, model.Low)
}

func TestLogsDetectorFilesAndWindow(t *testing.T) {
	r := root(t, incidentAuth())
	// Only the last minutes: the brute force is outside the window.
	res := enginetest.Run(t, New(Options{Files: []string{"/var/log/auth.log"}, Rules: rules.Config{SuccessAfter: 100}}), r, false)
	if len(res.Find(rules.RuleBruteSource)) != 1 {
		t.Errorf("explicit file: %v", res.Rules())
	}
	res = enginetest.Run(t, New(Options{Files: []string{"/var/log/none.log"}}), r, false)
	if len(res.Gaps) == 0 {
		t.Errorf("a missing file is not a gap")
	}
}

func TestLogsRulesDeclared(t *testing.T) {
	enginetest.CheckRules(t, catalog.MustLoad(), New(Options{}))
}

// TestLogsDetectorWebAndAudit runs the real web and audit parsers into the
// rules: an injection, a WebShell POST, auditd stopped by a user.
func TestLogsDetectorWebAndAudit(t *testing.T) {
	access := `203.0.113.50 - - [01/Mar/2026:09:00:01 +0000] "GET /item.php?id=1%20UNION%20ALL%20SELECT%201,2,user()-- HTTP/1.1" 200 512 "-" "Mozilla/5.0"
203.0.113.50 - - [01/Mar/2026:09:00:05 +0000] "POST /wp-content/uploads/2026/03/x7.php HTTP/1.1" 200 31 "-" "Mozilla/5.0"
198.51.100.4 - - [01/Mar/2026:09:01:00 +0000] "GET /about/ HTTP/1.1" 200 4242 "-" "Mozilla/5.0"
`
	audit := `type=DAEMON_END msg=audit(1772355600.123:901): op=terminate auid=1000 uid=0 ses=3 pid=4242 subj=unconfined res=success
`
	r := testutil.RootFromString(t, rootFiles+"-- var/log/nginx/access.log --\n"+access+"-- var/log/audit/audit.log --\n"+audit)
	res := enginetest.Run(t, New(Options{}), r, false)
	enginetest.Expect(t, res.Findings, []enginetest.Want{
		{Rule: rules.RuleWebSQLi, Subject: "203.0.113.50", Severity: model.Medium},
		{Rule: rules.RuleWebShell, Subject: "/wp-content/uploads/2026/03/x7.php", Severity: model.High},
		{Rule: rules.RuleAuditdStopped, Subject: "auditd", Severity: model.Medium},
	})
	for _, f := range res.Find(rules.RuleWebSQLi) {
		if !strings.Contains(f.Evidence.Text, "UNION%20ALL%20SELECT") {
			t.Errorf("the request line is not the evidence: %q", f.Evidence.Text)
		}
	}
}

// TestNoAuthLog: a host with no authentication log (no auth.log or secure,
// no journal) says so as a gap — the SSH and account rules read nothing —
// and a host with one does not.
func TestNoAuthLog(t *testing.T) {
	noAuth := func(res enginetest.Result) bool {
		for _, g := range res.Gaps {
			if g.Msg.ID == "logs.gap.no-auth-log" {
				return true
			}
		}
		return false
	}
	bare := testutil.RootFromString(t, rootFiles+"-- var/log/dpkg.log --\n2026-03-01 09:00:00 install nginx:amd64 <none> 1.22.1-9\n")
	if res := enginetest.Run(t, New(Options{}), bare, false); !noAuth(res) {
		t.Errorf("no auth log and no gap: %+v", res.Gaps)
	}
	if res := enginetest.Run(t, New(Options{}), root(t, cleanAuth()), false); noAuth(res) {
		t.Errorf("auth.log read, yet the no-auth-log gap: %+v", res.Gaps)
	}
	secure := testutil.RootFromString(t, rootFiles+"-- var/log/secure --\n"+cleanAuth())
	if res := enginetest.Run(t, New(Options{}), secure, false); noAuth(res) {
		t.Errorf("secure read, yet the no-auth-log gap")
	}
	// Files named on the command line: the reader chose them.
	if res := enginetest.Run(t, New(Options{Files: []string{"/var/log/dpkg.log"}}), bare, false); noAuth(res) {
		t.Errorf("explicit files, yet the no-auth-log gap")
	}
}
