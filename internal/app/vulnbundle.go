package app

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/evidence"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/vuln/advisory"
	"github.com/vigil-ir/vigil/internal/vuln/bundle"
)

// DefaultTrustedKeys is the trusted-keys file vigil db import reads when
// no --keys is given and VIGIL_DB_KEYS is unset; it may be absent.
const DefaultTrustedKeys = "/etc/vigil/db-keys.pub"

// ImportOptions govern the offline bundles among the inputs of vigil db
// import (plain advisory files are not signed and ignore them).
type ImportOptions struct {
	Trusted    []ed25519.PublicKey
	Insecure   bool // read an unsigned or wrongly-signed bundle (the content must still be whole)
	AllowOlder bool // import a bundle source older than the store's (a replay, or a deliberate rollback)
}

// ImportResult is what vigil db import did.
type ImportResult struct {
	Stats []store.ImportStats
	Notes []model.Message // one line per bundle: who signed it, or that nothing was verified
}

// ImportAdvisoryFiles parses every path (an OSV zip or directory, Debian
// tracker JSON, KEV JSON, EPSS CSV — see advisory.Parse — or a signed
// offline bundle) and then writes them all in one transaction. Every file
// is parsed and every bundle verified before anything is written: one
// damaged file or bad bundle rejects the whole command and the store
// keeps its previous data.
func ImportAdvisoryFiles(ctx context.Context, st store.Advisories, paths []string, opt ImportOptions) (ImportResult, error) {
	var res ImportResult
	var batches []*advisory.Batch
	for _, p := range paths {
		bs, note, err := parseInput(ctx, st, p, opt)
		if err != nil {
			var me *MsgError
			if errors.As(err, &me) {
				return res, err
			}
			return res, &MsgError{Msg: model.Msg("vuln.err.import-rejected", p, err.Error())}
		}
		if note.ID != "" {
			res.Notes = append(res.Notes, note)
		}
		batches = append(batches, bs...)
	}
	var err error
	res.Stats, err = st.ImportAdvisoryBatches(ctx, batches)
	return res, err
}

// parseInput reads one input: a bundle (recognised by its first bytes)
// or an advisory file or directory.
func parseInput(ctx context.Context, st store.Advisories, path string, opt ImportOptions) ([]*advisory.Batch, model.Message, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, model.Message{}, err
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	f.Close()
	if !bundle.IsBundle(head[:n]) {
		bs, err := advisory.ParseFile(path)
		return bs, model.Message{}, err
	}
	return readBundle(ctx, st, path, opt)
}

// readBundle verifies a bundle and holds its sources against the store's:
// a source whose data is older than what the store has is refused (a
// replayed bundle would hide vulnerabilities fixed since) unless
// AllowOlder.
func readBundle(ctx context.Context, st store.Advisories, path string, opt ImportOptions) ([]*advisory.Batch, model.Message, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, model.Message{}, err
	}
	defer f.Close()
	m, batches, v, err := bundle.Read(f, opt.Trusted, opt.Insecure)
	if errors.Is(err, bundle.ErrDamaged) {
		return nil, model.Message{}, err
	}
	if err != nil {
		return nil, model.Message{}, &MsgError{Msg: model.Msg("vuln.err.bundle", path, err.Error())}
	}
	have, err := st.AdvisorySources(ctx)
	if err != nil {
		return nil, model.Message{}, err
	}
	dates := map[string]time.Time{}
	for _, s := range have {
		dates[s.Source] = s.DataDate
	}
	var older []string
	for i, s := range m.Sources {
		if d, ok := dates[s.Name]; ok && s.FetchedAt.Before(d) {
			older = append(older, fmt.Sprintf("%s %s < %s", s.Name, dateText(s.FetchedAt), dateText(d)))
		}
		b := batches[i]
		b.Origin = filepath.Base(path) + " (" + s.Origin + ")"
		b.Digest = "bundle:" + s.SHA256
	}
	if len(older) > 0 && !opt.AllowOlder {
		return nil, model.Message{}, &MsgError{Msg: model.Msg("vuln.err.bundle-older", path, fmt.Sprint(older))}
	}
	signer := v.KeyID
	if v.Valid {
		signer = evidence.KeyFingerprint(v.Key)
	}
	note := model.Msg("vuln.db.bundle-verified", path, signer, len(m.Sources), dateText(m.Created))
	if !v.Valid {
		why := "unsigned"
		if v.Signed {
			why = "signed by key " + v.KeyID + ", which is not trusted or does not verify"
		}
		note = model.Msg("vuln.db.bundle-insecure", path, why)
	}
	if len(older) > 0 {
		note = model.Msg("vuln.db.bundle-older-allowed", path, fmt.Sprint(older))
	}
	return batches, note, nil
}

func dateText(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }

// ExportAdvisoryBundle writes every source of the store to w as one
// bundle, signed with key (nil: unsigned).
func ExportAdvisoryBundle(ctx context.Context, st store.Advisories, w io.Writer, key ed25519.PrivateKey, now time.Time) (*bundle.Manifest, error) {
	src, err := st.ExportAdvisories(ctx)
	if err != nil {
		return nil, err
	}
	if len(src) == 0 {
		return nil, &MsgError{Msg: model.Msg("vuln.err.export-empty")}
	}
	parts := make([]bundle.Part, 0, len(src))
	for _, s := range src {
		parts = append(parts, bundle.Part{Batch: s.Batch, Imported: s.Imported})
	}
	id := ""
	if key != nil {
		id = evidence.KeyFingerprint(key.Public().(ed25519.PublicKey))
	}
	return bundle.Write(w, parts, key, id, now, "vigil "+Version)
}

// BundleKey reads the secret key that signs bundles (the PKCS#8 PEM file
// vigil db keygen writes, the format of Vigil's evidence-signing key).
func BundleKey(path string) (ed25519.PrivateKey, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err // never made here: a mistyped name must not create a key
	}
	k, _, err := evidence.LoadOrCreateKey(path)
	return k, err
}

// NewBundleKey makes a key pair for signing bundles: path (PKCS#8 PEM,
// mode 0600) and path.pub (ed25519:BASE64, the trusted-keys line). An
// existing file is never overwritten.
func NewBundleKey(path string) (pubPath, fingerprint string, err error) {
	for _, p := range []string{path, path + ".pub"} {
		if _, err := os.Lstat(p); err == nil {
			return "", "", &MsgError{Msg: model.Msg("vuln.err.key-exists", p)}
		}
	}
	k, created, err := evidence.LoadOrCreateKey(path)
	if err == nil && !created {
		err = &MsgError{Msg: model.Msg("vuln.err.key-exists", path)}
	}
	if err != nil {
		return "", "", err
	}
	return path + ".pub", evidence.KeyFingerprint(k.Public().(ed25519.PublicKey)), nil
}

// TrustedKeys reads the public keys bundles are verified against: the
// embedded list (EmbeddedBundleKeys), then each file of files, or (none
// given) the file named by VIGIL_DB_KEYS or DefaultTrustedKeys when it
// exists. A keys file holds one key a line, as vigil db keygen writes it
// (ed25519:BASE64), or one PEM "PUBLIC KEY" block; # starts a comment.
func TrustedKeys(files []string, getenv func(string) string) ([]ed25519.PublicKey, error) {
	keys, err := parseKeyLines(EmbeddedBundleKeys)
	if err != nil {
		return nil, err
	}
	optional := false
	if len(files) == 0 {
		f := getenv("VIGIL_DB_KEYS")
		if f == "" {
			f, optional = DefaultTrustedKeys, true
		}
		files = []string{f}
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if optional && errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err == nil && len(b) > 1<<20 {
			err = errors.New("larger than 1 MiB")
		}
		var k []ed25519.PublicKey
		if err == nil {
			k, err = parseKeyLines(string(b))
		}
		if err != nil {
			return nil, &MsgError{Msg: model.Msg("vuln.err.keys", f, err.Error())}
		}
		keys = append(keys, k...)
	}
	return keys, nil
}

// EmbeddedBundleKeys are the public keys every Vigil build trusts, in the
// keys-file format. None: an organisation that makes its own bundles
// gives its keys with --keys or the keys file.
var EmbeddedBundleKeys = ""

func parseKeyLines(text string) ([]ed25519.PublicKey, error) {
	if strings.Contains(text, "-----BEGIN") {
		k, err := evidence.ParsePublicKey([]byte(text))
		if err != nil {
			return nil, err
		}
		return []ed25519.PublicKey{k}, nil
	}
	var out []ed25519.PublicKey
	for i, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		k, err := evidence.ParsePublicKey([]byte(strings.Fields(l)[0]))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		out = append(out, k)
	}
	return out, nil
}
