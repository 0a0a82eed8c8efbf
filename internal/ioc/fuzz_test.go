package ioc

import (
	"net/netip"
	"testing"
)

// fuzzSet checks what any list must give: no panic, lookups work, every
// indicator is normalised and cites its list.
func fuzzSet(t *testing.T, b []byte) {
	s := &Set{}
	s.Parse("fuzz", b)
	for typ, m := range s.byType {
		for v, ind := range m {
			if ind.Value != v || ind.Type != typ || ind.List != "fuzz" {
				t.Fatalf("%+v under %s %q", ind, typ, v)
			}
		}
	}
	s.LookupIP(netip.MustParseAddr("192.0.2.1"))
	s.LookupDomain(string(b))
	s.LookupURL(string(b))
	s.LookupHash(string(b))
}

func FuzzPlain(f *testing.F) {
	f.Add([]byte("44d88612fea8a8f36de82e1278abb02f\n# c\n10.0.0.0/8 # net\nevil[.]example\nhxxp://x.example/a\n/tmp/x\nsha256:ab\n"))
	f.Fuzz(func(t *testing.T, b []byte) { fuzzSet(t, b) })
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte("type,value,comment\nfilename|md5,a|44d88612fea8a8f36de82e1278abb02f,x\nip-dst,1.2.3.4,\n\"md5\",\"x\"\"y\"\n"))
	f.Add([]byte("Indicator type;Indicator\nIPv4;1.2.3.4\n"))
	f.Fuzz(func(t *testing.T, b []byte) { fuzzSet(t, b) })
}

func FuzzSTIX(f *testing.F) {
	f.Add([]byte(`{"type":"bundle","objects":[{"type":"indicator","pattern":"[file:hashes.'SHA-256' = 'aa' OR url:value = 'http://x/\\'']"}]}`))
	f.Add([]byte(`{"type":"indicator","pattern_type":"stix","pattern":"[ipv4-addr:value = '10.0.0.0/8'] OR [domain-name:value = 'x.example']"}`))
	f.Fuzz(func(t *testing.T, b []byte) { fuzzSet(t, b) })
}
