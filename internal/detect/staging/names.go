package staging

import (
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/lazyre"
)

// daemonNames are the names of system daemons and kernel threads that
// droppers give their programs so that ps and top show nothing odd.
var daemonNames = map[string]bool{
	"crond": true, "cron": true, "atd": true, "anacron": true, "sshd": true, "init": true,
	"rsyslogd": true, "syslogd": true, "syslog-ng": true, "klogd": true, "dbus-daemon": true,
	"udevd": true, "irqbalance": true, "agetty": true, "getty": true, "polkitd": true,
	"auditd": true, "ntpd": true, "chronyd": true, "acpid": true, "cupsd": true,
	"avahi-daemon": true, "NetworkManager": true, "snapd": true, "containerd": true,
	"dockerd": true, "sd-pam": true, "nscd": true, "accounts-daemon": true, "upowerd": true,
	"multipathd": true, "haveged": true, "smartd": true, "master": true, "qmgr": true,
	"pickup": true, "mysqld": true, "mariadbd": true, "nginx": true, "httpd": true,
	"apache2": true, "php-fpm": true, "named": true, "dhclient": true, "wpa_supplicant": true,
	"rpcbind": true, "rpc.statd": true, "gssproxy": true, "tuned": true, "firewalld": true,
	"kthreadd": true, "kworker": true, "ksoftirqd": true, "kswapd0": true, "kauditd": true,
	"khugepaged": true, "kdevtmpfs": true, "kblockd": true, "watchdogd": true, "migration": true,
	"rcu_sched": true, "rcu_gp": true, "jbd2": true, "kcompactd0": true, "oom_reaper": true,
	"writeback": true, "kintegrityd": true, "ksmd": true, "kthrotld": true, "netns": true,
}

// kthreadShape is the shape of a kernel thread's name as ps shows it
// (kworker/0:1H, [kswapd0], migration/3).
var kthreadShape = lazyre.New(`^\[?(?:kworker|ksoftirqd|kthreadd|kswapd|migration|rcu_\w+|watchdog|cpuhp|kcompactd|jbd2|scsi_eh|irq)[/:_0-9\-\]]`)

// daemonLike reports whether a file name passes for a system daemon or a
// kernel thread.
func daemonLike(name string) bool {
	n := strings.TrimSuffix(strings.TrimPrefix(name, "["), "]")
	return daemonNames[n] || strings.HasPrefix(n, "systemd-") || kthreadShape.MatchString(name)
}

// programExt are the extensions of files that hold no program: images,
// documents, logs and style sheets. A program under such a name hides
// what it is.
var programExt = map[string]string{
	".png": "image", ".jpg": "image", ".jpeg": "image", ".gif": "image", ".bmp": "image",
	".ico": "image", ".svg": "image", ".webp": "image", ".tif": "image", ".tiff": "image",
	".mp3": "media", ".mp4": "media", ".avi": "media", ".wav": "media", ".pdf": "document",
	".doc": "document", ".docx": "document", ".xls": "document", ".xlsx": "document",
	".txt": "text", ".log": "text", ".css": "text", ".md": "text", ".csv": "text",
}

// credExt are the extensions under which copies of credential files are
// kept (besides none at all); other files outside the temporary
// directories are not read for the credential test.
var credExt = map[string]bool{
	".txt": true, ".bak": true, ".old": true, ".orig": true, ".save": true, ".copy": true,
	".tmp": true, ".log": true, ".lst": true, ".list": true, ".dat": true, ".out": true,
	".csv": true, ".hash": true, ".hashes": true, ".pot": true, ".pem": true, ".key": true,
	".keys": true, ".1": true, ".0": true, ".swp": true,
}

// credNameHint are parts of names that suggest a credential copy.
var credNameHint = lazyre.New(`(?i)passwd|shadow|hash|cred|secret|dump|pass|keys?\b`)

// debianBackups are the copies Debian's cron.daily keeps of the account
// files in /var/backups (and their rotations).
var debianBackups = lazyre.New(`^/var/backups/(?:passwd|shadow|group|gshadow)\.bak(?:\.\d+)?$`)

// notCredExt are source, document and data formats: a key or a hash line
// in them is an example or a test vector, not a copy.
var notCredExt = map[string]bool{
	".go": true, ".py": true, ".c": true, ".h": true, ".js": true, ".ts": true, ".rb": true, ".java": true,
	".rs": true, ".txtar": true, ".md": true, ".html": true, ".json": true, ".yaml": true, ".yml": true,
	".toml": true, ".xml": true, ".sh": true, ".php": true, ".pl": true, ".rst": true, ".golden": true,
}

// testDirs hold test vectors in source trees and toolchains (Python's
// test/certdata keeps private keys in bulk).
var testDirs = map[string]bool{"test": true, "tests": true, "testdata": true, "certdata": true, "fixtures": true, "testing": true}

// inTestDir reports whether a directory on the way to p is a test one.
func inTestDir(p string) bool {
	for _, c := range strings.Split(path.Dir(p), "/") {
		if testDirs[c] {
			return true
		}
	}
	return false
}

// nestedRoot reports a program laid out as in a root file system
// (.../usr/sbin/NAME, .../bin/NAME, .../etc/init.d/NAME) below a temporary directory: an
// extracted image or a test root, whose programs are named like the
// system's because they are copies of one.
var nestedRoot = lazyre.New(`/(?:usr/(?:local/)?)?s?bin/[^/]+$|/usr/lib(?:exec)?/|/etc/(?:init\.d|rc\.d|cron\.[a-z]+)/[^/]+$`)

// library reports shared objects and kernel modules: loaded, not run.
var library = lazyre.New(`\.so(?:\.[0-9]+)*$|\.ko(?:\.[gx]z|\.zst)?$`)
