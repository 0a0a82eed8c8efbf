package rootkits

import (
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/rules"
)

// The embedded list is valid: every entry sourced, every marker split.
func TestEmbeddedValid(t *testing.T) {
	list, err := Parse(rules.Rootkits)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) < 10 || len(All()) != len(list) {
		t.Fatalf("list of %d entries, All() %d", len(list), len(All()))
	}
	seen := map[string]bool{}
	for _, r := range list {
		if seen[r.Name] {
			t.Errorf("%s listed twice", r.Name)
		}
		seen[r.Name] = true
		for _, g := range r.MarkerGroups() {
			for _, m := range g {
				if strings.Contains(m, "|") || len(m) < 6 {
					t.Errorf("%s: marker %q too short to be specific", r.Name, m)
				}
			}
		}
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"no source", "- name: x\n  kind: kernel\n  modules: [x]\n", "source"},
		{"http source", "- name: x\n  kind: kernel\n  source: http://example.org/x\n  modules: [x]\n", "source"},
		{"bad kind", "- name: x\n  kind: bootkit\n  source: https://example.org/x\n  modules: [x]\n", "kind"},
		{"nothing", "- name: x\n  kind: kernel\n  source: https://example.org/x\n", "nothing"},
		{"unsplit marker", "- name: x\n  kind: userland\n  source: https://example.org/x\n  markers: [[abcdef]]\n", "marker"},
		{"relative path", "- name: x\n  kind: userland\n  source: https://example.org/x\n  paths: [lib/x.so]\n", "absolute"},
		{"unknown field", "- name: x\n  kind: kernel\n  source: https://example.org/x\n  modules: [x]\n  module: [y]\n", "field"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want one about %s", err, tc.want)
			}
		})
	}
}

func TestByModule(t *testing.T) {
	tests := []struct {
		name string
		want string
	}{
		{"diamorphine", "Diamorphine"},
		{"Diamorphine.ko", "Diamorphine"},
		{"reptile-module", "Reptile"},
		{"adore_ng", "adore-ng"},
		{"kovid", "KoviD"},
		{"ext4", ""},
		{"br_netfilter", ""},
		{"", ""},
	}
	for _, tc := range tests {
		r, ok := ByModule(tc.name)
		if ok != (tc.want != "") || r.Name != tc.want {
			t.Errorf("ByModule(%q) = %q %v, want %q", tc.name, r.Name, ok, tc.want)
		}
	}
}

func TestByFile(t *testing.T) {
	tests := []struct {
		path string
		want string
	}{
		{"/usr/local/lib/libprocesshider.so", "libprocesshider"},
		{"/XxJynx/reality.so", "Jynx2"},
		{"/lib/libselinux.so", "Azazel"},
		{"/usr/lib/x86_64-linux-gnu/libselinux.so", ""},
		{"/tmp/reality.so", ""},
		{"/usr/lib/x86_64-linux-gnu/libc.so.6", ""},
	}
	for _, tc := range tests {
		r, ok := ByFile(tc.path)
		if ok != (tc.want != "") || r.Name != tc.want {
			t.Errorf("ByFile(%q) = %q %v, want %q", tc.path, r.Name, ok, tc.want)
		}
	}
	if !FileNames()["libprocesshider.so"] || !FileNames()["reality.so"] {
		t.Errorf("FileNames misses entries: %v", FileNames())
	}
}

func FuzzParse(f *testing.F) {
	f.Add(string(rules.Rootkits))
	f.Add("- name: x\n  kind: kernel\n  source: https://e/x\n  markers: [[\"a|b\"], []]\n")
	f.Fuzz(func(t *testing.T, s string) {
		list, _ := Parse([]byte(s))
		for _, r := range list {
			r.MarkerGroups()
		}
	})
}

func BenchmarkByModule(b *testing.B) {
	for b.Loop() {
		ByModule("br_netfilter")
	}
}
