package evidence

import (
	"archive/tar"
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// rewrite decompresses an archive, lets edit change, drop (nil) or keep
// each entry, appends extra entries before the manifest, and recompresses.
func rewrite(t *testing.T, ar []byte, edit func(name string, data []byte) []byte, extra map[string][]byte) []byte {
	t.Helper()
	zr, err := zstd.NewReader(bytes.NewReader(ar))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	var out bytes.Buffer
	zw, _ := zstd.NewWriter(&out)
	tw := tar.NewWriter(zw)
	write := func(h *tar.Header, data []byte) {
		h.Size = int64(len(data))
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(data)
	}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		if h.Name == ManifestName {
			for name, d := range extra {
				write(&tar.Header{Name: name, Mode: 0o644, Typeflag: tar.TypeReg}, d)
			}
		}
		if edit != nil {
			data = edit(h.Name, data)
		}
		if data == nil && h.Typeflag == tar.TypeReg && h.Size > 0 {
			continue
		}
		write(h, data)
	}
	tw.Close()
	zw.Close()
	return out.Bytes()
}

func TestVerifyNamesWhatWasAltered(t *testing.T) {
	ar, _ := collectFixture(t, ProfileTriage, false)
	pub := testKey.Public().(ed25519.PublicKey)
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))
	const victim = "files/etc/passwd"
	flip := func(name string, d []byte) []byte {
		if name == victim {
			d = bytes.Clone(d)
			d[3] ^= 1
		}
		return d
	}
	drop := func(name string, d []byte) []byte {
		if name == victim {
			return nil
		}
		return d
	}
	// forge re-signs an edited manifest with another key.
	forge := func(key ed25519.PrivateKey, editManifest bool) func(string, []byte) []byte {
		var mb []byte
		return func(name string, d []byte) []byte {
			switch name {
			case ManifestName:
				if editManifest {
					d = bytes.Replace(d, []byte(`"triage"`), []byte(`"full"`), 1)
				}
				mb = d
			case SignatureName:
				sig := Signature{Algorithm: "ed25519", PublicKey: base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey)),
					Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(key, mb))}
				d, _ = json.Marshal(sig)
			}
			return d
		}
	}
	for _, tc := range []struct {
		name    string
		archive []byte
		pub     ed25519.PublicKey
		want    string
		entry   string
	}{
		{"flipped byte", rewrite(t, ar, flip, nil), pub, ProblemAltered, victim},
		{"missing file", rewrite(t, ar, drop, nil), pub, ProblemMissing, victim},
		{"added file", rewrite(t, ar, nil, map[string][]byte{"files/etc/cron.d/planted": []byte("* * * * * root sh\n")}), pub, ProblemAdded, "files/etc/cron.d/planted"},
		{"edited manifest", rewrite(t, ar, func(n string, d []byte) []byte {
			if n == ManifestName {
				return bytes.Replace(d, []byte(`"triage"`), []byte(`"full"`), 1)
			}
			return d
		}, nil), pub, ProblemSignature, ManifestName},
		{"forged signature, another key", rewrite(t, ar, forge(other, true), nil), pub, ProblemWrongKey, SignatureName},
		{"forged signature, unpinned", rewrite(t, ar, func(n string, d []byte) []byte {
			if n == SignatureName {
				var s Signature
				json.Unmarshal(d, &s)
				raw, _ := base64.StdEncoding.DecodeString(s.Signature)
				raw[0] ^= 1
				s.Signature = base64.StdEncoding.EncodeToString(raw)
				d, _ = json.Marshal(s)
			}
			return d
		}, nil), nil, ProblemSignature, ManifestName},
		{"truncated", ar[:len(ar)*2/3], pub, ProblemTruncated, ""},
		{"truncated to nothing of the manifest", ar[:len(ar)/3], pub, ProblemNoManifest, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Verify(bytes.NewReader(tc.archive), tc.pub)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK {
				t.Fatal("verified a tampered archive")
			}
			for _, p := range rep.Problems {
				if p.Kind == tc.want && (tc.entry == "" || p.Name == tc.entry) {
					return
				}
			}
			t.Errorf("want %s %s, got %+v", tc.want, tc.entry, rep.Problems)
		})
	}
	t.Run("untouched", func(t *testing.T) {
		rep, err := Verify(bytes.NewReader(rewrite(t, ar, nil, nil)), pub)
		if err != nil || !rep.OK {
			t.Fatalf("a re-packed but unchanged archive must verify: %v %+v", err, rep)
		}
	})
}

func FuzzVerify(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("(\xb5/\xfd garbage"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rep, err := Verify(bytes.NewReader(b), nil)
		if err == nil && rep.OK {
			t.Fatal("random bytes verified")
		}
	})
}

func FuzzParsePublicKey(f *testing.F) {
	f.Add([]byte(PublicKeyText(testKey.Public().(ed25519.PublicKey))))
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if k, err := ParsePublicKey(b); err == nil && len(k) != ed25519.PublicKeySize {
			t.Fatalf("accepted a key of %d bytes", len(k))
		}
	})
}
