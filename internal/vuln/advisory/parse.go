package advisory

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Limits on what an import reads: the largest public files are the
// Debian tracker's JSON (~70 MB) and an ecosystem's OSV zip (~200 MB
// uncompressed for Ubuntu); a corrupt or hostile file must not exhaust
// memory.
const (
	maxFile   = 1 << 30
	maxRecord = 64 << 20
)

// ErrFormat is wrapped by every error about a file that is not one of the
// supported formats, or is damaged.
var ErrFormat = errors.New("not a usable advisory file")

// ParseFile reads an advisory file or directory and returns the batches
// it holds (an OSV input gives one batch per ecosystem). The whole input
// is parsed before anything is returned: a damaged file gives an error
// and no batch, so the store keeps its previous data.
func ParseFile(path string) ([]*Batch, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return parseOSVDir(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFile {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrFormat, path, maxFile)
	}
	return Parse(path, b, fi.ModTime())
}

// Parse recognises the format of b (read from origin, last modified at
// mtime) and parses it: an OSV zip, an OSV record or array of records, the
// Debian security tracker's JSON, CISA's KEV catalog JSON or an EPSS CSV;
// each may be gzip-compressed.
func Parse(origin string, b []byte, mtime time.Time) ([]*Batch, error) {
	sum := sha256.Sum256(b)
	digest := hex.EncodeToString(sum[:])
	if bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrFormat, origin, err)
		}
		u, err := io.ReadAll(io.LimitReader(zr, maxFile+1))
		if err != nil {
			return nil, fmt.Errorf("%w: %s: damaged gzip data: %v", ErrFormat, origin, err)
		}
		if len(u) > maxFile {
			return nil, fmt.Errorf("%w: %s uncompresses to more than %d bytes", ErrFormat, origin, maxFile)
		}
		b = u
	}
	var bs []*Batch
	var err error
	trim := bytes.TrimLeft(b, " \t\r\n\ufeff")
	switch {
	case bytes.HasPrefix(b, []byte("PK\x03\x04")) || bytes.HasPrefix(b, []byte("PK\x05\x06")):
		bs, err = parseOSVZip(origin, b)
	case bytes.HasPrefix(trim, []byte("#model_version")) || bytes.HasPrefix(trim, []byte("cve,epss")):
		var one *Batch
		one, err = parseEPSS(origin, trim)
		bs = []*Batch{one}
	case bytes.HasPrefix(trim, []byte("[")):
		bs, err = parseOSVArray(origin, trim)
	case bytes.HasPrefix(trim, []byte("{")):
		bs, err = parseJSONObject(origin, trim, mtime)
	default:
		return nil, fmt.Errorf("%w: %s: not OSV (zip, directory or JSON), Debian tracker JSON, KEV JSON or EPSS CSV", ErrFormat, origin)
	}
	if err != nil {
		return nil, err
	}
	for _, x := range bs {
		x.Origin, x.Digest = origin, digest
	}
	return bs, nil
}

// parseJSONObject tells an OSV record, the KEV catalog and the Debian
// tracker apart by their top-level keys.
func parseJSONObject(origin string, b []byte, mtime time.Time) ([]*Batch, error) {
	head := b
	if len(head) > 4096 {
		head = head[:4096]
	}
	switch {
	case bytes.Contains(head, []byte(`"catalogVersion"`)) || bytes.Contains(head, []byte(`"knownRansomwareCampaignUse"`)):
		k, err := parseKEV(origin, b)
		if err != nil {
			return nil, err
		}
		return []*Batch{k}, nil
	case isOSVRecord(b):
		return parseOSVArray(origin, append(append([]byte("["), b...), ']'))
	default:
		t, err := parseTracker(origin, b, mtime)
		if err != nil {
			return nil, err
		}
		return []*Batch{t}, nil
	}
}

// sortBatch makes a batch's order independent of the input's (map
// iteration, zip order), so two imports of the same data compare equal.
func sortBatch(b *Batch) {
	sort.Slice(b.Affected, func(i, j int) bool { return b.Affected[i].Key() < b.Affected[j].Key() })
	sort.Slice(b.Vulns, func(i, j int) bool { return b.Vulns[i].ID < b.Vulns[j].ID })
	sort.Strings(b.Withdrawn)
}

// osvFiles lists the .json files under dir.
func osvFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".json") {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}
