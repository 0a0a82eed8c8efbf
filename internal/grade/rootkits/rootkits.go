// Package rootkits is the list of public Linux rootkits (rules/rootkits.yaml)
// and the judgements that use it: is a kernel module name, a file name or a
// path one of theirs, and which strings do their builds contain. The loader
// check asks it about module names in modules-load.d, modprobe.d and
// /etc/modules and about library files; the tools check searches binaries
// for its markers. One list, kept as data with a source for every entry.
package rootkits

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/vigil-ir/vigil/rules"
)

// Kinds of rootkit.
const (
	Kernel   = "kernel"   // a loadable kernel module
	Userland = "userland" // an LD_PRELOAD library
)

// Rootkit is one entry of rules/rootkits.yaml.
type Rootkit struct {
	Name    string     `yaml:"name"`
	Kind    string     `yaml:"kind"`
	Source  string     `yaml:"source"`
	Modules []string   `yaml:"modules"`
	Files   []string   `yaml:"files"`
	Paths   []string   `yaml:"paths"`
	Markers [][]string `yaml:"markers"` // as written, with '|' (see Markers)
}

// Parse decodes and validates a rootkit list: every entry has a name, a
// known kind, an https source, at least one module, file, path or marker,
// and no empty marker.
func Parse(b []byte) ([]Rootkit, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var list []Rootkit
	if err := dec.Decode(&list); err != nil {
		return nil, fmt.Errorf("rootkits: %w", err)
	}
	var errs []error
	for i, r := range list {
		if r.Name == "" {
			errs = append(errs, fmt.Errorf("rootkits: entry %d has no name", i))
		}
		if r.Kind != Kernel && r.Kind != Userland {
			errs = append(errs, fmt.Errorf("rootkits: %s: kind %q", r.Name, r.Kind))
		}
		if u, err := url.Parse(r.Source); err != nil || u.Scheme != "https" || u.Host == "" {
			errs = append(errs, fmt.Errorf("rootkits: %s: source %q is not an https URL", r.Name, r.Source))
		}
		if len(r.Modules)+len(r.Files)+len(r.Paths)+len(r.Markers) == 0 {
			errs = append(errs, fmt.Errorf("rootkits: %s: nothing to recognise it by", r.Name))
		}
		for _, p := range r.Paths {
			if !strings.HasPrefix(p, "/") {
				errs = append(errs, fmt.Errorf("rootkits: %s: path %q is not absolute", r.Name, p))
			}
		}
		for _, g := range r.Markers {
			for _, m := range g {
				if strings.ReplaceAll(m, "|", "") == "" || !strings.Contains(m, "|") {
					errs = append(errs, fmt.Errorf("rootkits: %s: marker %q is empty or not split with '|'", r.Name, m))
				}
			}
			if len(g) == 0 {
				errs = append(errs, fmt.Errorf("rootkits: %s: empty marker group", r.Name))
			}
		}
	}
	return list, errors.Join(errs...)
}

// All returns the embedded list (parsed once). The test of this package
// keeps the embedded data valid; a broken build yields an empty list.
var All = sync.OnceValue(func() []Rootkit {
	list, err := Parse(rules.Rootkits)
	if err != nil {
		return nil
	}
	return list
})

// NormalizeModule is how kmod compares module names: - and _ alike. Case
// is folded too, and a .ko suffix dropped.
func NormalizeModule(name string) string {
	name = strings.ToLower(name)
	for _, ext := range []string{".ko", ".ko.xz", ".ko.zst", ".ko.gz"} {
		if strings.HasSuffix(name, ext) {
			name = strings.TrimSuffix(name, ext)
			break
		}
	}
	return strings.ReplaceAll(name, "-", "_")
}

// ByModule returns the kernel rootkit a module name belongs to.
func ByModule(name string) (Rootkit, bool) {
	n := NormalizeModule(name)
	if n == "" {
		return Rootkit{}, false
	}
	for _, r := range All() {
		for _, m := range r.Modules {
			if NormalizeModule(m) == n {
				return r, true
			}
		}
	}
	return Rootkit{}, false
}

// ByFile returns the rootkit whose default path is p, or whose file name
// p's base name is.
func ByFile(p string) (Rootkit, bool) {
	p = path.Clean(p)
	base := path.Base(p)
	for _, r := range All() {
		for _, q := range r.Paths {
			if q == p {
				return r, true
			}
		}
		for _, f := range r.Files {
			if f == base {
				return r, true
			}
		}
	}
	return Rootkit{}, false
}

// FileNames returns every base name the list knows (files and the base
// names of paths), for a walk that looks for them.
func FileNames() map[string]bool {
	out := map[string]bool{}
	for _, r := range All() {
		for _, f := range r.Files {
			out[f] = true
		}
		for _, q := range r.Paths {
			out[path.Base(q)] = true
		}
	}
	return out
}

// Paths returns every default path of the list.
func Paths() []string {
	var out []string
	for _, r := range All() {
		out = append(out, r.Paths...)
	}
	return out
}

// MarkerGroups returns the marker groups of r with the '|' separators removed.
func (r Rootkit) MarkerGroups() [][]string {
	out := make([][]string, 0, len(r.Markers))
	for _, g := range r.Markers {
		ms := make([]string, 0, len(g))
		for _, m := range g {
			ms = append(ms, strings.ReplaceAll(m, "|", ""))
		}
		out = append(out, ms)
	}
	return out
}
