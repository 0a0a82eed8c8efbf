package cmdscan

import (
	"reflect"
	"regexp/syntax"
	"strings"
	"testing"
	"unicode"
)

// The prefilter must never reject a line an expression matches. Three
// independent checks: a proof from each expression's syntax tree
// (TestPrefilterProved), a corpus (TestPrefilterSoundCorpus) and a fuzz
// target (FuzzPrefilterSound).

// exactLimit bounds the sets exactSet enumerates.
const exactLimit = 1024

// exactSet returns, when it is small and finite, the set of folded strings
// re can match.
func exactSet(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []string{""}, true
	case syntax.OpLiteral:
		out := []string{""}
		for _, r := range re.Rune {
			forms := []string{string(foldInto(nil, string(r)))}
			if re.Flags&syntax.FoldCase != 0 {
				for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
					forms = append(forms, string(foldInto(nil, string(f))))
				}
			}
			out = product(out, dedupe(forms))
		}
		return out, len(out) <= exactLimit
	case syntax.OpCharClass:
		var forms []string
		for i := 0; i < len(re.Rune); i += 2 {
			if re.Rune[i+1]-re.Rune[i] > 32 || len(forms) > 32 {
				return nil, false
			}
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				forms = append(forms, string(foldInto(nil, string(r))))
			}
		}
		return dedupe(forms), true
	case syntax.OpCapture:
		return exactSet(re.Sub[0])
	case syntax.OpQuest:
		s, ok := exactSet(re.Sub[0])
		if !ok {
			return nil, false
		}
		return dedupe(append(s, "")), true
	case syntax.OpRepeat:
		if re.Max < 0 || re.Max > 4 {
			return nil, false
		}
		s, ok := exactSet(re.Sub[0])
		if !ok {
			return nil, false
		}
		var out []string
		pow := []string{""}
		for k := 0; k <= re.Max; k++ {
			if k >= re.Min {
				out = append(out, pow...)
			}
			if pow = product(pow, s); len(pow) > exactLimit {
				return nil, false
			}
		}
		return dedupe(out), true
	case syntax.OpConcat:
		return exactConcat(re.Sub)
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			s, ok := exactSet(sub)
			if !ok {
				return nil, false
			}
			out = append(out, s...)
		}
		out = dedupe(out)
		return out, len(out) <= exactLimit
	}
	return nil, false
}

func exactConcat(subs []*syntax.Regexp) ([]string, bool) {
	out := []string{""}
	for _, sub := range subs {
		s, ok := exactSet(sub)
		if !ok {
			return nil, false
		}
		if out = product(out, s); len(out) > exactLimit {
			return nil, false
		}
	}
	return out, true
}

func product(a, b []string) []string {
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return dedupe(out)
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0:0]
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func allContain(set, kws []string) bool {
	for _, s := range set {
		found := false
		for _, k := range kws {
			if strings.Contains(s, k) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// covers reports whether every text re matches contains, once folded, one
// of kws.
func covers(re *syntax.Regexp, kws []string) bool {
	if s, ok := exactSet(re); ok {
		return allContain(s, kws)
	}
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return covers(re.Sub[0], kws)
	case syntax.OpRepeat:
		return re.Min >= 1 && covers(re.Sub[0], kws)
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			if !covers(sub, kws) {
				return false
			}
		}
		return true
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if covers(sub, kws) {
				return true
			}
		}
		subs := flatten(re.Sub)
		// A keyword may span several parts (/dev/ then tcp|udp then /).
		for i := range subs {
			for j := i + 2; j <= len(subs); j++ {
				s, ok := exactConcat(subs[i:j])
				if !ok {
					break
				}
				if allContain(s, kws) {
					return true
				}
			}
		}
		// The parser factors alternatives (p(?:ython|erl|hp)): distribute
		// the concatenation over one alternation and prove each branch.
		for i, sub := range subs {
			alts := alternatives(sub)
			if alts == nil {
				continue
			}
			all := true
			for _, a := range alts {
				branch := append(append(append([]*syntax.Regexp{}, subs[:i]...), a), subs[i+1:]...)
				if !covers(&syntax.Regexp{Op: syntax.OpConcat, Sub: flatten(branch)}, kws) {
					all = false
					break
				}
			}
			if all {
				return true
			}
		}
	}
	return false
}

// flatten inlines nested concatenations and captures of them.
func flatten(subs []*syntax.Regexp) []*syntax.Regexp {
	var out []*syntax.Regexp
	for _, s := range subs {
		for s.Op == syntax.OpCapture {
			s = s.Sub[0]
		}
		if s.Op == syntax.OpConcat {
			out = append(out, flatten(s.Sub)...)
		} else {
			out = append(out, s)
		}
	}
	return out
}

// alternatives returns the branches of an alternation (x? is x or
// nothing), or nil.
func alternatives(re *syntax.Regexp) []*syntax.Regexp {
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	switch re.Op {
	case syntax.OpAlternate:
		return re.Sub
	case syntax.OpQuest:
		return []*syntax.Regexp{re.Sub[0], {Op: syntax.OpEmptyMatch}}
	}
	return nil
}

func TestPrefilterProved(t *testing.T) {
	for i, p := range patterns {
		tree, err := syntax.Parse(p.re.String(), syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		for _, group := range p.need {
			if !covers(tree, group) {
				t.Errorf("pattern %d (%s): cannot prove that every match contains one of %q", i, p.id, group)
			}
		}
	}
}

// TestProverCatchesMistakes makes sure the prover is not vacuous.
func TestProverCatchesMistakes(t *testing.T) {
	for _, tc := range []struct {
		expr string
		kws  []string
		want bool
	}{
		{`(?i)\bcurl\b.*\|\s*sh`, []string{"curl"}, true},
		{`(?i)\bcurl\b.*\|\s*sh`, []string{"|"}, true},
		{`(?i)\b(?:iptables|ip6tables)\s+-F`, []string{"iptables"}, false},
		{`(?i)\b(?:iptables|ip6tables)\s+-F`, []string{"iptables", "ip6tables"}, true},
		{`/dev/(?:tcp|udp)/\d+`, []string{"/dev/tcp/", "/dev/udp/"}, true},
		{`/dev/(?:tcp|udp)/\d+`, []string{"/dev/tcp/"}, false},
		{`(?:ba)?sh\b`, []string{"bash"}, false},
		{`x(?:abc)*y`, []string{"abc"}, false},
		{`x(?:abc)+y`, []string{"abc"}, true},
		{`(?i)ks`, []string{"ks"}, true}, // K (Kelvin) and ſ fold to k and s
		{`(?i)\b(?:python[0-9.]*|perl|php)\b`, []string{"python", "perl", "php"}, true},
		{`(?i)\b(?:python[0-9.]*|perl|php)\b`, []string{"python", "perl"}, false},
		{`--(?:donate-level|coin\s+monero)`, []string{"--donate-level", "--coin"}, true},
		{`--(?:donate-level|coin\s+monero)`, []string{"--donate-level", "monero"}, true},
		{`--(?:donate-level|coin\s+monero)`, []string{"--donate-level", "--coin monero"}, false},
		{`a(?:b|c)?d`, []string{"abd", "acd"}, false},
		{`a(?:b|c)?d`, []string{"abd", "acd", "ad"}, true},
	} {
		tree, err := syntax.Parse(tc.expr, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		if got := covers(tree, tc.kws); got != tc.want {
			t.Errorf("covers(%q, %q) = %v, want %v", tc.expr, tc.kws, got, tc.want)
		}
	}
}

// TestFoldAgreesWithRegexp checks foldInto against the case folding that
// (?i) uses: every rune that folds to an ASCII letter folds to its lower
// case, and foldInto changes no other rune.
func TestFoldAgreesWithRegexp(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		ascii := rune(-1)
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < 0x80 {
				ascii = unicode.ToLower(f)
			}
		}
		if r < 0x80 {
			ascii = unicode.ToLower(r)
		}
		got := string(foldInto(nil, string(r)))
		want := string(r)
		if ascii >= 0 {
			want = string(ascii)
		}
		if got != want {
			t.Fatalf("foldInto(%U) = %q, want %q", r, got, want)
		}
	}
	if got := string(foldInto(nil, "CURL \xff\u017fH \u212aILL")); got != "curl \xffsh kill" {
		t.Errorf("foldInto = %q", got)
	}
}

// corpus returns every line the tests of this package use, with variants
// in other cases and with the non-ASCII letters (?i) equates with s and k.
func corpus() []string {
	var lines []string
	lines = append(lines, ordinaryLines...)
	lines = append(lines, maliciousLines...)
	for _, tc := range firesTable {
		lines = append(lines, tc.line)
	}
	lines = append(lines, silentTable...)
	lines = append(lines, oneLinerFires...)
	lines = append(lines, oneLinerSilent...)
	for _, tc := range exceptionTable {
		lines = append(lines, tc.line)
	}
	var out []string
	for _, l := range lines {
		out = append(out, l, strings.ToUpper(l), strings.ToTitle(l),
			strings.NewReplacer("s", "\u017f", "k", "\u212a", "S", "\u017f", "K", "\u212a").Replace(l),
			"x; "+l+" # y", "sudo "+l, "bash -c '"+l+"'")
	}
	return out
}

func checkPrefilterSound(t *testing.T, s string) {
	t.Helper()
	var buf [512]byte
	pf := newPrefilter(foldInto(buf[:0], s))
	for i := range patterns {
		p := &patterns[i]
		if p.re.MatchString(s) && !pf.passes(p) {
			t.Fatalf("pattern %d (%s) matches %q but the prefilter rejects it (needs %q)", i, p.id, s, p.need)
		}
	}
	if got, want := scan(s, true), scan(s, false); !reflect.DeepEqual(got, want) {
		t.Fatalf("Scan(%q) = %+v with the prefilter, %+v without", s, got, want)
	}
}

func TestPrefilterSoundCorpus(t *testing.T) {
	matched := map[int]bool{}
	for _, s := range corpus() {
		checkPrefilterSound(t, s)
		for i, p := range patterns {
			if p.re.MatchString(s) {
				matched[i] = true
			}
		}
	}
	// The corpus exercises every pattern, so that each is tested on at
	// least one line it matches.
	for i, p := range patterns {
		if !matched[i] {
			t.Errorf("no corpus line matches pattern %d (%s) %s", i, p.id, p.re)
		}
	}
}

func FuzzPrefilterSound(f *testing.F) {
	for _, s := range corpus() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkPrefilterSound(t, s)
	})
}
