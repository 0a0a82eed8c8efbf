// Package archtest keeps the dependency direction of docs/architecture.md
// true: cmd -> cli -> app -> engine -> collect/detect -> target, model.
package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/vigil-ir/vigil/"

// walkGo calls fn for every non-test Go file of the module (outside
// testdata and hidden directories) with its package directory relative to
// the module root.
func walkGo(t *testing.T, fn func(file, pkg string) error) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		return fn(p, filepath.ToSlash(rel))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// imports returns, for every package directory of the module, the module
// packages its non-test files import.
func imports(t *testing.T) map[string]map[string]bool {
	t.Helper()
	out := map[string]map[string]bool{}
	fset := token.NewFileSet()
	walkGo(t, func(p, pkg string) error {
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		if out[pkg] == nil {
			out[pkg] = map[string]bool{}
		}
		for _, im := range f.Imports {
			path := strings.Trim(im.Path.Value, `"`)
			if strings.HasPrefix(path, module) {
				out[pkg][strings.TrimPrefix(path, module)] = true
			}
		}
		return nil
	})
	return out
}

func TestDependencyDirection(t *testing.T) {
	if _, err := os.Stat("../../go.mod"); err != nil {
		t.Skip("not in the source tree")
	}
	graph := imports(t)
	forbidden := []struct {
		from   string // package prefix
		to     []string
		reason string
	}{
		{"internal/model", []string{"internal/", "rules"}, "model is a leaf"},
		{"internal/hashcache", []string{"internal/", "rules"}, "hashcache is a leaf: the engine, a detector and the store share it"},
		{"internal/target", []string{"internal/engine", "internal/collect", "internal/detect", "internal/report", "internal/store", "internal/cli", "internal/app"}, "target sits below everything that reads through it"},
		{"internal/collect", []string{"internal/detect", "internal/engine", "internal/report", "internal/store", "internal/cli", "internal/app"}, "collectors only make inventory"},
		{"internal/detect", []string{"internal/report", "internal/store", "internal/cli", "internal/app"}, "detectors never write output or storage"},
		{"internal/files", []string{"internal/detect", "internal/engine", "internal/report", "internal/store", "internal/cli", "internal/app"}, "the file walk and its matchers sit below the detector that runs them"},
		{"internal/grade", []string{"internal/detect", "internal/engine", "internal/report", "internal/store", "internal/cli", "internal/app"}, "graders sit below the detectors and are shared by them"},
		{"internal/engine", []string{"internal/report", "internal/store", "internal/cli", "internal/app", "internal/detect"}, "the engine knows detectors only by interface"},
		{"internal/report", []string{"internal/cli", "internal/app", "internal/detect", "internal/collect"}, "handlers only render"},
		{"internal/store", []string{"internal/cli", "internal/app", "internal/detect", "internal/collect"}, "the store only stores"},
		{"internal/vuln/match", []string{"internal/store", "internal/report", "internal/cli", "internal/app"}, "the vulnerability matcher gets its advisory data injected, never the store"},
	}
	for pkg, deps := range graph {
		for _, rule := range forbidden {
			if pkg != rule.from && !strings.HasPrefix(pkg, rule.from+"/") {
				continue
			}
			for dep := range deps {
				for _, bad := range rule.to {
					if dep == strings.TrimSuffix(bad, "/") || strings.HasPrefix(dep, bad) {
						if strings.HasPrefix(pkg, "internal/engine/enginetest") && (dep == "internal/catalog") {
							continue
						}
						t.Errorf("%s imports %s: %s", pkg, dep, rule.reason)
					}
				}
			}
		}
	}
	if deps := graph["cmd/vigil"]; len(deps) != 1 || !deps["internal/cli"] {
		t.Errorf("cmd/vigil must import only internal/cli, imports %v", deps)
	}
}

// TestNoDetectorImportsAnother keeps detectors independent: a detector
// imports only internal/detect/inventory and its own subpackages; what
// several detectors share is a grader (internal/grade) or inventory
// (internal/collect). The registry is the one package that lists them all.
func TestNoDetectorImportsAnother(t *testing.T) {
	if _, err := os.Stat("../../go.mod"); err != nil {
		t.Skip("not in the source tree")
	}
	const detect = "internal/detect/"
	top := func(p string) string {
		rest := strings.TrimPrefix(p, detect)
		name, _, _ := strings.Cut(rest, "/")
		return name
	}
	for pkg, deps := range imports(t) {
		if !strings.HasPrefix(pkg, detect) || top(pkg) == "registry" {
			continue
		}
		for dep := range deps {
			if !strings.HasPrefix(dep, detect) || dep == detect+"inventory" {
				continue
			}
			if top(dep) != top(pkg) {
				t.Errorf("%s imports %s: a detector must not import another detector (share through internal/grade or internal/collect)", pkg, dep)
			}
		}
	}
}

// TestLogParsersAreALayerBelowDetectors keeps the log sources and parsers
// (internal/logs and its parser subpackages; the rules, Sigma and timeline
// packages beside them are consumers above) importable by detectors: they
// import only target, model and small leaves.
func TestLogParsersAreALayerBelowDetectors(t *testing.T) {
	if _, err := os.Stat("../../go.mod"); err != nil {
		t.Skip("not in the source tree")
	}
	consumers := []string{"internal/logs/rules", "internal/logs/sigma", "internal/logs/timeline"}
	allowed := map[string]bool{"internal/model": true, "internal/target": true, "internal/textclip": true}
	for pkg, deps := range imports(t) {
		if pkg != "internal/logs" && !strings.HasPrefix(pkg, "internal/logs/") {
			continue
		}
		consumer := false
		for _, c := range consumers {
			if pkg == c || strings.HasPrefix(pkg, c+"/") {
				consumer = true
			}
		}
		if consumer {
			continue
		}
		for dep := range deps {
			if !allowed[dep] && !strings.HasPrefix(dep, "internal/logs") {
				t.Errorf("%s imports %s: the log parsers import only target, model and small leaves (detectors import them)", pkg, dep)
			}
			for _, c := range consumers {
				if dep == c || strings.HasPrefix(dep, c+"/") {
					t.Errorf("%s imports %s: parsers never import the rules, Sigma or timeline above them", pkg, dep)
				}
			}
		}
	}
}

func TestNoHugeFiles(t *testing.T) {
	root, _ := filepath.Abs("../..")
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err == nil && strings.Count(string(b), "\n") > 800 {
			t.Errorf("%s has %d lines: split it by responsibility", p, strings.Count(string(b), "\n"))
		}
		return nil
	})
}
