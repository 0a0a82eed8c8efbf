package e2e

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/cli"
	"github.com/vigil-ir/vigil/internal/vuln/advisory"
	"github.com/vigil-ir/vigil/internal/vuln/vulntest"
)

// TestVulnDebianRootPatched: the debootstrap Debian 12 root, up to date
// when it was built, has no "fix available" finding against advisories
// whose fixed versions it already has (backports are recognised through
// the source package and the distribution's own fixed versions), and
// --root matches the root's packages, not the machine's.
func TestVulnDebianRootPatched(t *testing.T) {
	root := debianRoot(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "v.db")
	f, err := vulntest.Write(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, string, int) {
		var out, errb strings.Builder
		code := cli.Run(context.Background(), append(args, "--store", db), strings.NewReader(""), &out, &errb)
		return out.String(), errb.String(), code
	}
	if _, e, code := run(append([]string{"db", "import"}, f.All()...)...); code != 0 {
		t.Fatalf("import: %s", e)
	}
	out, e, code := run("vuln", "--root", root, "--format", "json", "--fail-on", "none")
	if code != 0 {
		t.Fatalf("vuln: exit %d %s", code, e)
	}
	var rep app.VulnReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Packages < 100 || rep.Distro != "debian" || rep.Release != "12" {
		t.Fatalf("report %+v", rep)
	}
	for _, v := range rep.Vulnerabilities {
		if v.Status == advisory.Fixed {
			t.Errorf("fix available reported on the patched root: %+v", v)
		}
	}
}
