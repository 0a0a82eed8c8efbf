package yara

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// shapeRules exercise every shape of condition and string the analysis
// reads, written so that many match files of a Debian system: the
// property test needs rules that do match.
const shapeRules = `
rule S_text { strings: $a = "GNU C Library" condition: $a }
rule S_nocase_wide { strings: $a = "copyright" nocase wide ascii condition: $a }
rule S_hex { strings: $h = { 47 43 43 3A 20 28 } condition: $h }
rule S_hex_jump { strings: $h = { 7F 45 4C 46 [2-4] 01 ?? 00 } condition: $h at 0 }
rule S_regex_count { strings: $r = /lib[a-z]+\.so\.[0-9]+/ condition: #r > 2 }
rule S_regex_alt { strings: $r = /(GLIBC|GCC|CXXABI)_[0-9]\.[0-9]/ condition: $r }
rule S_shebang { strings: $r = /^#!\s*\/(usr\/)?bin\/(env\s+)?(perl|python3?|sh|bash)/ condition: $r at 0 }
rule S_of { strings: $a1 = "Usage:" $a2 = "usage:" $a3 = "--help" condition: 2 of ($a*) }
rule S_all { strings: $a = "Free Software Foundation" $b = "WITHOUT ANY WARRANTY" condition: all of them and filesize < 200KB }
rule S_size { strings: $a = "ELF" condition: $a in (0..4) and filesize > 1MB }
rule S_pct { strings: $a = "/usr/lib" $b = "/usr/share" $c = "/etc/" condition: 50% of them }
private rule S_priv { strings: $a = "Debian" condition: $a }
rule S_ref { strings: $b = "bookworm" nocase condition: S_priv and $b }
rule S_count_ge { strings: $a = "error" nocase condition: #a >= 10 }
rule S_or { strings: $a = "perl" $b = { 50 4B 03 04 } condition: ($a and filesize < 50KB) or $b at 0 }
rule S_regex_wide { strings: $r = /Micro(soft|chip)/ wide condition: $r }
rule S_false { strings: $a = "never" condition: $a and false }
rule S_not_and { strings: $a = "config" $b = "license" condition: $a and not $b }
`

// topRules has a rule the analysis cannot bound (a xor string alone):
// the set has no prefilter.
const topRules = `
rule T_plain { strings: $a = "vigil" condition: $a }
rule T_xor { strings: $x = "http://" xor(1-3) condition: $x }
`

// looseBuiltin is Vigil's own rules with every condition made "any of
// them" (private rules kept): nearly the same strings, matching far more
// files.
func looseBuiltin(t testing.TB) []Source {
	src, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	cond := regexp.MustCompile(`condition:\s*\n\s*filesize[^\n]*`)
	var out []Source
	for _, s := range src {
		s.Text = cond.ReplaceAll(s.Text, []byte("condition:\n        any of them"))
		// The one string with no anchor of three bytes ("sh", "<&", ">&")
		// would leave the whole loose set without a prefilter.
		s.Text = bytes.ReplaceAll(s.Text, []byte(`$b2 = /sh\s+`), []byte(`$b2 = /bash\s+`))
		out = append(out, s)
	}
	return out
}

type ruleSet struct {
	name string
	r    *Rules
	s    *Scanner
}

func ruleSets(t testing.TB) []ruleSet {
	t.Helper()
	var out []ruleSet
	add := func(name string, src []Source) {
		r, bad, err := Compile(src)
		if err != nil || len(bad) > 0 {
			t.Fatal(name, err, bad)
		}
		if r.Prefilter() == nil {
			t.Fatalf("%s: no prefilter (%v)", name, r.PrefilterError())
		}
		s, err := r.NewScanner(0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		out = append(out, ruleSet{name, r, s})
	}
	b, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	add("builtin", b)
	add("loose builtin", looseBuiltin(t))
	add("shapes", []Source{{Name: "shapes.yar", Text: []byte(shapeRules)}})
	return out
}

// check scans b with libyara and fails when a rule matched a file the
// prefilter would have passed over. It returns whether the prefilter let
// the file through and whether a rule matched.
func (rs ruleSet) check(t *testing.T, name string, b []byte) (through, matched bool) {
	ms, err := rs.s.ScanFile(b, nil, 0, int64(len(b)), FileInfo{Path: name})
	if err != nil {
		t.Errorf("%s: %v", name, err)
	}
	through = rs.r.Prefilter().MayMatch(b, nil, int64(len(b)))
	if len(ms) > 0 && !through {
		t.Errorf("%s: %s: rule %s matched a file the prefilter passed over", rs.name, name, ms[0].Rule.Name)
	}
	return through, len(ms) > 0
}

// TestPrefilterSound: on every file of the test corpus and of the
// end-to-end roots (when built), a file some rule matches is never one
// the prefilter passes over — for Vigil's rules, a loose variant of them
// that matches hundreds of system files, and rules of every shape.
func TestPrefilterSound(t *testing.T) {
	sets := ruleSets(t)
	type tally struct{ files, through, matched int }
	counts := make([]tally, len(sets))
	visit := func(name string, b []byte, all bool) {
		for i, rs := range sets {
			if !all && rs.name == "builtin" {
				continue // no builtin rule matches there (TestQuietOnSystemTrees)
			}
			th, m := rs.check(t, name, b)
			counts[i].files++
			if th {
				counts[i].through++
			}
			if m {
				counts[i].matched++
			}
		}
	}
	corpus, _ := filepath.Glob("testdata/corpus/*/*")
	for _, p := range corpus {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		visit(p, b, true)
	}
	if !testing.Short() {
		systemFiles(func(_, rel string, b []byte) { visit(rel, b, false) })
	}
	for i, rs := range sets {
		c := counts[i]
		t.Logf("%s: %d files, %d let through, %d matched", rs.name, c.files, c.through, c.matched)
		if rs.name != "builtin" && c.matched == 0 {
			t.Errorf("%s matched no file: the property is not tested", rs.name)
		}
	}
}

// TestPrefilterRefuses: a set with a rule the analysis cannot bound has no
// prefilter; so has one whose sources do not parse alike.
func TestPrefilterRefuses(t *testing.T) {
	r, _, err := Compile([]Source{{Name: "top.yar", Text: []byte(topRules)}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Prefilter() != nil {
		t.Error("a rule with a xor string alone must leave every file scanned")
	}
	if !r.Prefilter().MayMatch(nil, nil, 0) || !r.Prefilter().SizeMayMatch(1<<40) {
		t.Error("no prefilter lets every file through")
	}
	if _, err := analyseSources([]Source{{Name: "inc.yar", Text: []byte("include \"other.yar\"\nrule A { condition: true }")}}); err == nil {
		t.Error("a rule file with includes must not be analysed")
	}
}

// TestPrefilterSizes: filesize bounds alone decide before a file is read.
func TestPrefilterSizes(t *testing.T) {
	r, _, err := Compile([]Source{{Name: "s.yar", Text: []byte(`
rule Small { strings: $a = "marker-one" condition: filesize < 1KB and $a }
rule Mid { strings: $a = "marker-two" condition: 2048 <= filesize and filesize <= 4096 and $a }
rule Never { strings: $a = "marker-three" condition: filesize > 10 and filesize < 5 and $a }
`)}})
	if err != nil {
		t.Fatal(err)
	}
	p := r.Prefilter()
	for size, want := range map[int64]bool{0: true, 1023: true, 1024: false, 2047: false, 2048: true, 4096: true, 4097: false, 7: true} {
		if got := p.SizeMayMatch(size); got != want {
			t.Errorf("size %d: %v, want %v", size, got, want)
		}
	}
	one := []byte("xx marker-ONE marker-one")
	if !p.MayMatch(one, nil, int64(len(one))) {
		t.Error("marker-one in a small file")
	}
	if p.MayMatch(one, nil, 3000) {
		t.Error("marker-one in a file of 3000 bytes: Small does not allow the size")
	}
	two := bytes.Repeat([]byte{'x'}, 3000)
	copy(two[2990:], "marker-two")
	if p.MayMatch(two[:2000], nil, 3000) {
		t.Error("marker-two beyond the head read must not count")
	}
	if !p.MayMatch(two[:10], two[2000:], 3000) {
		t.Error("marker-two in the tail")
	}
}

// TestRegexNeeds: the anchors derived from regular expressions.
func TestRegexNeeds(t *testing.T) {
	for _, c := range []struct {
		re   string
		want []string // one anchor of each clause, or nil: no anchor
	}{
		{`abc`, []string{"abc"}},
		{`ab`, nil},
		{`(foo|bar)baz`, []string{"foobaz"}},
		{`\$_(POST|GET)\s*\[`, []string{"$_POST"}},
		{`eval\s*\(\s*\$_POST`, []string{"eval", "$_POST"}},
		{`x{,3}abcd`, nil},   // YARA's {,n}: refused
		{`(?i)abcd`, nil},    // inline flags: refused
		{`\xffabc\xfe`, nil}, // bytes above 0x7f: refused
		{`a.*b`, nil},
		{`[abcd]xyz`, []string{"xyz"}},
		{`(abc)+def`, []string{"abc"}},
		{`(abc)?def`, []string{"def"}},
		{`\Qabc\E`, nil},
	} {
		got := regexNeeds(c.re, false, false, true, false)
		if c.want == nil {
			if len(got) != 0 {
				t.Errorf("%s: %v, want no anchor", c.re, got)
			}
			continue
		}
		for _, w := range c.want {
			found := false
			for _, cl := range got {
				for _, l := range cl.set {
					found = found || bytes.Contains(l.b, []byte(w)) // or one holding it
				}
			}
			if !found {
				t.Errorf("%s: no clause has %q: %v", c.re, w, got)
			}
		}
	}
}

// FuzzRegexNeeds: whatever Go's regexp matches of a pattern contains an
// anchor of each clause derived from it (the analysis on Go's reading;
// where YARA reads a pattern differently the analysis refuses it); on
// ASCII data, an anchor of each clause is found and, when verified,
// verifies (bytes above 0x7f are libyara's to judge: FuzzPrefilter and
// TestVerifierAgreesWithLibyara).
func FuzzRegexNeeds(f *testing.F) {
	for _, s := range []string{`abc`, `(foo|bar)+baz\s*qux`, `\$_(POST|GET)\[`, `a(b|cd)?efg(h|ij)k`, `[ab]cd(ef)*gh`} {
		f.Add(s, []byte("xx foobarbaz  qux $_GET[ acdefgijk bcdgh"))
	}
	for _, s := range []string{`(eval|assert)\s*\(\s*\$_POST`, `[^a-z]exec\s*\([^)]{1,5}\)`, `\$\{?\s*['"]_(POST|GET)['"]\s*\[`, `abc\b.de\Bf`, `\b(nc|ncat)\s+(-[a-z]+\s+)*-e\s*\/bin\/(ba)?sh`} {
		f.Add(s, []byte("x eval ( $_POST ;exec(12) ${'_GET'} [ abc de f abc.def nc -v -e /bin/sh"))
	}
	f.Fuzz(func(t *testing.T, src string, data []byte) {
		re, err := regexp.Compile(src)
		if err != nil {
			return
		}
		loc := re.FindIndex(data)
		if loc == nil {
			return
		}
		m := data[loc[0]:loc[1]]
		for _, cl := range regexNeeds(src, false, false, true, false) {
			ok := false
			for _, l := range cl.set {
				ok = ok || bytes.Contains(m, l.b)
			}
			if !ok {
				t.Fatalf("%q matched %q, which holds no anchor of %v", src, m, cl)
			}
		}
		if bytes.ContainsFunc(data, func(r rune) bool { return r >= 0x80 }) {
			return
		}
		for _, nocase := range []bool{false, true} {
			for _, cl := range regexNeeds(src, nocase, false, true, false) {
				if !clauseFound(cl, data) {
					t.Fatalf("%q matched %q at %v: no anchor of %v found and verified", src, data, loc, cl)
				}
			}
		}
	})
}

// FuzzPrefilter: for any rule file libyara compiles and any data, a file
// a rule matches is one the prefilter lets through.
func FuzzPrefilter(f *testing.F) {
	f.Add(shapeRules, []byte("GNU C Library usage: --help Usage: perl"))
	f.Add(`rule A { strings: $a = "abcd" nocase $b = /x(yz|zy)+w/ condition: $a or #b > 1 }`, []byte("ABCD xyzw xzyw"))
	f.Add(`rule B { strings: $h = { 61 62 ?? 64 65 66 } condition: $h and filesize < 100 }`, []byte("abcdef ab.def"))
	f.Add(verifyRules, []byte("x EVAL ( $_post abcd\xc3\xa9wxyz QRST\xc3\xa9UVW mnop\v\vstuv keyw=val nwx1\x80\x81\x82nwx2"))
	f.Fuzz(func(t *testing.T, text string, data []byte) {
		r, bad, err := Compile([]Source{{Name: "f.yar", Text: []byte(text)}})
		if err != nil || len(bad) > 0 || r.Prefilter() == nil {
			return
		}
		s, err := r.NewScanner(0)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		ms, _ := s.ScanFile(data, nil, 0, int64(len(data)), FileInfo{})
		if len(ms) > 0 && !r.Prefilter().MayMatch(data, nil, int64(len(data))) {
			t.Fatalf("rule %s matched data the prefilter passed over", ms[0].Rule.Name)
		}
	})
}

// TestPrefilterAnyPosition: an anchor is found at every offset and at the
// very end of the data, when every other position is looked at (anchors
// of four bytes or more) and when every one is (a three-byte anchor).
func TestPrefilterAnyPosition(t *testing.T) {
	for _, c := range []struct{ rules, anchor string }{
		{`rule A { strings: $a = "qzxv" condition: $a }`, "qzxv"},
		{`rule A { strings: $a = "QzXvW" nocase condition: $a }`, "qZxVw"},
		{`rule A { strings: $a = "qzx" condition: $a }`, "qzx"},
	} {
		r, _, err := Compile([]Source{{Name: "p.yar", Text: []byte(c.rules)}})
		if err != nil || r.Prefilter() == nil {
			t.Fatal(err, r.PrefilterError())
		}
		for before := 0; before < 6; before++ {
			for after := 0; after < 4; after++ {
				b := []byte(strings.Repeat(".", before) + c.anchor + strings.Repeat(".", after))
				if !r.Prefilter().MayMatch(b, nil, int64(len(b))) {
					t.Errorf("%q: anchor not found in %q", c.rules, b)
				}
				if r.Prefilter().MayMatch(b[:len(b)-after-1], nil, int64(len(b))) {
					t.Errorf("%q: anchor found in %q", c.rules, b[:len(b)-after-1])
				}
			}
		}
	}
}
