package bundle

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-ir/vigil/internal/vuln/advisory"
)

var created = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

func parts() []Part {
	osv := &advisory.Batch{Source: "osv:Debian", Kind: advisory.KindOSV, Origin: "all.zip", Digest: "d1", DataDate: created.Add(-time.Hour),
		Affected: []advisory.Affected{
			{Distro: "debian", Release: "12", Package: "openssl", ID: "DSA-1", Status: advisory.Fixed, Fixed: "3.0.16-1~deb12u1", Severity: "high"},
			{Distro: "debian", Release: "12", Package: "zlib", ID: "DEBIAN-CVE-2099-2", Status: advisory.NoFix},
		},
		Vulns: []advisory.Vuln{{ID: "DSA-1", Aliases: []string{"CVE-2099-1"}, Summary: "s", CVSS3: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Modified: created.Add(-time.Hour)}}}
	kev := &advisory.Batch{Source: "kev", Kind: advisory.KindKEV, DataDate: created.Add(-48 * time.Hour),
		KEV: []advisory.KEV{{CVE: "CVE-2099-1", Name: "n", DateAdded: "2026-11-01", DueDate: "2026-11-22", Ransomware: true}}}
	epss := &advisory.Batch{Source: "epss", Kind: advisory.KindEPSS, DataDate: created.Add(-24 * time.Hour),
		EPSS: []advisory.EPSS{{CVE: "CVE-2099-1", Score: 0.97312, Percentile: 0.99961}}}
	return []Part{{Batch: osv, Imported: created}, {Batch: kev, Imported: created}, {Batch: epss, Imported: created}}
}

func keyPair(t testing.TB, seed byte) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	return priv.Public().(ed25519.PublicKey), priv
}

func write(t testing.TB, priv ed25519.PrivateKey) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := Write(&buf, parts(), priv, "test-key", created, "vigil test"); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	pub, priv := keyPair(t, 1)
	b := write(t, priv)
	if !IsBundle(b) {
		t.Fatal("IsBundle: false on a bundle")
	}
	m, got, v, err := Read(bytes.NewReader(b), []ed25519.PublicKey{pub}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Valid || !v.Signed || v.KeyID != "test-key" || !v.Key.Equal(pub) {
		t.Errorf("verified %+v", v)
	}
	var want []*advisory.Batch
	for _, p := range parts() {
		want = append(want, p.Batch)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("content (-want +got):\n%s", d)
	}
	if len(m.Sources) != 3 || m.Sources[0].Records != 2 || !m.Sources[1].FetchedAt.Equal(created.Add(-48*time.Hour)) || m.Sources[0].SHA256 == "" {
		t.Errorf("manifest %+v", m.Sources)
	}
}

// TestRefused: every damaged, unsigned or wrongly-signed bundle is
// refused with nothing returned.
func TestRefused(t *testing.T) {
	pub, priv := keyPair(t, 1)
	other, _ := keyPair(t, 2)
	good := write(t, priv)
	flip := func(at int) []byte {
		b := bytes.Clone(good)
		b[at] ^= 0x01
		return b
	}
	manifestAt := bytes.Index(good, []byte(`"producer"`))
	contentAt := bytes.LastIndex(good, []byte(contentName)) + 512 + 40 // inside the content entry's data
	for _, c := range []struct {
		name    string
		b       []byte
		trusted []ed25519.PublicKey
		want    error
	}{
		{"wrong key", good, []ed25519.PublicKey{other}, ErrSignature},
		{"no trusted key", good, nil, ErrSignature},
		{"unsigned", write(t, nil), []ed25519.PublicKey{pub}, ErrUnsigned},
		{"tampered manifest", flip(manifestAt), []ed25519.PublicKey{pub}, ErrSignature},
		{"tampered content", flip(contentAt), []ed25519.PublicKey{pub}, ErrDamaged},
		{"empty", nil, []ed25519.PublicKey{pub}, ErrDamaged},
		{"not a tar", []byte(strings.Repeat("x", 2048)), []ed25519.PublicKey{pub}, ErrDamaged},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, bs, _, err := Read(bytes.NewReader(c.b), c.trusted, false)
			if !errors.Is(err, c.want) || m != nil || bs != nil {
				t.Errorf("err %v (want %v), manifest %v, %d batches", err, c.want, m != nil, len(bs))
			}
		})
	}
	// truncated anywhere: refused, even with --insecure
	for n := 0; n < len(good); n += 97 {
		if _, bs, _, err := Read(bytes.NewReader(good[:n]), []ed25519.PublicKey{pub}, true); err == nil || bs != nil {
			t.Fatalf("truncated at %d of %d: read", n, len(good))
		}
	}
	// --insecure reads an unsigned or foreign bundle, and says so; never a damaged one
	if _, bs, v, err := Read(bytes.NewReader(good), []ed25519.PublicKey{other}, true); err != nil || len(bs) != 3 || v.Valid || !v.Signed {
		t.Errorf("insecure, foreign key: %v %+v", err, v)
	}
	if _, _, v, err := Read(bytes.NewReader(write(t, nil)), nil, true); err != nil || v.Signed {
		t.Errorf("insecure, unsigned: %v %+v", err, v)
	}
	if _, _, _, err := Read(bytes.NewReader(flip(contentAt)), nil, true); !errors.Is(err, ErrDamaged) {
		t.Errorf("insecure, tampered content: %v", err)
	}
}

func FuzzRead(f *testing.F) {
	pub, priv := keyPair(f, 1)
	good := write(f, priv)
	f.Add(good, true)
	f.Add(write(f, nil), false)
	f.Add(good[:len(good)/2], true)
	f.Fuzz(func(t *testing.T, b []byte, insecure bool) {
		m, bs, _, err := Read(bytes.NewReader(b), []ed25519.PublicKey{pub}, insecure)
		if err != nil {
			if m != nil || bs != nil {
				t.Fatal("data returned with an error")
			}
			return
		}
		if len(bs) != len(m.Sources) {
			t.Fatalf("%d batches, %d sources", len(bs), len(m.Sources))
		}
	})
}

func BenchmarkRead(b *testing.B) {
	pub, priv := keyPair(b, 1)
	p := parts()
	for i := 0; i < 100000; i++ {
		p[0].Batch.Affected = append(p[0].Batch.Affected, advisory.Affected{Distro: "debian", Release: "12", Package: "pkg" + strings.Repeat("x", i%7),
			ID: "CVE-2099-" + string(rune('a'+i%26)), Status: advisory.Fixed, Fixed: "1.0-1"})
	}
	var buf bytes.Buffer
	if _, err := Write(&buf, p, priv, "test-key", created, "bench"); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, _, err := Read(bytes.NewReader(buf.Bytes()), []ed25519.PublicKey{pub}, false); err != nil {
			b.Fatal(err)
		}
	}
}
