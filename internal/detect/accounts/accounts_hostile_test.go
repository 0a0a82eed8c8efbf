package accounts

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
)

// TestHostileInput: hostile versions of the account databases leave a
// second uid-0 account reported.
func TestHostileInput(t *testing.T) {
	enginetest.Hostile{
		Detector: New(),
		Root: func(t testing.TB) string {
			return fixture(t, edit{pw, "", "toor:x:0:0::/root:/bin/bash\n"}, edit{sh, "", "toor:$6$aa$bbbb:20514:0:99999:7:::\n"})
		},
		Trace: []enginetest.Want{{Rule: ruleUID0, Subject: "toor", Severity: model.Critical}},
		Files: []string{"/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow", "/etc/shells", "/etc/login.defs", "/etc/nsswitch.conf"},
		Needs: []string{"/etc/passwd"},
	}.Run(t)
}
