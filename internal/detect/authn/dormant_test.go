package authn

import (
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/collect/users"
	"github.com/vigil-ir/vigil/internal/detect/authn/sudoers"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

const dormantPasswd = `-- etc/passwd --
root:x:0:0:root:/root:/bin/bash
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
alice:x:1002:1002::/home/alice:/bin/bash
-- etc/group --
root:x:0:
www-data:x:33:
alice:x:1002:
`

// A grant sudo does not read now still waits for its moment: it is graded
// as if it were read, and the evidence says why it is dormant.
func TestDormantGrants(t *testing.T) {
	tests := []struct {
		name, root, path, why string
		sev                   model.Severity
	}{
		{"sudo not installed", dormantPasswd + `-- etc/sudoers.d/www mode=0440 --
www-data ALL=(ALL) NOPASSWD: ALL
`, "/etc/sudoers.d/www", sudoers.ReasonNoSudoers, model.Critical},
		{"sudo removed, policy kept", dormantPasswd + `-- etc/sudoers mode=0440 --
root ALL=(ALL:ALL) ALL
@includedir /etc/sudoers.d
-- etc/sudoers.d/www mode=0440 --
www-data ALL=(ALL) NOPASSWD: ALL
`, "/etc/sudoers.d/www", sudoers.ReasonNoSudo, model.Critical},
		{"drop-in directory not included", dormantPasswd + `-- usr/bin/sudo --
ELF
-- etc/sudoers mode=0440 --
root ALL=(ALL:ALL) ALL
-- etc/sudoers.d/alice mode=0440 --
alice ALL=(ALL) NOPASSWD: ALL
`, "/etc/sudoers.d/alice", sudoers.ReasonNotIncluded, model.High},
		{"skipped name", dormantPasswd + `-- usr/bin/sudo --
ELF
-- etc/sudoers mode=0440 --
root ALL=(ALL:ALL) ALL
@includedir /etc/sudoers.d
-- etc/sudoers.d/www.conf mode=0440 --
www-data ALL=(ALL) NOPASSWD: ALL
`, "/etc/sudoers.d/www.conf", sudoers.ReasonSkippedName, model.Critical},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := enginetest.Run(t, New(), testutil.RootFromString(t, tc.root), false)
			got := r.Find(ruleSudoNoPasswd)
			if len(got) != 1 {
				t.Fatalf("want one NOPASSWD finding, got %v", r.Rules())
			}
			f := got[0]
			if f.Evidence.Path != tc.path || f.Severity != tc.sev || f.Evidence.Extra["dormant"] != tc.why || f.Evidence.Note.ID != dormantNotes[tc.why].ID {
				t.Errorf("got %s %s dormant=%q", f.Evidence.Path, f.Severity, f.Evidence.Extra["dormant"])
			}
		})
	}
}

// Lines an administrator writes every day stay below low.
func TestPamQuiet(t *testing.T) {
	lines := []edit{
		{"etc/pam.d/common-auth", "# here are the per-package modules", "auth requisite pam_succeed_if.so uid >= 1000 quiet_success\n# here are the per-package modules"},
		{"etc/pam.d/common-auth", "# here are the per-package modules", "auth sufficient pam_succeed_if.so user ingroup nopasswdlogin\n# here are the per-package modules"},
		{"etc/pam.d/common-account", "# here are the per-package modules", "account sufficient pam_succeed_if.so uid < 1000 quiet\n# here are the per-package modules"},
		{"etc/pam.d/sshd", "@include common-auth", "auth [success=1 default=ignore] pam_succeed_if.so user != root\n@include common-auth"},
		{"etc/pam.d/sshd", "@include common-auth", "auth sufficient pam_succeed_if.so\n@include common-auth"},
		{"etc/pam.d/common-session", "", "session [success=1 default=ignore] pam_succeed_if.so service in cron quiet use_uid\n"},
	}
	for _, e := range lines {
		t.Run(e.new, func(t *testing.T) {
			r := enginetest.Run(t, New(), fixture(t, true, e), false)
			enginetest.Quiet(t, r.Findings, model.Low)
		})
	}
}

func FuzzAlwaysTrue(f *testing.F) {
	f.Add("uid >= 0")
	f.Add("quiet user notin a:b uid ne 4294967295")
	f.Add("user !~ [ user =~ *")
	r := &run{db: users.New([]users.User{{Name: "root"}, {Name: "alice", UID: 1000}}, nil, []users.Group{{Name: "sudo", GID: 27}})}
	f.Fuzz(func(t *testing.T, s string) {
		r.alwaysTrue(strings.Fields(s))
	})
}
