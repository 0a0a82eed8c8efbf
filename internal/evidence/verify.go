package evidence

import (
	"archive/tar"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/klauspost/compress/zstd"
)

// Problem kinds found by Verify.
const (
	ProblemAltered    = "altered"     // content or size differs from the manifest
	ProblemMissing    = "missing"     // in the manifest, not in the archive
	ProblemAdded      = "added"       // in the archive, not in the manifest
	ProblemSignature  = "signature"   // the manifest's signature does not verify
	ProblemWrongKey   = "wrong-key"   // signed by another key than the one given
	ProblemTruncated  = "truncated"   // the archive ends early or is damaged
	ProblemNoManifest = "no-manifest" // no manifest or signature in the archive
	ProblemDuplicate  = "duplicate"   // an entry name appears twice
)

// Problem is one thing Verify found wrong.
type Problem struct {
	Kind   string `json:"kind"`
	Name   string `json:"name,omitempty"`   // the archive entry
	Detail string `json:"detail,omitempty"` // expected/actual digest, error
}

// Report is the outcome of Verify.
type Report struct {
	OK        bool      `json:"ok"`
	Entries   int       `json:"entries"`          // item entries read
	Checked   int       `json:"checked"`          // manifest items whose digest matched
	Signer    string    `json:"signer,omitempty"` // public key that signed (PublicKeyText)
	SignerFP  string    `json:"signer_fingerprint,omitempty"`
	Manifest  *Manifest `json:"manifest,omitempty"` // nil when it could not be read
	Problems  []Problem `json:"problems"`
	ArchiveSH string    `json:"archive_sha256"`         // of the bytes read
	Encrypted bool      `json:"encrypted,omitempty"`    // age-encrypted, decrypted while verified
	PlainSH   string    `json:"plain_sha256,omitempty"` // of the decrypted archive
}

// entry is what Verify read of one archive entry.
type entry struct {
	sha  string
	size int64
	link string
}

// maxManifest bounds the manifest and signature entries.
const maxManifest = 512 << 20

// Verify reads an archive written by Collect and checks every entry
// against the manifest, and the manifest's signature: against pub when
// given, else against the key named in the archive (which proves the
// archive unchanged since signing, not who signed it).
func Verify(r io.Reader, pub ed25519.PublicKey) (*Report, error) {
	rep := &Report{Problems: []Problem{}}
	whole := &countingHash{w: io.Discard, h: sha256.New()}
	zr, err := zstd.NewReader(io.TeeReader(r, whole), zstd.WithDecoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	seen := map[string]entry{}
	var order []string
	var mb, sb []byte
read:
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			rep.problem(ProblemTruncated, "", err.Error())
			break
		}
		switch h.Name {
		case ManifestName, SignatureName:
			b, err := io.ReadAll(io.LimitReader(tr, maxManifest))
			if err != nil {
				rep.problem(ProblemTruncated, h.Name, err.Error())
				break read
			}
			if h.Name == ManifestName {
				mb = b
			} else {
				sb = b
			}
			continue
		}
		if _, dup := seen[h.Name]; dup {
			rep.problem(ProblemDuplicate, h.Name, "")
		}
		sum := sha256.New()
		n, err := io.Copy(sum, tr)
		e := entry{size: n, link: h.Linkname}
		if h.Typeflag == tar.TypeReg {
			e.sha = hex.EncodeToString(sum.Sum(nil))
		}
		seen[h.Name] = e
		order = append(order, h.Name)
		rep.Entries++
		if err != nil {
			rep.problem(ProblemTruncated, h.Name, err.Error())
			break
		}
	}
	// Drain what follows (tar's end blocks, zstd's checksum) so damage there shows.
	if _, err := io.Copy(io.Discard, zr); err != nil && !rep.has(ProblemTruncated) {
		rep.problem(ProblemTruncated, "", err.Error())
	}
	_, _ = io.Copy(io.Discard, r)
	rep.ArchiveSH = hex.EncodeToString(whole.h.Sum(nil))
	if mb == nil || sb == nil {
		rep.problem(ProblemNoManifest, "", "")
		rep.OK = false
		return rep, nil
	}
	rep.checkSignature(mb, sb, pub)
	var m Manifest
	if err := json.Unmarshal(mb, &m); err != nil {
		rep.problem(ProblemNoManifest, ManifestName, err.Error())
		return rep, nil
	}
	rep.Manifest = &m
	listed := map[string]bool{}
	for _, it := range m.Items {
		listed[it.Name] = true
		e, ok := seen[it.Name]
		switch {
		case !ok:
			rep.problem(ProblemMissing, it.Name, "")
		case e.sha != it.SHA256 || e.size != it.Size || e.link != it.Link:
			rep.problem(ProblemAltered, it.Name, fmt.Sprintf("sha256 %s, manifest %s", e.sha, it.SHA256))
		default:
			rep.Checked++
		}
	}
	for _, name := range order {
		if !listed[name] {
			rep.problem(ProblemAdded, name, "")
		}
	}
	sort.SliceStable(rep.Problems, func(i, j int) bool { return rep.Problems[i].Kind < rep.Problems[j].Kind })
	rep.OK = len(rep.Problems) == 0
	return rep, nil
}

func (rep *Report) checkSignature(mb, sb []byte, pub ed25519.PublicKey) {
	var sig Signature
	if err := json.Unmarshal(sb, &sig); err != nil || sig.Algorithm != "ed25519" {
		rep.problem(ProblemSignature, SignatureName, "unreadable signature")
		return
	}
	signer, err1 := base64.StdEncoding.DecodeString(sig.PublicKey)
	raw, err2 := base64.StdEncoding.DecodeString(sig.Signature)
	if err1 != nil || err2 != nil || len(signer) != ed25519.PublicKeySize {
		rep.problem(ProblemSignature, SignatureName, "unreadable signature")
		return
	}
	rep.Signer, rep.SignerFP = PublicKeyText(signer), KeyFingerprint(signer)
	key := ed25519.PublicKey(signer)
	if pub != nil {
		if !pub.Equal(key) {
			rep.problem(ProblemWrongKey, SignatureName, KeyFingerprint(signer)+" != "+KeyFingerprint(pub))
		}
		key = pub
	}
	if !ed25519.Verify(key, mb, raw) {
		rep.problem(ProblemSignature, ManifestName, "")
	}
}

func (rep *Report) problem(kind, name, detail string) {
	rep.Problems = append(rep.Problems, Problem{Kind: kind, Name: name, Detail: detail})
}

func (rep *Report) has(kind string) bool {
	for _, p := range rep.Problems {
		if p.Kind == kind {
			return true
		}
	}
	return false
}
