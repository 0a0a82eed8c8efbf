package loader

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
)

// TestHostileInput: hostile versions of every file the check parses leave
// a hidden library in ld.so.preload reported.
func TestHostileInput(t *testing.T) {
	enginetest.Hostile{
		Detector: New(),
		Root: func(t testing.TB) string {
			return fixture(t, "-- etc/ld.so.preload --\n/usr/lib/x86_64-linux-gnu/.libsys.so\n-- usr/lib/x86_64-linux-gnu/.libsys.so --\nELF\n")
		},
		Trace: []enginetest.Want{{Rule: rulePreload, Subject: ".libsys.so", Severity: model.Critical, Indicators: []string{indHidden}}},
		Files: []string{"/etc/ld.so.preload", "/etc/ld.so.conf", "/etc/ld.so.conf.d/", "/etc/modules", "/etc/modules-load.d/", "/etc/modprobe.d/",
			"/usr/lib/modprobe.d/", "/etc/environment"},
		Needs: []string{"/etc/ld.so.preload"},
		Extra: map[string]string{"include-loop": "include /etc/ld.so.conf\ninclude /etc/ld.so.conf.d/*.conf\ninclude /etc/*\n"},
	}.Run(t)
}
