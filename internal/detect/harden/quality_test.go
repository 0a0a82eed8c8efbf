package harden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// TestPasswordClasses: the class requirements of pam_pwquality and
// pam_cracklib, from module arguments and pwquality.conf, against the
// seeds' letters, digits and symbols.
func TestPasswordClasses(t *testing.T) {
	const unix = "password\t[success=1 default=ignore]\tpam_unix.so obscure use_authtok try_first_pass yescrypt\n"
	for _, c := range []struct {
		name, stack, conf string
		missing           string // "" when quiet
	}{
		{"pam_unix alone", unix, "", "letters,digits,symbols"},
		{"pwquality defaults", "password requisite pam_pwquality.so retry=3\n" + unix, "", "letters,digits,symbols"},
		{"minclass 4 in the conf", "password requisite pam_pwquality.so retry=3\n" + unix, "minclass = 4\n", ""},
		{"minclass 3: symbols not forced", "password requisite pam_pwquality.so retry=3\n" + unix, "minclass = 3\n", "digits,symbols"},
		{"credits in the conf", "password requisite pam_pwquality.so\n" + unix, "dcredit = -1\nocredit = -1\nucredit = -1\n", ""},
		{"positive credits require nothing", "password requisite pam_pwquality.so\n" + unix, "dcredit = 1\nocredit = 1\nlcredit = 1\n", "letters,digits,symbols"},
		{"arguments over the conf", "password requisite pam_pwquality.so dcredit=0 minclass=2\n" + unix, "minclass = 4\n", "letters,digits,symbols"},
		{"cracklib arguments", "password requisite pam_cracklib.so retry=3 minlen=14 dcredit=-1 ucredit=-1 lcredit=-1 ocredit=-1\n" + unix, "", ""},
		{"cracklib ignores pwquality.conf", "password requisite pam_cracklib.so retry=3\n" + unix, "minclass = 4\n", "letters,digits,symbols"},
		{"not enforcing", "password requisite pam_pwquality.so\n" + unix, "minclass = 4\nenforcing = 0\n", "letters,digits,symbols"},
		{"passwdqc: not judged", "password requisite pam_passwdqc.so min=disabled,24,11,8,7\n" + unix, "", ""},
		{"hostile values", "password requisite pam_pwquality.so dcredit=-x minclass=99999999999999999999\n" + unix, "ocredit=\n=\n", "letters,digits,symbols"},
	} {
		t.Run(c.name, func(t *testing.T) {
			txt := "-- etc/os-release --\nID=debian\n-- etc/pam.d/common-password --\n" + c.stack
			if c.conf != "" {
				txt += "-- etc/security/pwquality.conf --\n" + c.conf
			}
			r := enginetest.Run(t, New(), testutil.RootFromString(t, txt), false)
			var got string
			for _, f := range r.Findings {
				if f.RuleID == ruleQuality {
					got = f.Evidence.Extra["missing"]
				}
			}
			if got != c.missing {
				t.Errorf("missing %q, want %q", got, c.missing)
			}
		})
	}
}

// TestWorldWritable fires on world-writable files and sticky-less
// world-writable directories in system trees, and stays silent on what is
// meant to be so (sticky drop directories, temporary directories,
// symlinks), on what the integrity check reports (command directories)
// and on container storage.
func TestWorldWritable(t *testing.T) {
	root := fixture(t, "testdata/hardened.txtar")
	files := map[string]os.FileMode{
		"etc/profile.d/local.sh":          0o666, // high: /etc
		"opt/app/config.yml":              0o646, // medium
		"var/www/html/index.php":          0o644,
		"usr/local/bin/deploy.sh":         0o777, // the integrity check's
		"var/lib/docker/overlay2/x/f":     0o666, // a container's
		"usr/share/doc/base-files/README": 0o644,
	}
	dirs := map[string]os.FileMode{
		"var/www/html/uploads": 0o777,                 // medium: no sticky bit
		"srv/drop":             0o777 | os.ModeSticky, // a drop directory done right
		"var/tmp":              0o777,                 // temporary: places' own
		"opt/app":              0o755,
	}
	for p, m := range files {
		full := filepath.Join(root, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chmod(full, m)
	}
	for p, m := range dirs {
		full := filepath.Join(root, p)
		os.MkdirAll(full, 0o755)
		os.Chmod(full, m)
	}
	os.Symlink("/etc/hostname", filepath.Join(root, "etc/link"))
	r := enginetest.Run(t, New(), root, false)
	enginetest.Expect(t, r.Findings, []enginetest.Want{
		{Rule: ruleWritableFile, Subject: "/etc/profile.d/local.sh", Severity: model.High},
		{Rule: ruleWritableFile, Subject: "/opt/app/config.yml", Severity: model.Medium},
		{Rule: ruleWritableDir, Subject: "/var/www/html/uploads", Severity: model.Medium},
	})
	n := 0
	for _, f := range r.Findings {
		if strings.HasPrefix(f.RuleID, "harden.perm.") {
			n++
			if f.Evidence.Extra["mode"] == "" {
				t.Errorf("%s: no mode in the evidence", f.Subject)
			}
		}
	}
	if n != 3 {
		t.Errorf("%d world-writable findings, want 3:\n%s", n, enginetest.Dump(r.Findings))
	}
}

// FuzzQualitySettings: any pwquality.conf line or module argument is
// taken or ignored, never a panic, and the judgement stays one of the
// three classes.
func FuzzQualitySettings(f *testing.F) {
	for _, s := range []string{"dcredit = -1", "minclass=4", "enforcing = 0", "ocredit=-99999999999999999999", "=", "ucredit"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := quality{enforcing: true}
		if k, v, ok := strings.Cut(s, "="); ok {
			q.set(k, v)
		}
		if m := q.missing(); len(m) > 3 {
			t.Fatalf("%q: %v", s, m)
		}
	})
}
