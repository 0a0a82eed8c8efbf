package ioc

import (
	"encoding/json"
	"strings"
)

// stixObject is the part of a STIX 2.1 object Vigil reads.
type stixObject struct {
	Type        string `json:"type"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Pattern     string `json:"pattern"`
	PatternType string `json:"pattern_type"`
	Revoked     bool   `json:"revoked"`
}

// parseSTIX reads the indicator objects of a STIX 2.1 bundle (or a single
// indicator object). Line is the object's position in the bundle, 1-based.
func (s *Set) parseSTIX(list string, b []byte) {
	pr := &problems{s: s, list: list}
	var doc struct {
		Type    string            `json:"type"`
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		pr.add(0, ProbNotSTIX, err.Error())
		return
	}
	objs := doc.Objects
	if doc.Type == "indicator" {
		objs = []json.RawMessage{b}
	} else if doc.Type != "bundle" {
		pr.add(0, ProbNotSTIX, "type "+doc.Type)
		return
	}
	for i, raw := range objs {
		var o stixObject
		if err := json.Unmarshal(raw, &o); err != nil {
			pr.add(i+1, ProbNotSTIX, err.Error())
			continue
		}
		if o.Type != "indicator" || o.Revoked {
			continue
		}
		if o.PatternType != "" && o.PatternType != "stix" {
			pr.add(i+1, ProbPatternType, o.PatternType)
			continue
		}
		desc := o.Name
		if desc == "" {
			desc = o.Description
		}
		terms, ok := parsePattern(o.Pattern)
		if !ok {
			pr.add(i+1, ProbSTIXPattern, o.Pattern)
			continue
		}
		for _, t := range terms {
			if !s.addValue(t.typ, t.value, desc, list, i+1) {
				pr.add(i+1, ProbSTIXPattern, o.Pattern)
				break
			}
		}
	}
}

type term struct {
	typ   Type
	value string
}

// stixPaths maps the object paths of the supported comparisons to types.
var stixPaths = map[string]Type{
	"file:hashes.md5": MD5, "file:hashes.'md5'": MD5,
	"file:hashes.sha-1": SHA1, "file:hashes.'sha-1'": SHA1, "file:hashes.sha1": SHA1, "file:hashes.'sha1'": SHA1,
	"file:hashes.sha-256": SHA256, "file:hashes.'sha-256'": SHA256, "file:hashes.sha256": SHA256, "file:hashes.'sha256'": SHA256,
	"file:name":       FileName,
	"ipv4-addr:value": IP, "ipv6-addr:value": IP,
	"domain-name:value": Domain,
	"url:value":         URL,
}

// parsePattern reads a STIX pattern made only of equality comparisons on
// the supported paths, joined by OR, inside one or more observation
// brackets joined by OR: [a = 'x' OR b = 'y'] OR [c = 'z']. Anything else
// (AND, FOLLOWEDBY, qualifiers, other operators or objects) is refused: a
// conjunction is not a list of indicators, and guessing would report
// matches the list did not mean.
//
// Hand-written: the STIX pattern grammar is an ANTLR grammar with no
// maintained Go implementation; this subset is what indicator feeds use.
func parsePattern(p string) ([]term, bool) {
	var out []term
	rest := strings.TrimSpace(p)
	for {
		if !strings.HasPrefix(rest, "[") {
			return nil, false
		}
		rest = strings.TrimSpace(rest[1:])
		for {
			path, r, ok := cutPath(rest)
			if !ok {
				return nil, false
			}
			typ, known := stixPaths[strings.ToLower(path)]
			if !known {
				return nil, false
			}
			r = strings.TrimSpace(r)
			if !strings.HasPrefix(r, "=") {
				return nil, false
			}
			val, r2, ok := cutQuoted(strings.TrimSpace(r[1:]))
			if !ok {
				return nil, false
			}
			out = append(out, term{typ, val})
			rest = strings.TrimSpace(r2)
			if strings.HasPrefix(rest, "OR ") {
				rest = strings.TrimSpace(rest[3:])
				continue
			}
			break
		}
		if !strings.HasPrefix(rest, "]") {
			return nil, false
		}
		rest = strings.TrimSpace(rest[1:])
		if rest == "" {
			return out, len(out) > 0
		}
		if !strings.HasPrefix(rest, "OR ") {
			return nil, false
		}
		rest = strings.TrimSpace(rest[3:])
	}
}

// cutPath reads an object path (file:hashes.'SHA-256') up to the operator.
func cutPath(s string) (string, string, bool) {
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			inQuote = !inQuote
		case !inQuote && (c == ' ' || c == '=' || c == '!' || c == '<' || c == '>'):
			return s[:i], s[i:], i > 0
		}
	}
	return "", "", false
}

// cutQuoted reads a single-quoted STIX string (\' and \\ escapes).
func cutQuoted(s string) (string, string, bool) {
	if !strings.HasPrefix(s, "'") {
		return "", "", false
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '\'':
			return b.String(), s[i+1:], true
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", false
}
