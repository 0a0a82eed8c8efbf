package authn

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
)

// TestHostileInput: hostile versions of the sudo and PAM configuration
// leave a passwordless sudo grant for www-data reported.
func TestHostileInput(t *testing.T) {
	enginetest.Hostile{
		Detector: New(),
		Root: func(t testing.TB) string {
			return fixture(t, true, edit{dropIn, "", "www-data ALL=(ALL) NOPASSWD: ALL\n"})
		},
		Trace: []enginetest.Want{{Rule: ruleSudoNoPasswd, Subject: "www-data", Severity: model.Critical, Indicators: []string{indAnyCommand}}},
		Files: []string{"/etc/sudoers", "/etc/sudoers.d/", "/etc/sudoers.d/zz-local", "/etc/pam.d/", "/etc/pam.d/common-auth", "/etc/pam.d/sshd",
			"/etc/pam.d/sudo", "/etc/passwd", "/etc/group"},
		Needs: []string{"/etc/sudoers", "/etc/sudoers.d/zz-local", "/etc/passwd"},
		Extra: map[string]string{
			"sudoers-include-loop": "@include /etc/sudoers\n@includedir /etc/sudoers.d\n#include /etc/sudoers.d/zz-local\n#includedir /etc/sudoers.d\n",
			"pam-include-loop":     "auth include common-auth\n@include common-auth\nauth substack sudo\nsession include sshd\n",
		},
	}.Run(t)
}
