package yara

import (
	"bytes"
	"regexp/syntax"
	"strings"
	"testing"
)

// verifyRules have expressions whose prefix literals are verified, in
// every shape the translation to Go's regexp must get right.
const verifyRules = `
rule V_call { strings: $a = /(eval|assert|system)\s*\(\s*\$_(POST|GET)/ nocase condition: $a }
rule V_lead { strings: $a = /[^a-z_>:]exec\s*\(\s*\$_GET\s*\[/ nocase condition: $a }
rule V_tail { strings: $a = /\$\{?\s*['"]_(POST|GET)['"]\s*\}?\s*\[[^\]]{1,40}\]\s*\(/ condition: $a }
rule V_count { strings: $a = /abcd..wxyz/ condition: $a }
rule V_neg { strings: $a = /qrst[^a-z]{2}uvw/ nocase condition: $a }
rule V_space { strings: $a = /mnop\s+stuv/ condition: $a }
rule V_word { strings: $a = /\bkeyw\b[=:]\bval/ condition: $a }
rule V_dotall { strings: $a = /dotx.{1,3}doty/s condition: $a }
rule V_long { strings: $a = /longa[^!]*longb/ condition: $a }
rule V_nonword { strings: $a = /nwx1\W\S\Dnwx2/ condition: $a }
rule V_back { strings: $a = /\b(nc|ncat)\s+(-[a-z]+\s+)*-e\s*\/bin\/(ba)?sh/ condition: $a }
`

// TestVerifierAgreesWithLibyara: wherever libyara matches one of the
// verified expressions, the prefilter lets the data through — on the
// bytes where Go's regexp and libyara could differ (bytes above 0x7f, \v,
// case in negated classes, word boundaries, matches longer than a
// verification reads) — and it passes over data that holds the literals
// where the expression cannot match.
func TestVerifierAgreesWithLibyara(t *testing.T) {
	r, bad, err := Compile([]Source{{Name: "v.yar", Text: []byte(verifyRules)}})
	if err != nil || len(bad) > 0 || r.Prefilter() == nil {
		t.Fatal(err, bad, r.PrefilterError())
	}
	s, err := r.NewScanner(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const (
		match = iota // libyara matches a rule: the data must be let through
		over         // no rule matches, and the prefilter passes the data over
		maybe        // no rule matches; the prefilter may let it through
	)
	for _, c := range []struct {
		data string
		want int
	}{
		{"x EVAL ( $_post", match},
		{"system\v(\v$_GET", match},
		{"eval is here and $_POST is there", over},
		{"<?php @exec($_GET['c']);", match},
		{"<?php Xexec($_GET['c']);", maybe}, // nocase classes are widened
		{"->exec($_GET[1])", over},
		{"${'_GET'}['x'](1)", match},
		{"${ \"_POST\" } [\xff\xfe](", match},
		{"'_GET'['" + strings.Repeat("x", 60) + "'](", over},
		{"abcd\xc3\xa9wxyz", match}, // two bytes, one UTF-8 rune
		{"abcd\xe2\x82wxyz", match},
		{"abcdwxyz", over},
		{"QRST\xc3\xa9UVW", match},
		{"qrst12uvw", match},
		{"qrstABuvw", maybe},
		{"mnop\v\vstuv", match},
		{"mnopstuv", over},
		{"akeyw=val", maybe}, // no boundary before keyw: boundaries are not checked
		{"keyw=val", match},
		{"dotx\n\ndoty", match},
		{"longa" + strings.Repeat("\xc3", 900) + "longb", match},
		{"longa" + strings.Repeat("\xc3", maxVerify+10) + "longb", maybe}, // past libyara's and the verifier's reach
		{"longa" + strings.Repeat(".", 3000) + "!longb", over},
		{"nwx1\x80\x81\x82nwx2", match},
		{"nwx1 \x80\x81nwx2", match},
		{"nwx1 a1nwx2", over},
		{"x = EVAL", over},        // the literal at the end: nothing can follow
		{"SYSTEM\t($_GET", match}, // nocase literal, a space class after it
		{"systemd($_GET", over},
		{"nc -e /bin/sh", match}, // a suffix, verified backwards
		{"x; ncat -lvp -e\t/bin/bash", match},
		{"x; ncat -lvp 4444 -e /bin/bash", over},
		{"#!/bin/sh\nexec nc -l", over},
		{"nc\xff-e /bin/sh", over},
		{"xnc -e /bin/sh", maybe}, // boundaries are not checked
		{"nc" + strings.Repeat(" ", 900) + "-e /bin/sh", match},
		{"nc" + strings.Repeat(" ", maxVerify+10) + "-e /bin/sh", maybe},
		{"/bin/sh", over}, // the literal at the start: nothing before it
	} {
		b := []byte(c.data)
		ms, err := s.ScanFile(b, nil, 0, int64(len(b)), FileInfo{})
		if err != nil {
			t.Fatal(err)
		}
		through := r.Prefilter().MayMatch(b, nil, int64(len(b)))
		name := c.data[:min(len(c.data), 40)]
		if len(ms) > 0 && !through {
			t.Errorf("%q: rule %s matched data the prefilter passed over", name, ms[0].Rule.Name)
		}
		if (len(ms) > 0) != (c.want == match) {
			t.Errorf("%q: libyara matched %d rules, the test expects otherwise", name, len(ms))
		}
		if c.want == over && through {
			t.Errorf("%q: let through though no expression can match", name)
		}
	}
}

// TestNextBytes: the bytes that may follow an anchor literal.
func TestNextBytes(t *testing.T) {
	for _, c := range []struct {
		re, lit string
		nocase  bool
		want    string // every byte that may follow; "*": any (no set)
	}{
		{`eval\s*\(`, "eval", false, "\t\n\v\f\r ("},
		{`EVAL\s*\(`, "eval", true, "\t\n\v\f\r ("},
		{`abcd(e|f)?`, "abcd", false, "*"},
		{`[^a-z]exec[(\[]`, "exec", false, "(["},
		{`qrst[^a-z]x`, "qrst", false, "not a-z"},
	} {
		re, err := syntax.Parse(c.re, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		lead := 0
		if c.re[0] == '[' && c.re[1] == '^' {
			lead = 1
		}
		v := newVerifier(re, lead, c.nocase, false)
		next := v.nextBytes([]byte(c.lit), c.nocase)
		switch {
		case c.want == "*":
			if next != nil {
				t.Errorf("%s: a set, want any byte", c.re)
			}
		case c.want == "not a-z":
			if next == nil || next.has('a') || next.has('z') || !next.has('A') || !next.has(0xff) {
				t.Errorf("%s: %v", c.re, next)
			}
		default:
			for b := 0; b < 256; b++ {
				if next == nil || next.has(byte(b)) != strings.ContainsRune(c.want, rune(b)) {
					t.Errorf("%s: byte %#x: %v", c.re, b, next != nil && next.has(byte(b)))
				}
			}
		}
	}
}

// TestVerifiedAnchors: the expressions of Vigil's web-shell rules get
// verified anchors, and ones the translation refuses do not.
func TestVerifiedAnchors(t *testing.T) {
	for _, c := range []struct {
		re       string
		verified bool
	}{
		{`(eval|assert)\s*\(\s*\$_POST`, true},
		{`[^a-z]exec\s*\(`, true},
		{`\$\{?\s*['"]_(POST|GET)['"]\s*\[`, true},
		{`abc$`, false},                        // $ refused
		{`^abcd\s`, false},                     // ^ refused
		{`abc`, false},                         // exact: the literal is the match
		{`ab\s*cd`, false},                     // no prefix of three bytes
		{`\b(nc|ncat)\s+-e\s*\/bin\/sh`, true}, // backwards from the suffix
	} {
		got := false
		for _, cl := range regexNeeds(c.re, false, false, true, false) {
			for _, l := range cl.set {
				got = got || l.re != nil
			}
		}
		if got != c.verified {
			t.Errorf("%s: verified %v, want %v", c.re, got, c.verified)
		}
	}
}

// clauseFound reports whether some anchor of n occurs in data and, when
// verified, verifies there.
func clauseFound(n needs, data []byte) bool {
	for _, l := range n.set {
		for i := 0; i+len(l.b) <= len(data); i++ {
			w := data[i : i+len(l.b)]
			if !bytes.Equal(w, l.b) && !(l.nocase && bytes.Equal(fold(w), fold(l.b))) {
				continue
			}
			if l.re == nil {
				return true
			}
			if ok, _ := l.re.verifyAt(data, i, l.next, len(l.b)); ok {
				return true
			}
		}
	}
	return false
}

// TestVerifyBudget: data made to have verifications read quadratically
// (a verified literal over and over inside what its expression accepts)
// is handed to libyara, whose scan has a timeout, once the file's budget
// is spent; ordinary data never spends it (TestPrefilterSound's counts).
func TestVerifyBudget(t *testing.T) {
	r, _, err := Compile([]Source{{Name: "h.yar", Text: []byte(`rule H { strings: $a = /abcd[^!]*xyz/ condition: $a }`)}})
	if err != nil || r.Prefilter() == nil {
		t.Fatal(err, r.PrefilterError())
	}
	small := []byte(strings.Repeat("abcd", 200) + "!")
	if r.Prefilter().MayMatch(small, nil, int64(len(small))) {
		t.Error("one block: no match possible, within the budget: passed over")
	}
	hostile := []byte(strings.Repeat(strings.Repeat("abcd", 900)+"!", 300))
	if !r.Prefilter().MayMatch(hostile, nil, int64(len(hostile))) {
		t.Error("the budget spent: the file must go to libyara")
	}
}
