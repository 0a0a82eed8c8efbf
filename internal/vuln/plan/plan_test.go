package plan

import (
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/vuln/advisory"
	"github.com/vigil-ir/vigil/internal/vuln/match"
)

func TestMake(t *testing.T) {
	ms := []match.Match{
		{Vuln: "CVE-1", Package: "linux", Binaries: []string{"linux-image-6.1.0-28-amd64"}, Status: advisory.Fixed, Kernel: true},
		{Vuln: "CVE-2", Package: "openssl", Binaries: []string{"libssl3:amd64", "openssl"}, Status: advisory.Fixed},
		{Vuln: "CVE-3", Package: "openssh", Binaries: []string{"openssh-server"}, Status: advisory.Fixed, Exposed: []string{"sshd:22/tcp"}},
		{Vuln: "CVE-4", Package: "vim", Binaries: []string{"vim"}, Status: advisory.Fixed},
		{Vuln: "CVE-5", Package: "vim", Binaries: []string{"vim"}, Status: advisory.NoFix},
	}
	p := Make("debian", "12", ms)
	if len(p.Steps) != 3 || p.Unfixed != 1 {
		t.Fatalf("%+v", p)
	}
	if p.Steps[0].Kind != Reboot || p.Steps[0].Command != "apt-get update && apt-get install --only-upgrade -y linux-image-6.1.0-28-amd64" {
		t.Errorf("reboot step %+v", p.Steps[0])
	}
	if p.Steps[1].Kind != Restart || !strings.Contains(p.Steps[1].Command, "libssl3:amd64 openssh-server openssl") || p.Steps[1].Services[0] != "sshd:22/tcp" {
		t.Errorf("restart step %+v", p.Steps[1])
	}
	if p.Steps[2].Kind != None || len(p.Steps[2].Vulns) != 1 {
		t.Errorf("plain step %+v", p.Steps[2])
	}
	for _, c := range []struct{ d, r, want string }{
		{"rocky", "9", "dnf upgrade -y --refresh a"}, {"rhel", "7", "yum update -y a"}, {"alpine", "3.19", "apk update && apk upgrade a"},
	} {
		if got := Command(c.d, c.r, []string{"a"}); got != c.want {
			t.Errorf("%s %s: %q", c.d, c.r, got)
		}
	}
}
