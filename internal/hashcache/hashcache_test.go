package hashcache

import (
	"bytes"
	"reflect"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func entry(m Meta) Entry {
	return Entry{Meta: m, Algo: "md5", Digest: []byte{1, 2, 3}, HashedNs: t0.UnixNano()}
}

func TestTrusted(t *testing.T) {
	old := t0.Add(-time.Hour).UnixNano()
	m := Meta{Dev: 1, Ino: 2, Size: 3, MtimeNs: old, CtimeNs: old}
	for _, c := range []struct {
		name string
		e    Entry
		m    Meta
		algo string
		want bool
	}{
		{"same", entry(m), m, "md5", true},
		{"other algorithm", entry(m), m, "sha256", false},
		{"size", entry(m), Meta{Dev: 1, Ino: 2, Size: 4, MtimeNs: old, CtimeNs: old}, "md5", false},
		{"inode", entry(m), Meta{Dev: 1, Ino: 9, Size: 3, MtimeNs: old, CtimeNs: old}, "md5", false},
		{"device", entry(m), Meta{Dev: 7, Ino: 2, Size: 3, MtimeNs: old, CtimeNs: old}, "md5", false},
		{"mtime", entry(m), Meta{Dev: 1, Ino: 2, Size: 3, MtimeNs: old + 1, CtimeNs: old}, "md5", false},
		{"ctime (mtime reset)", entry(m), Meta{Dev: 1, Ino: 2, Size: 3, MtimeNs: old, CtimeNs: old + 1}, "md5", false},
		{"no ctime", entry(Meta{Dev: 1}), Meta{Dev: 1}, "md5", false},
		{"racy: changed just before hashing", entry(Meta{Dev: 1, CtimeNs: t0.UnixNano() - 1, MtimeNs: old}), Meta{Dev: 1, CtimeNs: t0.UnixNano() - 1, MtimeNs: old}, "md5", false},
		{"no digest", Entry{Meta: m, Algo: "md5", HashedNs: t0.UnixNano()}, m, "md5", false},
	} {
		if got := c.e.Trusted(c.m, c.algo); got != c.want {
			t.Errorf("%s: Trusted = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestDecide(t *testing.T) {
	for _, c := range []struct {
		name      string
		s         Snapshot
		requested bool
		want      string
	}{
		{"recent pass", Snapshot{Intact: true, LastFull: t0.Add(-time.Hour)}, false, ""},
		{"--full", Snapshot{Intact: true, LastFull: t0.Add(-time.Hour)}, true, ReasonRequested},
		{"foreign", Snapshot{LastFull: t0.Add(-time.Hour)}, false, ReasonForeign},
		{"first", Snapshot{Intact: true}, false, ReasonFirst},
		{"week old", Snapshot{Intact: true, LastFull: t0.Add(-MaxAge - time.Minute)}, false, ReasonOld},
		{"future", Snapshot{Intact: true, LastFull: t0.Add(time.Hour)}, false, ReasonClock},
	} {
		full, reason := Decide(c.s, t0, c.requested)
		if reason != c.want || full != (c.want != "") {
			t.Errorf("%s: Decide = %v %q, want %q", c.name, full, reason, c.want)
		}
	}
}

func TestTableResult(t *testing.T) {
	old := t0.Add(-time.Hour).UnixNano()
	m := Meta{Dev: 1, Ino: 2, Size: 3, MtimeNs: old, CtimeNs: old}
	snap := Snapshot{Intact: true, LastFull: t0.Add(-time.Hour), Entries: map[string]Entry{"/a": entry(m), "/gone": entry(m)}}
	tab := New(snap, t0.Add(time.Minute), false)
	if full, _ := tab.Full(); full {
		t.Fatal("a recent pass of an intact store must not force a full one")
	}
	if _, ok := tab.Lookup("/a", m, "md5"); !ok {
		t.Fatal("lookup of an unchanged file missed")
	}
	if _, ok := tab.Result(); ok {
		t.Fatal("an incomplete pass must not be saved")
	}
	tab.Complete()
	res, ok := tab.Result()
	if !ok || len(res.Entries) != 1 || !res.LastFull.Equal(snap.LastFull) || res.Full {
		t.Fatalf("result %v %+v: want /a only (/gone left the package database), last full unchanged", ok, res)
	}
	var nilTab *Table
	if _, ok := nilTab.Lookup("/a", m, "md5"); ok {
		t.Error("a nil table trusts nothing")
	}
	nilTab.Put("/a", m, "md5", nil)
	nilTab.Complete()
}

func TestCodecRoundTrip(t *testing.T) {
	in := map[string]Entry{
		"/usr/bin/ls":           {Meta: Meta{Dev: 65024, Ino: 123, Size: 138208, MtimeNs: -5, CtimeNs: 1 << 60}, Algo: "md5", Digest: bytes.Repeat([]byte{0xab}, 16), HashedNs: t0.UnixNano()},
		"/usr/bin/lsblk":        {Meta: Meta{Ino: 1}, Algo: "sha256", Digest: bytes.Repeat([]byte{1}, 32)},
		"/usr/lib/\xff\x00odd":  {Algo: "sha512", Digest: bytes.Repeat([]byte{2}, 64)},
		"/lib/apk/x":            {Algo: "sha1", Digest: []byte{3}},
		"/usr/share/doc/a/b/cc": {},
	}
	out, err := Decode(Encode(in))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip:\n got %+v\nwant %+v", out, in)
	}
	for _, bad := range [][]byte{nil, []byte("VHC1"), []byte("XXXX\x00"), append(Encode(in), 0)} {
		if _, err := Decode(bad); err == nil {
			t.Errorf("Decode(%q) accepted a damaged blob", bad)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(Encode(map[string]Entry{"/a/b": {Algo: "md5", Digest: []byte{1}}, "/a/c": {}}))
	f.Add([]byte("VHC1\x01\x00\x01a"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			return
		}
		if _, err := Decode(Encode(m)); err != nil {
			t.Fatalf("re-encoding a decoded blob: %v", err)
		}
	})
}

func BenchmarkCodec(b *testing.B) {
	in := map[string]Entry{}
	for i := range 100_000 {
		in["/usr/share/doc/package-"+string(rune('a'+i%26))+"/file"+string(rune('0'+i%10))+time.Duration(i).String()] = Entry{
			Meta: Meta{Dev: 65024, Ino: uint64(i), Size: 4096, MtimeNs: t0.UnixNano(), CtimeNs: t0.UnixNano()},
			Algo: "md5", Digest: bytes.Repeat([]byte{7}, 16), HashedNs: t0.UnixNano(),
		}
	}
	blob := Encode(in)
	b.Run("encode", func(b *testing.B) {
		for b.Loop() {
			Encode(in)
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(blob)))
		for b.Loop() {
			if _, err := Decode(blob); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestFacts: a check's facts round-trip through the codec like digests, are
// trusted under the same metadata rules, and an oversized entry is neither
// kept nor decoded.
func TestFacts(t *testing.T) {
	m := Meta{Dev: 1, Ino: 2, Size: 3, MtimeNs: 1, CtimeNs: 1}
	now := time.Unix(0, 0).Add(time.Hour)
	tab := New(Snapshot{Intact: true}, now, false)
	big := bytes.Repeat([]byte{7}, MaxFacts)
	tab.PutFacts("/tmp/a", m, big)
	tab.PutFacts("/tmp/too-big", m, append(big, 1))
	tab.Complete()
	s, ok := tab.Result()
	if !ok || len(s.Entries) != 1 {
		t.Fatalf("result: %v %d entries", ok, len(s.Entries))
	}
	dec, err := Decode(Encode(s.Entries))
	if err != nil {
		t.Fatal(err)
	}
	s.Entries = dec
	next := New(s, now.Add(time.Minute), false)
	if b, ok := next.Facts("/tmp/a", m); !ok || !bytes.Equal(b, big) {
		t.Fatalf("facts not trusted after a round trip: %v", ok)
	}
	m2 := m
	m2.CtimeNs++
	if _, ok := next.Facts("/tmp/a", m2); ok {
		t.Error("facts trusted for a file whose ctime changed")
	}
	if _, ok := next.Lookup("/tmp/a", m, "sha256"); ok {
		t.Error("facts served as a digest")
	}
	enc := Encode(map[string]Entry{"/x": {Meta: m, Algo: AlgoFacts, Digest: append(big, 1)}})
	if _, err := Decode(enc); err == nil {
		t.Error("an oversized facts entry decoded")
	}
	var nilSet *Set
	if nilSet.For("tools") != nil {
		t.Error("a nil Set gave a table")
	}
}
