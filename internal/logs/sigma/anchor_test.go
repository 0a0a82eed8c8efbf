package sigma

import (
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/model"
)

var anchorLits = []string{"unexpected internal error", "corrupted mac on input", "local: crc32 compensation attack", "bad client public dh value", "zz", "x"}

// sshdKeywords are the literals of rules/sigma/vigil_lnx_sshd_exploit.yml.
var sshdKeywords = []string{"unexpected internal error", "unknown or unsupported key type", "invalid certificate signing key",
	"invalid elliptic curve value", "incorrect signature", "error in libcrypto", "corrupted mac on input",
	"local: crc32 compensation attack", "bad client public dh value"}

// naive is what the anchors must answer: a literal in the lower-cased line.
func naive(raw string, lits []string) bool {
	low := strings.ToLower(raw)
	for _, l := range lits {
		if strings.Contains(low, l) {
			return true
		}
	}
	return false
}

func anchorsOf(lits []string) *anchorSet {
	bs := make([][]byte, len(lits))
	for i, l := range lits {
		bs[i] = []byte(l)
	}
	return newAnchorSet(bs)
}

func TestAnchors(t *testing.T) {
	a := anchorsOf(anchorLits[:4])
	tests := []struct {
		raw  string
		want bool
	}{
		{"Mar  1 09:00:00 h sshd[1]: Corrupted MAC on input. [preauth]", true},
		{"sshd[1]: CORRUPTED mac ON INPUT", true},
		{"Local: crc32 compensation attack: network attack detected", true},
		{"error: Bad client public DH value", true},
		{"fatal: unexpected internal error", true},
		{"unexpected internal erro", false},
		{"Mar  1 09:00:00 h sshd[1]: Failed password for root from 203.0.113.9 port 4000 ssh2", false},
		{"", false},
		{"mac on input corrupted", false},
		{"sshd[1]: \u00e9 Corrupted MAC on input \xff", true},
	}
	// The same literals anchored on bytes (a short literal among them
	// leaves the skip table out).
	byBytes := anchorsOf(append(anchorLits[:4:4], "x"))
	for _, tc := range tests {
		if got := a.match(tc.raw); got != tc.want || got != naive(tc.raw, anchorLits[:4]) {
			t.Errorf("%q: %v, want %v", tc.raw, got, tc.want)
		}
		if got, want := byBytes.match(tc.raw), naive(tc.raw, append(anchorLits[:4:4], "x")); got != want {
			t.Errorf("anchored on bytes: %q: %v, want %v", tc.raw, got, want)
		}
	}
	// The Kelvin sign lower-cases to k: such a line takes the lower-casing path.
	if !foldsToASCII("Local: crc32 compensation attac\u212a") || foldsToASCII("é \xff") {
		t.Errorf("foldsToASCII")
	}
	if newAnchorSet([][]byte{[]byte("é")}) != nil {
		t.Errorf("a non-ASCII literal is anchored")
	}
}

// FuzzAnchors: the anchors answer as lower-casing and searching does
// (but for the two runes that lower-case to ASCII, which take that path).
func FuzzAnchors(f *testing.F) {
	f.Add("sshd[1]: Corrupted MAC on input")
	f.Add("xXzZ Local: CRC32 compensation attack")
	f.Add("error: Bad client publiC DH valuebad client public dh")
	a := anchorsOf(anchorLits)
	long := anchorsOf(anchorLits[:4]) // the skip table
	sshd := anchorsOf(sshdKeywords)
	if a.skip != nil || long.skip == nil || sshd.skip == nil {
		f.Fatal("skip tables")
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if foldsToASCII(raw) {
			return
		}
		if got, want := a.match(raw), naive(raw, anchorLits); got != want {
			t.Fatalf("%q: %v, want %v", raw, got, want)
		}
		if got, want := long.match(raw), naive(raw, anchorLits[:4]); got != want {
			t.Fatalf("skip: %q: %v, want %v", raw, got, want)
		}
		if got, want := sshd.match(raw), naive(raw, sshdKeywords); got != want {
			t.Fatalf("sshd: %q: %v, want %v", raw, got, want)
		}
	})
}

func BenchmarkAnchors(b *testing.B) {
	a := anchorsOf(sshdKeywords)
	raw := "Mar  1 09:00:00 web1 sshd[12345]: Failed password for invalid user admin from 203.0.113.9 port 40000 ssh2"
	for b.Loop() {
		a.match(raw)
	}
}

func BenchmarkLowerAndAutomaton(b *testing.B) {
	bs := make([][]byte, 4)
	for i, l := range anchorLits[:4] {
		bs[i] = []byte(l)
	}
	p := newPrefilter(append(bs, bs...), false)
	ev := model.Event{Raw: "Mar  1 09:00:00 web1 sshd[12345]: Failed password for invalid user admin from 203.0.113.9 port 40000 ssh2"}
	var hay []byte
	for b.Loop() {
		hay = haystack(hay, &ev, true)
		p.mayMatch(hay)
	}
}
