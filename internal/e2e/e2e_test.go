package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/cli"
	"github.com/vigil-ir/vigil/internal/model"
)

// scan runs the vigil command line and decodes its JSON result.
func scan(t *testing.T, args ...string) (model.Result, int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), append([]string{"scan", "--format", "json", "--no-store"}, args...), nil, &out, &errb)
	var r model.Result
	if code != 2 {
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			t.Fatalf("vigil %v: output is not JSON: %v\n%s\nstderr: %s", args, err, out.String(), errb.String())
		}
	}
	return r, code, errb.String()
}

// debianRoot returns the debootstrap root, or skips.
func debianRoot(t *testing.T) string {
	t.Helper()
	return builtRoot(t, "VIGIL_E2E_ROOT", "/var/cache/vigil-e2e/bookworm", "scripts/debian-root.sh")
}

// builtRoot returns the root named by the environment variable env, else
// the cached build at def, or skips saying which script builds it.
func builtRoot(t *testing.T, env, def, script string) string {
	t.Helper()
	root := os.Getenv(env)
	if root == "" {
		if _, err := os.Stat(def + "/.vigil-complete"); err == nil {
			root = def
		}
	}
	if root == "" {
		t.Skipf("no root: run %s and set %s (CI does)", script, env)
	}
	return root
}

// A freshly installed Debian server is clean: anything at medium or above
// is a false positive, and a false positive is a bug.
func TestDebianRootIsQuiet(t *testing.T) {
	assertQuiet(t, debianRoot(t))
}

// A WordPress server (nginx, PHP-FPM, MariaDB and Debian's wordpress
// package, configured as its README.Debian says) is clean too: web roots,
// PHP and a database server must not read as an intrusion.
func TestWordPressRootIsQuiet(t *testing.T) {
	assertQuiet(t, builtRoot(t, "VIGIL_E2E_WP_ROOT", "/var/cache/vigil-e2e/wordpress", "scripts/wordpress-root.sh"))
}

// assertQuiet scans a clean root and fails on anything at medium or above,
// a failed check, or a wrong target description.
func assertQuiet(t *testing.T, root string) {
	t.Helper()
	r, code, stderr := scan(t, "--root", root, "--fail-on", "medium")
	if code == 2 {
		t.Fatalf("scan failed: %s", stderr)
	}
	for _, f := range r.Findings {
		if f.Severity >= model.Medium {
			t.Errorf("false positive on a clean Debian root: %s %s %s:%d %q", f.Severity, f.RuleID, f.Evidence.Path, f.Evidence.Line, f.Evidence.Text)
		}
	}
	if code != 0 {
		t.Errorf("exit code %d on a clean root", code)
	}
	for _, c := range r.Summary.Checks {
		if c.Status == "failed" {
			t.Errorf("check %s failed: %s", c.Name, c.Reason)
		}
	}
	if r.Meta.Target.Live {
		t.Error("--root scan marked live")
	}
	if !strings.Contains(r.Meta.Target.OS, "Debian") {
		t.Errorf("target OS = %q, want the root's own os-release", r.Meta.Target.OS)
	}
}

func TestRootRefusesEmptyMountPoint(t *testing.T) {
	_, code, stderr := scan(t, "--root", t.TempDir())
	if code != 2 || !strings.Contains(stderr, "not a root filesystem") {
		t.Fatalf("empty dir: exit %d, stderr %q; want 2 and a clear error", code, stderr)
	}
}

// The live machine running the tests: the scan must complete, every check
// must run (none failed), and live-only checks must not be skipped.
func TestLiveScanCompletes(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root for a meaningful live scan")
	}
	r, code, stderr := scan(t, "--fail-on", "none")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !r.Meta.Target.Live {
		t.Error("live scan not marked live")
	}
	for _, c := range r.Summary.Checks {
		if c.Status != "ok" {
			t.Errorf("check %s: %s %s", c.Name, c.Status, c.Reason)
		}
	}
}
