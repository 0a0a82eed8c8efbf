package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Only internal/contain/... changes the host (docs/contain.md). Everything
// else reads: a scan, a parser or a report that deletes a file, kills a
// process, sets an attribute or loads firewall rules is a bug. This test
// finds every call of a host-changing function (and every import of a
// package whose only use is changing the host) in non-test code, and
// allows each outside the containment tree only where listed below, with
// the reason. A new write elsewhere fails the build until it is justified
// here.

// hostChanging lists the functions that change the host, by import path.
var hostChanging = map[string][]string{
	"os": {"WriteFile", "Create", "CreateTemp", "OpenFile", "Remove", "RemoveAll", "Rename", "Chmod", "Chown",
		"Lchown", "Chtimes", "Symlink", "Link", "Truncate", "Mkdir", "MkdirAll", "MkdirTemp"},
	"syscall": {"Kill", "Tgkill", "Unlink", "Unlinkat", "Rename", "Renameat", "Mount", "Unmount", "Setxattr",
		"Removexattr", "Chmod", "Fchmod", "Chown", "Lchown", "Fchown", "Truncate", "Ftruncate", "UtimesNano", "Reboot",
		"Sethostname", "Rmdir", "Mkdir", "Symlink", "Link", "Creat", "Open"},
	"golang.org/x/sys/unix": {"Kill", "Tgkill", "PidfdSendSignal", "Unlink", "Unlinkat", "Rename", "Renameat", "Renameat2",
		"Setxattr", "Lsetxattr", "Fsetxattr", "Removexattr", "Lremovexattr", "Fremovexattr", "Fchmodat", "Fchmod", "Chmod",
		"Chown", "Lchown", "Fchown", "Fchownat", "UtimesNano", "UtimesNanoAt", "Utimes", "Futimes", "Mount", "Unmount",
		"Truncate", "Ftruncate", "Reboot", "Sethostname", "Rmdir", "Mkdir", "Mkdirat", "Symlink", "Symlinkat", "Link",
		"Linkat", "Creat", "Open", "Openat", "Flock", "Swapoff", "DeleteModule", "InitModule"},
}

// hostChangingImports are packages that exist to change the host (netlink
// firewalls and routes, running other programs).
var hostChangingImports = []string{
	"github.com/google/nftables", "github.com/mdlayher/netlink", "github.com/vishvananda/netlink",
	"github.com/coreos/go-iptables", "os/exec",
}

// hostChangingMethods are methods that signal processes (os.Process).
var hostChangingMethods = map[string]bool{"Kill": true, "Signal": true}

// hostWriteAllowed says which host-changing calls a package outside
// internal/contain may make, and why. "*" is every function of the list.
var hostWriteAllowed = []struct {
	pkg    string // package directory, or a prefix ending in "/"
	calls  []string
	reason string
}{
	{"internal/store", []string{"os.Remove", "os.Rename", "os.WriteFile", "os.OpenFile", "os.MkdirAll"}, "the store's own database file and seal"},
	{"internal/cli", []string{"os.WriteFile", "os.Create", "os.OpenFile"}, "files the user names: --output, --debug=FILE, ignore export"},
	{"internal/report", []string{"os.WriteFile", "os.Create", "os.OpenFile"}, "report files the user names"},
	{"internal/app", []string{"os.MkdirAll", "os.OpenFile", "os.Remove"}, "the store's directory; the evidence archive the user names (collect --output), removed when collection fails"},
	{"internal/evidence", []string{"os.MkdirAll", "os.OpenFile", "os.WriteFile"}, "Vigil's own evidence-signing key, created once (0600) beside the store"},
	{"internal/collect/pkgdb", []string{"os.MkdirTemp", "os.RemoveAll", "os.OpenFile"}, "a private temporary copy of an rpm database, read with SQLite (never the target's file)"},
	{"bench/cmd/overlay", []string{"*"}, "benchmark tool: lays a fixture over a copy of a root"},
	// Test support builds fixture roots in temporary directories.
	{"internal/testutil/", []string{"os.*", "unix.Setxattr", "unix.Lsetxattr", "unix.UtimesNanoAt", "unix.Mkfifo"}, "test support: fixture roots in temporary directories"},
	{"internal/testutil", []string{"os.*", "unix.Setxattr", "unix.Lsetxattr", "unix.UtimesNanoAt"}, "test support: fixture roots in temporary directories"},
	{"internal/engine/enginetest", []string{"os.*", "unix.*", "syscall.*"}, "test support: hostile fixture files in temporary roots"},
	{"internal/store/storetest", []string{"os.*", "exec"}, "test support: stores in temporary directories, child processes of the test binary"},
}

// testSupport reports whether pkg is a test-support package (its name
// ends in "test": storetest, proctest, vulntest ...). They build fixtures
// in temporary directories, so they may write files (os.*), nothing else;
// TestTestSupportOnlyInTests keeps them out of the program.
func testSupport(pkg string) bool {
	return strings.HasSuffix(path.Base(pkg), "test") && pkg != "internal/archtest" && pkg != "internal/e2e"
}

const containTree = "internal/contain"

// hostCall is one host-changing call (or import) found in the source.
type hostCall struct {
	pkg, call, pos string
}

// findHostCalls parses one file's source and returns its host-changing
// calls and imports. pkg is the package directory relative to the module.
func findHostCalls(pkg, name string, src any) ([]hostCall, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, 0)
	if err != nil {
		return nil, err
	}
	local := map[string]string{} // the name a file uses for an import -> short name
	var out []hostCall
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		for _, bad := range hostChangingImports {
			if p == bad || strings.HasPrefix(p, bad+"/") {
				short := bad
				if bad == "os/exec" {
					short = "exec"
				}
				out = append(out, hostCall{pkg, short, fset.Position(im.Pos()).String()})
			}
		}
		if _, ok := hostChanging[p]; !ok {
			continue
		}
		n := path.Base(p)
		if im.Name != nil {
			n = im.Name.Name
		}
		local[n] = p
	}
	// What each identifier is assigned, as text: open flags are often
	// built in a variable first.
	src2, _ := os.ReadFile(name)
	if s, ok := src.(string); ok {
		src2 = []byte(s)
	}
	text := func(e ast.Node) string {
		return string(src2[fset.Position(e.Pos()).Offset:fset.Position(e.End()).Offset])
	}
	assigned := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		if as, ok := n.(*ast.AssignStmt); ok {
			for i, l := range as.Lhs {
				if id, ok := l.(*ast.Ident); ok && i < len(as.Rhs) {
					assigned[id.Name] += " " + text(as.Rhs[i])
				}
			}
		}
		return true
	})
	// An open is a write only with write flags; one that reads is fine.
	writes := func(call *ast.CallExpr, fn string) bool {
		argN := map[string]int{"OpenFile": 1, "Open": 1, "Openat": 2}[fn]
		if argN == 0 || len(call.Args) <= argN {
			return true
		}
		flags := text(call.Args[argN])
		ast.Inspect(call.Args[argN], func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				flags += assigned[id.Name]
			}
			return true
		})
		for _, w := range []string{"O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND"} {
			if strings.Contains(flags, w) {
				return true
			}
		}
		return false
	}
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok {
			if p, ok := local[id.Name]; ok {
				for _, fn := range hostChanging[p] {
					if fn == sel.Sel.Name && writes(call, fn) {
						out = append(out, hostCall{pkg, path.Base(p) + "." + fn, fset.Position(call.Pos()).String()})
					}
				}
				return true
			}
		}
		if hostChangingMethods[sel.Sel.Name] && len(call.Args) <= 1 {
			out = append(out, hostCall{pkg, "(process)." + sel.Sel.Name, fset.Position(call.Pos()).String()})
		}
		return true
	})
	return out, nil
}

// allowed reports whether a package outside the containment tree may make c.
func allowed(c hostCall) bool {
	if c.pkg == containTree || strings.HasPrefix(c.pkg, containTree+"/") {
		return true
	}
	if testSupport(c.pkg) && strings.HasPrefix(c.call, "os.") {
		return true
	}
	for _, a := range hostWriteAllowed {
		if c.pkg != a.pkg && !(strings.HasSuffix(a.pkg, "/") && strings.HasPrefix(c.pkg, a.pkg)) {
			continue
		}
		for _, want := range a.calls {
			if want == "*" || want == c.call || strings.HasSuffix(want, ".*") && strings.HasPrefix(c.call, strings.TrimSuffix(want, "*")) {
				return true
			}
		}
	}
	return false
}

// TestOnlyContainChangesTheHost walks the module's non-test code.
func TestOnlyContainChangesTheHost(t *testing.T) {
	if _, err := os.Stat("../../go.mod"); err != nil {
		t.Skip("not in the source tree")
	}
	var calls []hostCall
	walkGo(t, func(p, pkg string) error {
		found, err := findHostCalls(pkg, p, nil)
		calls = append(calls, found...)
		return err
	})
	inContain := 0
	var bad []string
	for _, c := range calls {
		if strings.HasPrefix(c.pkg, containTree) {
			inContain++
		}
		if !allowed(c) {
			bad = append(bad, c.pos+": "+c.call)
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Errorf("%s changes the host outside internal/contain (only containment actions may; see hostWriteAllowed)", b)
	}
	// The scanner must see the writes it exists to fence in.
	if inContain < 10 {
		t.Errorf("only %d host-changing calls found in internal/contain: is the scanner blind?", inContain)
	}
}

// TestHostCallScanner proves the scanner catches what it must, under
// renamed imports and as methods, and lets a reader through.
func TestHostCallScanner(t *testing.T) {
	src := `package x
import (
	xos "os"
	"os/exec"
	sys "golang.org/x/sys/unix"
)
func f(p *xos.Process) {
	xos.ReadFile("/etc/passwd")
	xos.OpenFile("/etc/passwd", xos.O_RDONLY, 0)
	fl := xos.O_RDWR
	xos.OpenFile("/etc/passwd", fl, 0)
	xos.WriteFile("/etc/passwd", nil, 0)
	sys.Kill(1, 9)
	sys.Lsetxattr("/x", "user.a", nil, 0)
	p.Signal(nil)
	exec.Command("iptables")
}`
	calls, err := findHostCalls("internal/detect/x", "x.go", src)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range calls {
		if allowed(c) {
			t.Errorf("%s allowed in a detector", c.call)
		}
		got = append(got, c.call)
	}
	want := "exec os.OpenFile os.WriteFile unix.Kill unix.Lsetxattr (process).Signal"
	if strings.Join(got, " ") != want {
		t.Errorf("found %q, want %q", strings.Join(got, " "), want)
	}
	calls, _ = findHostCalls("internal/contain/proc", "x.go", src)
	for _, c := range calls {
		if !allowed(c) {
			t.Errorf("%s refused in the containment tree", c.call)
		}
	}
}

// TestContainDependencies: only the command line and the use cases reach
// the containment tree, and the tree does not reach up into scanning,
// reporting or the command line.
func TestContainDependencies(t *testing.T) {
	if _, err := os.Stat("../../go.mod"); err != nil {
		t.Skip("not in the source tree")
	}
	for pkg, deps := range imports(t) {
		inTree := pkg == containTree || strings.HasPrefix(pkg, containTree+"/")
		for dep := range deps {
			depInTree := dep == containTree || strings.HasPrefix(dep, containTree+"/")
			switch {
			case depInTree && !inTree && pkg != "internal/app" && pkg != "internal/cli":
				t.Errorf("%s imports %s: only app and cli drive containment actions", pkg, dep)
			case inTree:
				for _, bad := range []string{"internal/cli", "internal/app", "internal/engine", "internal/detect", "internal/report"} {
					if dep == bad || strings.HasPrefix(dep, bad+"/") {
						t.Errorf("%s imports %s: containment actions sit below the use cases and do not scan or report", pkg, dep)
					}
				}
			}
		}
	}
}

// TestTestSupportOnlyInTests: the program never imports a test-support
// package (they may write files: see testSupport).
func TestTestSupportOnlyInTests(t *testing.T) {
	if _, err := os.Stat("../../go.mod"); err != nil {
		t.Skip("not in the source tree")
	}
	for pkg, deps := range imports(t) {
		if testSupport(pkg) || strings.HasPrefix(pkg, "internal/testutil") || strings.HasPrefix(pkg, "bench/") {
			continue
		}
		for dep := range deps {
			if testSupport(dep) || strings.HasPrefix(dep, "internal/testutil") {
				t.Errorf("%s imports the test-support package %s", pkg, dep)
			}
		}
	}
}
