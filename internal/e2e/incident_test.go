package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// Every planted trick of the incident fixture must be reported at or above
// a severity, by a rule of the expected category, pointing at the file.
// incidentRoot writes the incident fixture into a new directory. txtar
// keeps no extended attributes: cap_setuid+ep on the copied interpreter is
// set here (vfs_cap_data v2: magic|effective, permitted bit 7), where the
// filesystem and privileges allow it; capsSet says whether it was.
func incidentRoot(t *testing.T) (root string, capsSet bool) {
	t.Helper()
	root = testutil.RootFromTxtar(t, "testdata/incident.txtar")
	capsSet = unix.Lsetxattr(filepath.Join(root, "var/tmp/.py/python3"), "security.capability",
		[]byte{1, 0, 0, 2, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0) == nil
	if !capsSet {
		t.Log("file capabilities not settable here (needs root and xattrs): the capability finding is not expected")
	}
	return root, capsSet
}

func TestIncidentRoot(t *testing.T) {
	root, capsSet := incidentRoot(t)
	r, code, stderr := scan(t, "--root", root)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (findings at or above high); stderr: %s", code, stderr)
	}
	want := []struct {
		category, path, subject string
		min                     model.Severity
	}{
		{"accounts", "/etc/passwd", "sysadm", model.Critical},       // second UID 0
		{"accounts", "/etc/shadow", "sysadm", model.High},           // no password
		{"accounts", "/etc/passwd", "www-data", model.Medium},       // service account with a shell
		{"accounts", "/etc/shadow", "ops", model.High},              // MD5-crypt hash among yescrypt ones
		{"accounts", "/etc/shadow", "svc", model.High},              // added months later, with its crontab
		{"auth", "/etc/sudoers.d/www", "", model.High},              // NOPASSWD ALL for www-data
		{"auth", "/etc/pam.d/sshd", "", model.Critical},             // pam_permit sufficient
		{"auth", "/etc/sudoers.d/nobody.bak", "", model.Critical},   // dormant: sudo skips the name
		{"auth", "/etc/sudoers.d/zz-defaults", "", model.High},      // credentials never expire
		{"auth", "/etc/pam.d/su", "pam_succeed_if", model.Critical}, // uid >= 0 sufficient
		{"persistence", "/etc/cron.d/php-sessionclean2", "", model.Critical},
		{"persistence", "/var/spool/cron/crontabs/www-data", "", model.Critical},
		{"persistence", "/etc/systemd/system/kworker.service", "", model.High},
		{"persistence", "/etc/ld.so.preload", "", model.High},
		{"persistence", "/root/.bashrc", "", model.High}, // alias sudo
		{"persistence", "/etc/profile.d/z-update.sh", "", model.Critical},
		{"persistence", "/etc/apt/apt.conf.d/99update", "", model.High},
		{"persistence", "/etc/udev/rules.d/75-net.rules", "", model.High},
		{"ssh", "/root/.ssh/authorized_keys", "", model.High},       // forced command download-exec
		{"ssh", "/etc/ssh/sshd_config", "", model.Medium},           // AuthorizedKeysFile in /tmp, empty passwords
		{"ssh", "/root/.ssh/config", "", model.High},                // ProxyCommand from /dev/shm
		{"ssh", "/var/www/.ssh/authorized_keys2", "", model.Medium}, // dormant key of a service account
		{"ssh", "/home/ops/.ssh/authorized_keys", "", model.Medium}, // a reverse shell that does not parse
		{"web", "/var/www/html/wp-content/uploads/2024/03/thumb.php", "", model.High},
		{"web", "/var/www/html/wp-content/uploads/.htaccess", "", model.High},
		{"logs", "/var/log/wtmp", "", model.High},                                            // symlink to /dev/null
		{"history", "/root/.bash_history", "", model.High},                                   // history to /dev/null
		{"tools", "/tmp/.x/frpc.ini", "", model.High},                                        // tunnel to an outside server
		{"tools", "/var/tmp/.x/config.json", "", model.High},                                 // miner config
		{"integrity", "/usr/bin/sudo_helper", "", model.High},                                // unowned setuid
		{"persistence", "/etc/modules-load.d/netfilter.conf", "diamorphine", model.Critical}, // rootkit by module name, no module tree
		{"persistence", "/usr/local/lib/libprocesshider.so", "", model.Critical},             // user-land rootkit by file name
		{"persistence", "/etc/ld.so.conf.d/zz-cache.conf", "", model.High},                   // library directory in /dev/shm
		{"files", "/tmp/.../kworker", "", model.High},                                        // daemon name in a "..." directory
		{"persistence", "/etc/cron.daily/apt-compat.sh", "", model.Medium},                   // inert: not executable, dotted name
		{"persistence", "/etc/systemd/system/dbus-cache.service", "", model.Medium},          // unowned unit writing into /dev/shm
		{"persistence", "/etc/rc.common", "", model.Medium},                                  // boot script Linux never reads
		{"persistence", "/home/ops/.profile", "", model.Medium},                              // a reverse tunnel added to a start-up file
		{"persistence", "/etc/cron.d/logrotate-helper", "", model.High},                      // encoded python one-liner
		{"persistence", "/etc/cron.hourly/sync.sh", "", model.Low},                           // inert: run-parts skips a dotted name
		{"files", "/var/tmp/.s", "", model.High},                                             // copy of the shadow hashes
		{"integrity", "/var/lib/dpkg/status", "", model.Medium},                              // a package record cut out
		{"logs", "/var/log/auth.log", "", model.High},                                        // emptied with no rotation, on a system people used
	}
	if capsSet {
		want = append(want, struct {
			category, path, subject string
			min                     model.Severity
		}{"integrity", "/var/tmp/.py/python3", "", model.Critical}) // cap_setuid on an unpackaged copy
	}
	for _, w := range want {
		found := false
		for _, f := range r.Findings {
			if f.Category == w.category && f.Evidence.Path == w.path && f.Severity >= w.min &&
				(w.subject == "" || strings.Contains(f.Subject, w.subject) || strings.Contains(f.Evidence.User, w.subject)) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("missing: %s finding >= %s on %s %s", w.category, w.min, w.path, w.subject)
		}
	}
	if t.Failed() {
		var b strings.Builder
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "  %-8s %-40s %s %s\n", f.Severity, f.RuleID, f.Evidence.Path, f.Subject)
		}
		t.Logf("findings:\n%s", b.String())
	}
	for _, f := range r.Findings {
		if strings.HasPrefix(f.Evidence.Path, root) {
			t.Errorf("finding leaks the host path of the root: %s", f.Evidence.Path)
		}
		if f.Fingerprint == "" || f.Title == "" || f.Why == "" {
			t.Errorf("incomplete finding %s: %+v", f.RuleID, f)
		}
	}
}
