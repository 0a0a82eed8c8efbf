package ioc

import (
	"net/netip"
	"strings"
)

// Type is an indicator's kind.
type Type string

// Indicator types.
const (
	MD5      Type = "md5"
	SHA1     Type = "sha1"
	SHA256   Type = "sha256"
	IP       Type = "ip"
	CIDR     Type = "cidr"
	Domain   Type = "domain"
	URL      Type = "url"
	FileName Type = "filename"
	Path     Type = "path"
)

// Indicator is one entry of a list, normalised (hashes and domains lower
// case, addresses canonical), with where it came from.
type Indicator struct {
	Type  Type
	Value string
	Desc  string // the list's comment or description, if any
	List  string // the list file
	Line  int    // 1-based line (for a STIX bundle: the object's index + 1)
}

// Problem is an entry a list had that could not be used, for the gaps.
type Problem struct {
	List   string
	Line   int
	Kind   string // a message id suffix: not-indicator, stix-pattern, ...
	Detail string // the entry (clipped), or the parser's error
}

// Problem kinds (message ids ioc.gap.<kind>).
const (
	ProbNotIndicator = "not-indicator"     // a line or row that is no indicator
	ProbSTIXPattern  = "stix-pattern"      // a STIX pattern beyond the supported subset
	ProbPatternType  = "stix-pattern-type" // pattern_type other than stix (sigma, yara ...)
	ProbNotSTIX      = "not-stix"          // JSON that is not a STIX bundle
	ProbUnreadable   = "unreadable"        // the rest of the list could not be read
	ProbMore         = "more"              // more problems, not listed one by one
)

// Set holds every indicator loaded, by type. The zero value is empty and
// usable; it is read-only once loaded and safe for concurrent lookups.
type Set struct {
	byType   map[Type]map[string]Indicator
	prefixes map[int]map[netip.Prefix]Indicator // CIDRs by prefix length
	bits     []int                              // prefix lengths present, longest first
	Problems []Problem
}

func (s *Set) add(ind Indicator) {
	if s.byType == nil {
		s.byType = map[Type]map[string]Indicator{}
	}
	if ind.Type == CIDR {
		p, err := netip.ParsePrefix(ind.Value)
		if err != nil {
			return
		}
		p = p.Masked()
		if s.prefixes == nil {
			s.prefixes = map[int]map[netip.Prefix]Indicator{}
		}
		if s.prefixes[p.Bits()] == nil {
			s.prefixes[p.Bits()] = map[netip.Prefix]Indicator{}
			s.bits = insertDesc(s.bits, p.Bits())
		}
		if _, dup := s.prefixes[p.Bits()][p]; !dup {
			ind.Value = p.String()
			s.prefixes[p.Bits()][p] = ind
		}
		return
	}
	m := s.byType[ind.Type]
	if m == nil {
		m = map[string]Indicator{}
		s.byType[ind.Type] = m
	}
	if _, dup := m[ind.Value]; !dup { // the first list to name it is cited
		m[ind.Value] = ind
	}
}

func insertDesc(xs []int, x int) []int {
	i := 0
	for i < len(xs) && xs[i] > x {
		i++
	}
	xs = append(xs, 0)
	copy(xs[i+1:], xs[i:])
	xs[i] = x
	return xs
}

// Len is the number of indicators of a type.
func (s *Set) Len(t Type) int {
	if t == CIDR {
		n := 0
		for _, m := range s.prefixes {
			n += len(m)
		}
		return n
	}
	return len(s.byType[t])
}

// Total is the number of indicators loaded.
func (s *Set) Total() int {
	n := s.Len(CIDR)
	for _, m := range s.byType {
		n += len(m)
	}
	return n
}

func (s *Set) get(t Type, v string) (Indicator, bool) {
	ind, ok := s.byType[t][v]
	return ind, ok
}

// LookupHash finds a hex digest (MD5, SHA-1 or SHA-256 by its length).
func (s *Set) LookupHash(hexDigest string) (Indicator, bool) {
	h := strings.ToLower(hexDigest)
	switch len(h) {
	case 32:
		return s.get(MD5, h)
	case 40:
		return s.get(SHA1, h)
	case 64:
		return s.get(SHA256, h)
	}
	return Indicator{}, false
}

// HasHashes reports whether any hash indicator of the type is loaded.
func (s *Set) HasHashes(t Type) bool { return s.Len(t) > 0 }

// LookupIP finds an address listed itself or inside a listed CIDR (the
// longest prefix). IPv4-mapped IPv6 addresses match their IPv4 form.
func (s *Set) LookupIP(a netip.Addr) (Indicator, bool) {
	a = a.Unmap().WithZone("")
	if ind, ok := s.get(IP, a.String()); ok {
		return ind, true
	}
	for _, bits := range s.bits {
		if bits > a.BitLen() {
			continue
		}
		p, err := a.Prefix(bits)
		if err != nil {
			continue
		}
		if ind, ok := s.prefixes[bits][p]; ok {
			return ind, true
		}
	}
	return Indicator{}, false
}

// LookupDomain finds a host name listed itself or under a listed domain
// (www.evil.example matches evil.example).
func (s *Set) LookupDomain(host string) (Indicator, bool) {
	h := normDomain(host)
	for h != "" {
		if ind, ok := s.get(Domain, h); ok {
			return ind, true
		}
		_, rest, ok := strings.Cut(h, ".")
		if !ok {
			break
		}
		h = rest
	}
	return Indicator{}, false
}

// LookupURL finds a URL as listed (scheme and host compared without case).
func (s *Set) LookupURL(u string) (Indicator, bool) { return s.get(URL, normURL(u)) }

// LookupName finds a file's base name.
func (s *Set) LookupName(name string) (Indicator, bool) { return s.get(FileName, name) }

// LookupPath finds a whole path.
func (s *Set) LookupPath(p string) (Indicator, bool) { return s.get(Path, p) }
