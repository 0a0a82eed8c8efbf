package ioc

import (
	"net/netip"
	"os"
	"strings"
	"testing"
)

func load(t *testing.T, names ...string) *Set {
	t.Helper()
	var paths []string
	for _, n := range names {
		paths = append(paths, "testdata/"+n)
	}
	s, err := Load(paths)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPlain(t *testing.T) {
	s := load(t, "plain.txt")
	for _, tc := range []struct {
		lookup func() (Indicator, bool)
		typ    Type
		line   int
		desc   string
	}{
		{func() (Indicator, bool) { return s.LookupHash("44D88612FEA8A8F36DE82E1278ABB02F") }, MD5, 2, ""},
		{func() (Indicator, bool) { return s.LookupHash("3395856ce81f2b7382dee72602f798b642f14140") }, SHA1, 3, "eicar.com"},
		{func() (Indicator, bool) {
			return s.LookupHash("275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f")
		}, SHA256, 4, "EICAR test file"},
		{func() (Indicator, bool) { return s.LookupIP(netip.MustParseAddr("203.0.113.9")) }, IP, 5, "C2"},
		{func() (Indicator, bool) { return s.LookupIP(netip.MustParseAddr("::ffff:203.0.113.9")) }, IP, 5, "C2"},
		{func() (Indicator, bool) { return s.LookupIP(netip.MustParseAddr("2001:db8::dead:beef")) }, IP, 6, ""},
		{func() (Indicator, bool) { return s.LookupIP(netip.MustParseAddr("198.51.100.200")) }, CIDR, 7, ""},
		{func() (Indicator, bool) { return s.LookupDomain("EVIL-updates.example.") }, Domain, 8, ""},
		{func() (Indicator, bool) { return s.LookupDomain("a.b.evil-updates.example") }, Domain, 8, ""},
		{func() (Indicator, bool) { return s.LookupURL("HTTP://Evil-Updates.example/x.sh") }, URL, 9, ""},
		{func() (Indicator, bool) { return s.LookupName("kworker.sh") }, FileName, 10, ""},
		{func() (Indicator, bool) { return s.LookupPath("/var/tmp/.ICE-unix/.x/kswapd0") }, Path, 11, ""},
		{func() (Indicator, bool) {
			return s.LookupHash(strings.Repeat("0", 64))
		}, SHA256, 12, ""},
		{func() (Indicator, bool) { return s.LookupDomain("cdn.bad.example") }, Domain, 13, ""},
	} {
		ind, ok := tc.lookup()
		if !ok || ind.Type != tc.typ || ind.Line != tc.line || ind.Desc != tc.desc || ind.List != "testdata/plain.txt" {
			t.Errorf("line %d: got %+v %v", tc.line, ind, ok)
		}
	}
	for _, miss := range []func() (Indicator, bool){
		func() (Indicator, bool) { return s.LookupIP(netip.MustParseAddr("198.51.101.1")) },
		func() (Indicator, bool) { return s.LookupDomain("updates.example") },
		func() (Indicator, bool) { return s.LookupDomain("notevil-updates.example") },
		func() (Indicator, bool) { return s.LookupName("kworker") },
		func() (Indicator, bool) { return s.LookupHash("abc") },
	} {
		if ind, ok := miss(); ok {
			t.Errorf("unexpected match %+v", ind)
		}
	}
	if len(s.Problems) != 1 || s.Problems[0].Line != 14 || s.Problems[0].Kind != ProbNotIndicator {
		t.Errorf("problems %+v", s.Problems)
	}
	if s.Total() != 12 {
		t.Errorf("total %d", s.Total())
	}
}

func TestCSV(t *testing.T) {
	s := load(t, "misp.csv", "otx.csv")
	for _, tc := range []struct {
		ok   bool
		list string
		line int
	}{
		{ok(s.LookupHash(strings.Repeat("1", 64))), "misp.csv", 2},
		{ok(s.LookupName("xmrig")), "misp.csv", 2},
		{ok(s.LookupIP(netip.MustParseAddr("192.0.2.77"))), "misp.csv", 3},
		{ok(s.LookupDomain("pool.bad.example")), "misp.csv", 4},
		{ok(s.LookupHash(strings.Repeat("2", 32))), "misp.csv", 5},
		{ok(s.LookupHash(strings.Repeat("3", 64))), "otx.csv", 2},
		{ok(s.LookupURL("http://192.0.2.88/kinsing")), "otx.csv", 4},
		{ok(s.LookupDomain("c2.kinsing.example")), "otx.csv", 5},
		{ok(s.LookupIP(netip.MustParseAddr("192.0.2.200"))), "otx.csv", 6},
	} {
		if !tc.ok {
			t.Errorf("%s:%d not loaded", tc.list, tc.line)
		}
	}
	ind, _ := s.LookupHash(strings.Repeat("3", 64))
	if ind.Desc != "Kinsing" || ind.Line != 2 {
		t.Errorf("%+v", ind)
	}
	if len(s.Problems) != 1 || s.Problems[0].Line != 7 || !strings.Contains(s.Problems[0].Detail, "zzzz") {
		t.Errorf("problems %+v", s.Problems)
	}
}

func ok(_ Indicator, b bool) bool { return b }

func TestSTIX(t *testing.T) {
	s := load(t, "bundle.json")
	for name, found := range map[string]bool{
		"sha256":     ok(s.LookupHash(strings.Repeat("4", 64))),
		"ip 99":      ok(s.LookupIP(netip.MustParseAddr("192.0.2.99"))),
		"ip 100":     ok(s.LookupIP(netip.MustParseAddr("192.0.2.100"))),
		"ipv6":       ok(s.LookupIP(netip.MustParseAddr("2001:db8::99"))),
		"domain":     ok(s.LookupDomain("login.bad.example")),
		"url":        ok(s.LookupURL("https://bad.example/it's.sh")),
		"AND":        !ok(s.LookupName("libsystem.so")),
		"FOLLOWEDBY": !ok(s.LookupHash(strings.Repeat("5", 32))),
		"revoked":    !ok(s.LookupIP(netip.MustParseAddr("192.0.2.250"))),
	} {
		if !found {
			t.Errorf("%s: wrong", name)
		}
	}
	ind, _ := s.LookupIP(netip.MustParseAddr("192.0.2.99"))
	if ind.Desc != "C2 servers" || ind.Line != 3 {
		t.Errorf("%+v", ind)
	}
	kinds := map[string]int{}
	for _, p := range s.Problems {
		kinds[p.Kind]++
	}
	if kinds[ProbSTIXPattern] != 2 || kinds[ProbPatternType] != 1 || len(s.Problems) != 3 {
		t.Errorf("problems %+v", s.Problems)
	}
}

func TestParsePattern(t *testing.T) {
	for p, want := range map[string]int{
		"[file:hashes.MD5 = 'aa']":                                           1,
		"[file:hashes.'SHA-1' = 'a' OR file:hashes.'SHA-256' = 'b']":         2,
		"[url:value = 'http://x/]']":                                         1,
		"[ipv4-addr:value = '1.2.3.4'] OR [domain-name:value = 'x.example']": 2,
		"[ipv4-addr:value != '1.2.3.4']":                                     0,
		"[ipv4-addr:value = '1.2.3.4'] WITHIN 5 SECONDS":                     0,
		"[process:name = 'x']":                                               0,
		"[file:name = 'x'":                                                   0,
		"file:name = 'x'":                                                    0,
		"[file:name MATCHES '^x']":                                           0,
		"":                                                                   0,
	} {
		terms, ok := parsePattern(p)
		if len(terms) != want || ok != (want > 0) {
			t.Errorf("%q: %v %v, want %d terms", p, terms, ok, want)
		}
	}
}

func TestInferType(t *testing.T) {
	for v, want := range map[string]Type{
		"d41d8cd98f00b204e9800998ecf8427e": MD5,
		"10.0.0.1":                         IP,
		"10.0.0.0/8":                       CIDR,
		"fe80::1":                          IP,
		"evil.example":                     Domain,
		"xn--80ak6aa92e.com":               Domain,
		"shell.php":                        FileName,
		"libprocesshider.so":               FileName,
		".ICE-unix":                        FileName,
		"/etc/cron.d/x":                    Path,
		"ftp://a.example/b":                URL,
		"1.2.3":                            FileName,
	} {
		if got := inferType(v); got != want {
			t.Errorf("%s: %s, want %s", v, got, want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load([]string{"testdata/missing"}); err == nil {
		t.Error("a missing list must be an error")
	}
	dir := t.TempDir()
	for name, text := range map[string]string{"notstix.json": `{"type":"report"}`, "broken.json": `{"type": "bundle", "objects": [`} {
		_ = os.WriteFile(dir+"/"+name, []byte(text), 0o644)
		s, err := Load([]string{dir + "/" + name})
		if err != nil || len(s.Problems) != 1 || s.Problems[0].Kind != ProbNotSTIX {
			t.Errorf("%s: %v %+v", name, err, s)
		}
	}
}

func TestProblemsBounded(t *testing.T) {
	s := &Set{}
	s.Parse("x", []byte(strings.Repeat("a b/c\n", 1000)))
	if len(s.Problems) != maxProblems+1 || s.Problems[maxProblems].Kind != ProbMore {
		t.Errorf("%d problems", len(s.Problems))
	}
}
