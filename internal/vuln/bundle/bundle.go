// Package bundle writes and reads Vigil's signed offline advisory bundle:
// the whole vulnerability database of a store in one file, to carry to
// hosts without network (vigil db export / vigil db import).
//
// A bundle is a tar archive of exactly these entries, in this order:
//
//	manifest.json       what is inside: every source with its fetched-at
//	                    (data) date, import time, record count and the
//	                    SHA-256 of its part; the content's size and SHA-256
//	manifest.sig        an Ed25519 signature of manifest.json's bytes and
//	                    the id of the key that made it (absent: unsigned)
//	advisories.json.gz  the content: the sources' batches, gzip-compressed
//
// The signature covers the manifest, and the manifest pins the content's
// digest, so one signature covers everything. Read checks the whole file
// before it returns anything: a truncated, tampered, unsigned or
// wrongly-signed bundle gives an error and no data.
package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/vigil-ir/vigil/internal/vuln/advisory"
)

// Format and Version identify the manifest.
const (
	Format  = "vigil-advisory-bundle"
	Version = 1

	manifestName = "manifest.json"
	sigName      = "manifest.sig"
	contentName  = "advisories.json.gz"
)

// Limits on what Read accepts: the content of a full multi-distribution
// database compresses to a few hundred MB.
const (
	maxManifest = 4 << 20
	maxSig      = 4 << 10
	maxContent  = 2 << 30
	maxExpanded = 8 << 30
)

// Errors Read wraps, so callers can tell them apart.
var (
	ErrDamaged   = errors.New("not a complete advisory bundle")
	ErrUnsigned  = errors.New("the bundle is not signed")
	ErrSignature = errors.New("the bundle's signature does not verify with any trusted key")
)

// Manifest describes a bundle's content.
type Manifest struct {
	Format   string    `json:"format"`
	Version  int       `json:"version"`
	Created  time.Time `json:"created"`
	Producer string    `json:"producer"`
	Sources  []Source  `json:"sources"`
	Content  Content   `json:"content"`
}

// Source is one advisory source in a bundle.
type Source struct {
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	Origin    string    `json:"origin"`     // where the producer imported it from
	FetchedAt time.Time `json:"fetched_at"` // the data's own date
	Imported  time.Time `json:"imported"`   // when the producer's store last changed it
	Records   int       `json:"records"`
	SHA256    string    `json:"sha256"` // of the source's part of the content (its batch as JSON)
}

// Content is the compressed content entry.
type Content struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// signature is manifest.sig.
type signature struct {
	Algorithm string `json:"algorithm"` // "ed25519"
	KeyID     string `json:"key_id"`
	Signature string `json:"signature"` // base64
}

// Part is one source's data with what the producer knew of it.
type Part struct {
	Batch    *advisory.Batch
	Imported time.Time
}

// Verified says how a bundle's signature was judged.
type Verified struct {
	Signed bool              // it carries a signature
	KeyID  string            // the id of the key that signed it, as the signature says
	Valid  bool              // the signature verified with a trusted key
	Key    ed25519.PublicKey // that key, when Valid
}

// partDigest is the SHA-256 of a batch as the content holds it.
func partDigest(b *advisory.Batch) (string, error) {
	j, err := json.Marshal(b)
	if err != nil {
		return "", err
	}
	s := sha256.Sum256(j)
	return hex.EncodeToString(s[:]), nil
}

// Write writes a bundle of parts to w, signed with key (nil: unsigned),
// whose id (the signer's name for it, recorded beside the signature) is
// keyID.
func Write(w io.Writer, parts []Part, key ed25519.PrivateKey, keyID string, created time.Time, producer string) (*Manifest, error) {
	m := &Manifest{Format: Format, Version: Version, Created: created.UTC(), Producer: producer, Sources: []Source{}}
	var content bytes.Buffer
	zw := gzip.NewWriter(&content)
	var batches []*advisory.Batch
	for _, p := range parts {
		d, err := partDigest(p.Batch)
		if err != nil {
			return nil, err
		}
		b := p.Batch
		m.Sources = append(m.Sources, Source{Name: b.Source, Kind: string(b.Kind), Origin: b.Origin, FetchedAt: b.DataDate.UTC(),
			Imported: p.Imported.UTC(), Records: b.Records(), SHA256: d})
		batches = append(batches, b)
	}
	if err := json.NewEncoder(zw).Encode(batches); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(content.Bytes())
	m.Content = Content{Name: contentName, Size: int64(content.Len()), SHA256: hex.EncodeToString(sum[:])}
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(w)
	put := func(name string, b []byte) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), ModTime: m.Created.Truncate(time.Second), Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}); err != nil {
			return err
		}
		_, err := tw.Write(b)
		return err
	}
	if err := put(manifestName, mj); err != nil {
		return nil, err
	}
	if key != nil {
		sj, err := json.Marshal(signature{Algorithm: "ed25519", KeyID: keyID, Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(key, mj))})
		if err != nil {
			return nil, err
		}
		if err := put(sigName, sj); err != nil {
			return nil, err
		}
	}
	if err := put(contentName, content.Bytes()); err != nil {
		return nil, err
	}
	return m, tw.Close()
}

// IsBundle reports whether b starts like a bundle (a tar whose first
// entry is manifest.json).
func IsBundle(b []byte) bool {
	return len(b) >= 512 && bytes.HasPrefix(b, []byte(manifestName+"\x00")) && string(b[257:262]) == "ustar"
}

// Read reads and checks a whole bundle: its structure, the signature of
// its manifest against trusted (unless insecure: then an unsigned or
// wrongly-signed bundle is read, and Verified says so), the content's
// size and digest, and that the content holds exactly the sources the
// manifest lists with their digests and counts. Nothing is returned
// unless every check passed.
func Read(r io.Reader, trusted []ed25519.PublicKey, insecure bool) (*Manifest, []*advisory.Batch, Verified, error) {
	var v Verified
	cr := &countReader{r: r}
	tr := tar.NewReader(cr)
	var mj, sj, content []byte
	var contentEnd int64
	for i := 0; ; i++ {
		h, err := tr.Next()
		if err == io.EOF {
			// archive/tar reads no further than it needs: a whole archive
			// ends with two zero blocks after the last entry's padding.
			if contentEnd > 0 && cr.n < (contentEnd+511)/512*512+1024 {
				return nil, nil, v, fmt.Errorf("%w: the end of the archive is missing (truncated?)", ErrDamaged)
			}
			break
		}
		if err != nil {
			return nil, nil, v, fmt.Errorf("%w: %v", ErrDamaged, err)
		}
		var limit int64
		var dst *[]byte
		switch {
		case h.Name == manifestName && i == 0:
			limit, dst = maxManifest, &mj
		case h.Name == sigName && i == 1 && sj == nil:
			limit, dst = maxSig, &sj
		case h.Name == contentName && mj != nil && content == nil:
			limit, dst = maxContent, &content
		default:
			return nil, nil, v, fmt.Errorf("%w: unexpected entry %q", ErrDamaged, h.Name)
		}
		if h.Typeflag != tar.TypeReg || h.Size < 0 || h.Size > limit {
			return nil, nil, v, fmt.Errorf("%w: entry %q is not a regular file under %d bytes", ErrDamaged, h.Name, limit)
		}
		// Read as it comes, not make(h.Size): a header may claim more
		// than the file holds.
		b, err := io.ReadAll(tr)
		if err != nil || int64(len(b)) != h.Size {
			return nil, nil, v, fmt.Errorf("%w: %s: %d of %d bytes (%v)", ErrDamaged, h.Name, len(b), h.Size, err)
		}
		*dst = b
		if dst == &content {
			contentEnd = cr.n
		}
	}
	if mj == nil || content == nil {
		return nil, nil, v, fmt.Errorf("%w: %s or %s missing (truncated?)", ErrDamaged, manifestName, contentName)
	}
	v, err := verify(mj, sj, trusted)
	if err != nil && !insecure {
		return nil, nil, v, err
	}
	var m Manifest
	if err := json.Unmarshal(mj, &m); err != nil {
		return nil, nil, v, fmt.Errorf("%w: manifest: %v", ErrDamaged, err)
	}
	if m.Format != Format || m.Version != Version {
		return nil, nil, v, fmt.Errorf("%w: manifest format %q version %d, want %q %d", ErrDamaged, m.Format, m.Version, Format, Version)
	}
	sum := sha256.Sum256(content)
	if int64(len(content)) != m.Content.Size || hex.EncodeToString(sum[:]) != m.Content.SHA256 {
		return nil, nil, v, fmt.Errorf("%w: the content does not match the manifest (%d bytes, want %d; or its SHA-256 differs)", ErrDamaged, len(content), m.Content.Size)
	}
	batches, err := decode(content)
	if err != nil {
		return nil, nil, v, err
	}
	if err := check(&m, batches); err != nil {
		return nil, nil, v, err
	}
	return &m, batches, v, nil
}

// verify checks the manifest's signature against the trusted keys.
func verify(mj, sj []byte, trusted []ed25519.PublicKey) (Verified, error) {
	var v Verified
	if sj == nil {
		return v, ErrUnsigned
	}
	v.Signed = true
	var s signature
	if err := json.Unmarshal(sj, &s); err != nil {
		return v, fmt.Errorf("%w: %s: %v", ErrSignature, sigName, err)
	}
	v.KeyID = s.KeyID
	sig, err := base64.StdEncoding.DecodeString(s.Signature)
	if err != nil || s.Algorithm != "ed25519" || len(sig) != ed25519.SignatureSize {
		return v, fmt.Errorf("%w: %s is not an ed25519 signature", ErrSignature, sigName)
	}
	for _, k := range trusted {
		if len(k) == ed25519.PublicKeySize && ed25519.Verify(k, mj, sig) {
			v.Valid, v.Key = true, k
			return v, nil
		}
	}
	return v, fmt.Errorf("%w (signed by key %s; %d trusted)", ErrSignature, s.KeyID, len(trusted))
}

// decode reads the batches of the content.
func decode(content []byte) ([]*advisory.Batch, error) {
	zr, err := gzip.NewReader(bytes.NewReader(content))
	if err != nil {
		return nil, fmt.Errorf("%w: content: %v", ErrDamaged, err)
	}
	dec := json.NewDecoder(io.LimitReader(zr, maxExpanded))
	var batches []*advisory.Batch
	if err := dec.Decode(&batches); err != nil {
		return nil, fmt.Errorf("%w: content: %v", ErrDamaged, err)
	}
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return nil, fmt.Errorf("%w: content: %v", ErrDamaged, err)
	}
	return batches, nil
}

// check holds the content to the manifest: the same sources in the same
// order, each with its digest and record count, and only valid rows.
func check(m *Manifest, batches []*advisory.Batch) error {
	if len(batches) != len(m.Sources) {
		return fmt.Errorf("%w: %d sources in the content, %d in the manifest", ErrDamaged, len(batches), len(m.Sources))
	}
	for i, b := range batches {
		s := m.Sources[i]
		if b == nil || b.Source != s.Name || string(b.Kind) != s.Kind || b.Records() != s.Records {
			return fmt.Errorf("%w: source %d (%s) differs from the manifest", ErrDamaged, i+1, s.Name)
		}
		if d, err := partDigest(b); err != nil || d != s.SHA256 {
			return fmt.Errorf("%w: source %s: its SHA-256 differs from the manifest", ErrDamaged, s.Name)
		}
		switch b.Kind {
		case advisory.KindOSV, advisory.KindDebianTracker, advisory.KindKEV, advisory.KindEPSS:
		default:
			return fmt.Errorf("%w: source %s: unknown kind %q", ErrDamaged, s.Name, b.Kind)
		}
		for _, a := range b.Affected {
			if !a.Status.Valid() || a.Package == "" || a.ID == "" {
				return fmt.Errorf("%w: source %s: a row without package, id or valid status", ErrDamaged, s.Name)
			}
		}
	}
	return nil
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
