package ioc

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"os"
	"strings"

	"github.com/vigil-ir/vigil/internal/textclip"
)

// MaxListSize bounds one indicator list file.
const MaxListSize = 256 << 20

// maxProblems bounds the problems kept per list (the rest are counted).
const maxProblems = 20

// Load reads the list files (--ioc) into one Set. A file that cannot be
// read is an error; entries that are not indicators are Problems.
func Load(paths []string) (*Set, error) {
	s := &Set{}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(io.LimitReader(f, MaxListSize+1))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if len(b) > MaxListSize {
			return nil, fmt.Errorf("%s: larger than %d MiB", p, MaxListSize>>20)
		}
		s.Parse(p, b)
	}
	return s, nil
}

// Parse adds the indicators of one list's content, its format detected:
// a JSON object is a STIX bundle, a first line that is a CSV header naming
// a value column is CSV, anything else a plain list.
func (s *Set) Parse(list string, b []byte) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	trim := bytes.TrimSpace(b)
	switch {
	case len(trim) > 0 && trim[0] == '{':
		s.parseSTIX(list, trim)
	case csvHeader(firstLine(b)) != nil:
		s.parseCSV(list, b)
	default:
		s.parsePlain(list, b)
	}
}

type problems struct {
	s     *Set
	list  string
	count int
}

func (p *problems) add(line int, kind, detail string) {
	p.count++
	if p.count <= maxProblems {
		p.s.Problems = append(p.s.Problems, Problem{List: p.list, Line: line, Kind: kind, Detail: textclip.Valid(detail, 200)})
	} else if p.count == maxProblems+1 {
		p.s.Problems = append(p.s.Problems, Problem{List: p.list, Line: line, Kind: ProbMore})
	}
}

func firstLine(b []byte) string {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return strings.TrimSpace(string(line))
}

// parsePlain reads one indicator a line. A line may carry a comment after
// the indicator ("1.2.3.4 # C2", "hash,description", "hash  name") and a
// "type:value" prefix ("sha256:..."; "domain:evil.example").
func (s *Set) parsePlain(list string, b []byte) {
	pr := &problems{s: s, list: list}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "//") || strings.HasPrefix(line, ";") {
			continue
		}
		val, desc := line, ""
		if i := strings.Index(val, " #"); i >= 0 {
			val, desc = strings.TrimSpace(val[:i]), strings.TrimSpace(val[i+2:])
		}
		if i := strings.IndexAny(val, ",\t"); i >= 0 {
			val, desc = strings.TrimSpace(val[:i]), strings.TrimSpace(strings.Trim(val[i+1:], ",\t "))+desc
		} else if f := strings.Fields(val); len(f) > 1 && inferType(f[0]) != "" && inferType(f[0]) != FileName {
			val, desc = f[0], strings.Join(f[1:], " ") // sha256sum output: "hash  name"
		}
		typ := Type("")
		if t, v, ok := strings.Cut(val, ":"); ok && !strings.Contains(v, "//") {
			if tt := typeName(t); tt != "" {
				typ, val = tt, v
			}
		}
		if typ == "" {
			typ = inferType(val)
		}
		if !s.addValue(typ, val, desc, list, n) {
			pr.add(n, ProbNotIndicator, line)
		}
	}
	if err := sc.Err(); err != nil {
		pr.add(n+1, ProbUnreadable, err.Error())
	}
}

// addValue normalises and adds one value; false when it is not a valid
// indicator of that type.
func (s *Set) addValue(typ Type, val, desc, list string, line int) bool {
	val = strings.TrimSpace(val)
	if typ == IP && strings.Contains(val, "/") {
		typ = CIDR // an address type whose value is a network
	}
	v, ok := normalise(typ, val)
	if !ok {
		return false
	}
	s.add(Indicator{Type: typ, Value: v, Desc: textclip.Valid(desc, 200), List: list, Line: line})
	return true
}

// csvHeader returns the column indexes of type, value and description when
// line is a CSV header naming a value column.
func csvHeader(line string) []int {
	if !strings.ContainsAny(line, ",;") {
		return nil
	}
	r := csv.NewReader(strings.NewReader(line))
	r.Comma = ','
	if !strings.Contains(line, ",") {
		r.Comma = ';'
	}
	r.LazyQuotes = true
	cols, err := r.Read()
	if err != nil {
		return nil
	}
	idx := []int{-1, -1, -1}
	for i, c := range cols {
		switch strings.ToLower(strings.TrimSpace(c)) {
		case "type", "indicator type", "indicator_type", "attribute type", "ioc_type", "ioc type", "kind":
			idx[0] = i
		case "value", "indicator", "ioc", "observable", "ioc_value", "attribute value":
			idx[1] = i
		case "comment", "description", "title", "info", "category":
			if idx[2] < 0 {
				idx[2] = i
			}
		}
	}
	if idx[1] < 0 {
		return nil
	}
	return idx
}

func (s *Set) parseCSV(list string, b []byte) {
	pr := &problems{s: s, list: list}
	idx := csvHeader(firstLine(b))
	r := csv.NewReader(bytes.NewReader(b))
	if !strings.Contains(firstLine(b), ",") {
		r.Comma = ';'
	}
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	line := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			if _, ok := err.(*csv.ParseError); ok {
				pr.add(line, ProbNotIndicator, err.Error())
				continue
			}
			pr.add(line, ProbUnreadable, err.Error())
			break
		}
		if line == 1 {
			continue // the header
		}
		l, _ := r.FieldPos(0)
		col := func(i int) string {
			if i < 0 || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		val, typName, desc := col(idx[1]), col(idx[0]), col(idx[2])
		if val == "" {
			continue
		}
		types, vals := []string{typName}, []string{val}
		if strings.Contains(typName, "|") && strings.Count(typName, "|") == strings.Count(val, "|") {
			types, vals = strings.Split(typName, "|"), strings.Split(val, "|") // MISP filename|sha256
		}
		for i := range vals {
			typ := typeName(types[i])
			if typ == "" {
				typ = inferType(vals[i])
			}
			if typ == "skip" {
				continue
			}
			if !s.addValue(typ, vals[i], desc, list, l) {
				pr.add(l, ProbNotIndicator, types[i]+" "+vals[i])
			}
		}
	}
}

// typeName maps the type names of common exports (MISP attribute types,
// OTX indicator types, STIX-ish words) to a Type; "skip" for types that are
// not indicators Vigil matches (email, mutex, yara ...); "" when unknown.
func typeName(t string) Type {
	t = strings.ToLower(strings.TrimSpace(t))
	switch t {
	case "md5", "filehash-md5", "hash-md5", "file:hashes.md5":
		return MD5
	case "sha1", "sha-1", "filehash-sha1", "hash-sha1":
		return SHA1
	case "sha256", "sha-256", "filehash-sha256", "hash-sha256":
		return SHA256
	case "ip", "ipv4", "ipv6", "ip-dst", "ip-src", "ip-dst|port", "ip-src|port", "ipv4-addr", "ipv6-addr", "ip address", "address":
		return IP
	case "cidr", "ip-range", "network", "netblock":
		return CIDR
	case "domain", "hostname", "fqdn", "domain-name", "host":
		return Domain
	case "url", "uri", "link":
		return URL
	case "filename", "file name", "file-name", "file":
		return FileName
	case "path", "filepath", "file path", "file-path":
		return Path
	case "email", "email-src", "email-dst", "mutex", "yara", "sigma", "regkey", "user-agent", "ssdeep", "imphash", "text", "comment",
		"other", "port", "as", "vulnerability", "cve", "ja3-fingerprint-md5", "sha512", "pdb", "tlsh", "authentihash":
		return "skip"
	}
	return ""
}

// inferType guesses a plain value's type.
func inferType(v string) Type {
	switch {
	case v == "":
		return ""
	case isHex(v) && len(v) == 32:
		return MD5
	case isHex(v) && len(v) == 40:
		return SHA1
	case isHex(v) && len(v) == 64:
		return SHA256
	case strings.Contains(v, "://"):
		return URL
	case strings.HasPrefix(v, "/"):
		return Path
	}
	if _, err := netip.ParseAddr(v); err == nil {
		return IP
	}
	if _, err := netip.ParsePrefix(v); err == nil {
		return CIDR
	}
	if isDomain(normDomain(v)) && !hasFileExt(v) {
		return Domain
	}
	if !strings.ContainsAny(v, "/\x00") {
		return FileName
	}
	return ""
}

// hasFileExt tells file names (x.php, kworker.sh) from domains (evil.example):
// an ending that is a common file extension and not a top-level domain.
func hasFileExt(v string) bool {
	i := strings.LastIndexByte(v, '.')
	if i < 0 {
		return false
	}
	switch strings.ToLower(v[i+1:]) {
	case "php", "jsp", "jspx", "asp", "aspx", "sh", "py", "pl", "so", "elf", "bin", "exe", "dll", "txt", "log", "conf", "json",
		"yml", "yaml", "js", "html", "htm", "gz", "tar", "tgz", "zip", "rar", "7z", "jar", "war", "cgi", "ko", "out", "tmp", "dat", "rb", "lock", "pid", "service", "timer", "cfg", "ini", "xml", "bak", "so.1", "a":
		return true
	}
	return false
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// normDomain lower-cases a host name, drops a trailing dot and the
// defanging brackets of threat reports (evil[.]example).
func normDomain(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	h = strings.ReplaceAll(strings.ReplaceAll(h, "[.]", "."), "(.)", ".")
	return strings.TrimSuffix(h, ".")
}

func isDomain(h string) bool {
	if len(h) < 3 || len(h) > 253 || !strings.Contains(h, ".") {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	tld := h[strings.LastIndexByte(h, '.')+1:]
	return !isHex(tld) || strings.ContainsAny(tld, "ghijklmnopqrstuvwxyz") // not "1.2.3.4"-like
}

// normURL canonicalises what varies without changing meaning: the scheme's
// and host's case, defanged hxxp and [.], and a trailing slash after the host.
func normURL(u string) string {
	u = strings.TrimSpace(u)
	u = strings.ReplaceAll(u, "[.]", ".")
	if l := strings.ToLower(u); strings.HasPrefix(l, "hxxp") {
		u = "http" + u[4:]
	}
	pu, err := url.Parse(u)
	if err != nil || pu.Host == "" {
		return u
	}
	pu.Scheme = strings.ToLower(pu.Scheme)
	pu.Host = strings.ToLower(pu.Host)
	if pu.Path == "/" && pu.RawQuery == "" {
		pu.Path = ""
	}
	return pu.String()
}

// normalise checks and canonicalises a value of a type.
func normalise(t Type, v string) (string, bool) {
	v = strings.Trim(v, "\"'")
	switch t {
	case MD5, SHA1, SHA256:
		want := map[Type]int{MD5: 32, SHA1: 40, SHA256: 64}[t]
		return strings.ToLower(v), len(v) == want && isHex(v)
	case IP:
		v, _, _ = strings.Cut(v, "|") // MISP ip-dst|port
		if a, err := netip.ParseAddr(strings.Trim(strings.ReplaceAll(v, "[.]", "."), "[]")); err == nil {
			return a.Unmap().WithZone("").String(), true
		}
		if p, err := netip.ParsePrefix(v); err == nil && p.IsSingleIP() {
			return p.Addr().Unmap().String(), true
		}
		return "", false
	case CIDR:
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return "", false
		}
		return p.Masked().String(), true
	case Domain:
		d := normDomain(v)
		return d, isDomain(d)
	case URL:
		n := normURL(v)
		return n, strings.Contains(n, "://") && len(n) < 4096
	case FileName:
		return v, v != "" && v != "." && v != ".." && !strings.ContainsAny(v, "/\x00") && len(v) < 256
	case Path:
		return v, strings.HasPrefix(v, "/") && !strings.Contains(v, "\x00") && len(v) < 4096
	}
	return "", false
}
