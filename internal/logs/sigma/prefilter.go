package sigma

import (
	"bytes"
	"strings"
	"unicode/utf8"

	sigmago "github.com/bradleyjkemp/sigma-go"
	"github.com/coregx/ahocorasick"

	"github.com/vigil-ir/vigil/internal/model"
)

// Why a prefilter: sigma-go evaluates a rule by lower-casing the event's
// value once per expected value and allocating per search; on a brute-forced
// host's auth.log (millions of sshd lines) that is tens of microseconds a
// line. Most rules can only match when one of their literal values appears
// in the event, so each rule keeps its literals (lower-cased) and the event's
// values are lower-cased once into one reused buffer: a rule whose literals
// are all absent is not evaluated.

// literals returns the lower-cased literals one of which must appear in an
// event's values for r to match; ok is false when that cannot be said (a
// negation, a regular expression, an empty or null value, a wildcard inside
// a value, a numeric comparison).
func literals(r sigmago.Rule) (lits [][]byte, rawOnly, ok bool) {
	rawOnly = true
	for _, c := range r.Detection.Conditions {
		if hasNot(c.Search) {
			return nil, false, false
		}
	}
	for _, s := range r.Detection.Searches {
		if len(s.EventMatchers) == 0 {
			return nil, false, false
		}
		for _, em := range s.EventMatchers {
			for _, fm := range em {
				for _, m := range fm.Modifiers {
					switch m {
					case "contains", "startswith", "endswith", "all":
					default:
						return nil, false, false // re, cidr, gt, base64 ...
					}
				}
				if len(fm.Values) == 0 {
					return nil, false, false
				}
				rawOnly = rawOnly && rawFields[fm.Field]
				for _, v := range fm.Values {
					str, isStr := v.(string)
					if !isStr {
						return nil, false, false
					}
					str = strings.Trim(str, "*")
					if str == "" || strings.ContainsAny(str, "*?\\") {
						return nil, false, false
					}
					lits = append(lits, []byte(strings.ToLower(str)))
				}
			}
		}
	}
	return lits, rawOnly, len(lits) > 0
}

// kindGate returns the kinds an event must have for r to match, nil when
// that cannot be said: the rule's one condition names one search, and
// every alternative of that search requires the field Kind to equal (no
// modifier, no wildcard: sigma-go compares lower-cased) one of some
// strings. Vigil's rules select by Kind ("cron.edit"); checking it first
// spares the literal search of the event's values (a tenth of the judge on
// an auth.log whose cron sessions all reached the cron rule's prefilter).
func kindGate(r sigmago.Rule) []string {
	if len(r.Detection.Conditions) != 1 || r.Detection.Conditions[0].Aggregation != nil {
		return nil
	}
	id, ok := r.Detection.Conditions[0].Search.(sigmago.SearchIdentifier)
	if !ok {
		return nil
	}
	search, ok := r.Detection.Searches[id.Name]
	if !ok || len(search.Keywords) > 0 || len(search.EventMatchers) == 0 {
		return nil
	}
	var kinds []string
	for _, em := range search.EventMatchers {
		found := false
		for _, fm := range em {
			if fm.Field != "Kind" || len(fm.Modifiers) > 0 || len(fm.Values) == 0 {
				continue
			}
			vals := make([]string, 0, len(fm.Values))
			for _, v := range fm.Values {
				str, isStr := v.(string)
				if !isStr || str == "" || strings.ContainsAny(str, "*?\\") {
					vals = nil
					break
				}
				vals = append(vals, strings.ToLower(str))
			}
			if vals != nil {
				kinds, found = append(kinds, vals...), true
				break
			}
		}
		if !found {
			return nil // this alternative does not require a kind
		}
	}
	return kinds
}

// kindIn reports whether the Kind the rules see of e (fill: the event's
// kind, else a field named Kind), lower-cased, is one of kinds.
func kindIn(e *model.Event, kinds []string) bool {
	k := e.Kind
	if k == "" {
		k = e.Fields["Kind"]
	}
	k = strings.ToLower(k) // as sigma-go compares (no copy when already lower case)
	for _, want := range kinds {
		if k == want {
			return true
		}
	}
	return false
}

// rawFields are the names under which rules see the raw line.
var rawFields = map[string]bool{"_raw": true, "message": true, "Message": true}

func hasNot(e sigmago.SearchExpr) bool {
	switch s := e.(type) {
	case sigmago.Not:
		return true
	case sigmago.And:
		for _, x := range s {
			if hasNot(x) {
				return true
			}
		}
	case sigmago.Or:
		for _, x := range s {
			if hasNot(x) {
				return true
			}
		}
	}
	return false
}

// haystack lower-cases every value the rules can see of e into buf (as
// strings.ToLower does, which sigma-go's comparisons use; ASCII without
// allocating); with rawOnly, the raw line alone (rules that only read it).
func haystack(buf []byte, e *model.Event, rawOnly bool) []byte {
	buf = buf[:0]
	add := func(s string) {
		ascii := true
		for i := 0; i < len(s) && ascii; i++ {
			ascii = s[i] < utf8.RuneSelf
		}
		if !ascii {
			buf = append(buf, strings.ToLower(s)...)
		} else {
			for i := 0; i < len(s); i++ {
				buf = append(buf, lowerASCII[s[i]])
			}
		}
		buf = append(buf, 0)
	}
	add(e.Raw)
	if rawOnly {
		return buf
	}
	add(e.Source)
	add(e.Program)
	add(e.Kind)
	add(e.Host)
	add(e.Actor)
	add(e.Object)
	add(e.SrcIP)
	add(string(e.Outcome))
	for _, v := range e.Fields {
		add(v)
	}
	return buf
}

// lowerASCII maps each byte below 0x80 to its lower case.
var lowerASCII = func() (t [utf8.RuneSelf]byte) {
	for i := range t {
		t[i] = byte(i)
		if 'A' <= i && i <= 'Z' {
			t[i] = byte(i + 'a' - 'A')
		}
	}
	return t
}()

// prefilter finds whether one of a rule's literals is in an event's values:
// bytes.Contains for a few, one Aho–Corasick pass (github.com/coregx/
// ahocorasick, as the tools check uses) for more.
type prefilter struct {
	lits [][]byte
	ac   *ahocorasick.Automaton
	// anchors search the raw line itself (rules that read only it; nil
	// when a literal is not ASCII): see anchor.go.
	anchors *anchorSet
}

func newPrefilter(lits [][]byte, rawOnly bool) *prefilter {
	p := &prefilter{lits: lits}
	if rawOnly {
		p.anchors = newAnchorSet(lits)
	}
	if len(lits) > 3 {
		pats := make([]string, len(lits))
		for i, l := range lits {
			pats[i] = string(l)
		}
		if ac, err := ahocorasick.NewBuilder().AddStrings(pats).Build(); err == nil {
			p.ac = ac
		}
	}
	return p
}

// mayMatch reports whether one of the literals is in hay.
func (p *prefilter) mayMatch(hay []byte) bool {
	if p.ac != nil {
		return p.ac.IsMatch(hay)
	}
	for _, l := range p.lits {
		if bytes.Contains(hay, l) {
			return true
		}
	}
	return false
}
