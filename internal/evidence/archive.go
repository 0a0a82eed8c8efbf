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
	"hash"
	"io"
	"time"

	"filippo.io/age"
	"github.com/klauspost/compress/zstd"

	"github.com/vigil-ir/vigil/internal/model"
)

// ArchiveSum identifies a written archive: the SHA-256 of its bytes as
// they left Vigil (compressed), and their number.
type ArchiveSum struct {
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// countingHash hashes and counts what passes through it.
type countingHash struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (c *countingHash) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	return n, err
}

// archiveWriter writes tar entries into a zstd stream, hashing each
// entry's content as it is written (no temporary copy) and the whole
// compressed stream as it leaves.
type archiveWriter struct {
	out   *countingHash
	enc   io.WriteCloser // the age encryption between zstd and out, or nil
	zw    *zstd.Encoder
	tw    *tar.Writer
	buf   []byte
	items []Item
	bytes int64
}

// newArchiveWriter writes to w, encrypted to recipients when there are
// any (the digest is then that of the encrypted bytes, as stored).
func newArchiveWriter(w io.Writer, recipients []age.Recipient) (*archiveWriter, error) {
	out := &countingHash{w: w, h: sha256.New()}
	a := &archiveWriter{out: out, buf: make([]byte, 1<<20)}
	var inner io.Writer = out
	if len(recipients) > 0 {
		enc, err := encryptingWriter(out, recipients)
		if err != nil {
			return nil, err
		}
		a.enc, inner = enc, enc
	}
	zw, err := zstd.NewWriter(inner, zstd.WithEncoderLevel(zstd.SpeedDefault))
	if err != nil {
		return nil, err
	}
	a.zw, a.tw = zw, tar.NewWriter(zw)
	return a, nil
}

func header(it *Item, typ byte) *tar.Header {
	h := &tar.Header{
		Typeflag: typ, Name: it.Name, Size: it.Size, Uid: it.UID, Gid: it.GID,
		Uname: it.Owner, Gname: it.Group, ModTime: it.Mtime, Format: tar.FormatPAX,
		Linkname: it.Link,
	}
	if !it.Atime.IsZero() {
		h.AccessTime, h.ChangeTime = it.Atime, it.Ctime
	}
	if h.ModTime.IsZero() {
		h.ModTime = time.Unix(0, 0)
	}
	h.Mode = 0o644
	if it.Mode != "" {
		var m int64
		if _, err := fmt.Sscanf(it.Mode, "%o", &m); err == nil {
			h.Mode = m
		}
	}
	return h
}

// addBytes writes an entry whose content is already in memory.
func (a *archiveWriter) addBytes(it Item, data []byte) error {
	it.Size = int64(len(data))
	sum := sha256.Sum256(data)
	it.SHA256 = hex.EncodeToString(sum[:])
	if err := a.tw.WriteHeader(header(&it, tar.TypeReg)); err != nil {
		return err
	}
	if _, err := a.tw.Write(data); err != nil {
		return err
	}
	a.record(it)
	return nil
}

// addSymlink writes a symbolic link entry.
func (a *archiveWriter) addSymlink(it Item) error {
	it.Size = 0
	if err := a.tw.WriteHeader(header(&it, tar.TypeSymlink)); err != nil {
		return err
	}
	a.record(it)
	return nil
}

// addStream copies exactly it.Size bytes of r into a new entry, hashing
// them on the way. A source that ends early, or fails, is padded with
// zeros to the size the header promised and the item says so; an error
// writing the archive is returned.
func (a *archiveWriter) addStream(it Item, r io.Reader) (Item, error) {
	if err := a.tw.WriteHeader(header(&it, tar.TypeReg)); err != nil {
		return it, err
	}
	h := sha256.New()
	var n int64
	var srcErr error
	for n < it.Size {
		want := min(int64(len(a.buf)), it.Size-n)
		k, err := r.Read(a.buf[:want])
		if k > 0 {
			h.Write(a.buf[:k])
			if _, werr := a.tw.Write(a.buf[:k]); werr != nil {
				return it, werr
			}
			n += int64(k)
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				srcErr = err
			}
			break
		}
	}
	if n < it.Size {
		clear(a.buf)
		for pad := it.Size - n; pad > 0; {
			k := min(pad, int64(len(a.buf)))
			h.Write(a.buf[:k])
			if _, err := a.tw.Write(a.buf[:k]); err != nil {
				return it, err
			}
			pad -= k
		}
		m := model.Msg("evidence.note.shrank", n, it.Size)
		if srcErr != nil {
			m = model.Msg("evidence.note.read-error", n, srcErr)
		}
		it.Note = &m
	} else if k, _ := r.Read(a.buf[:1]); k > 0 {
		m := model.Msg("evidence.note.grew", it.Size)
		it.Note = &m
	}
	it.SHA256 = hex.EncodeToString(h.Sum(nil))
	a.record(it)
	return it, nil
}

func (a *archiveWriter) record(it Item) {
	a.items = append(a.items, it)
	a.bytes += it.Size
}

// finish writes the manifest and its signature, and closes the streams.
func (a *archiveWriter) finish(m *Manifest, key ed25519.PrivateKey) (ArchiveSum, error) {
	m.Items = a.items
	m.Totals = Totals{Items: len(a.items), Bytes: a.bytes, Skipped: len(m.Skipped)}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return ArchiveSum{}, err
	}
	mb = append(mb, '\n')
	sig := Signature{
		Algorithm: "ed25519",
		PublicKey: base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey)),
		Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(key, mb)),
	}
	sb, err := json.MarshalIndent(sig, "", "  ")
	if err != nil {
		return ArchiveSum{}, err
	}
	now := m.Finished
	for _, e := range []struct {
		name string
		data []byte
	}{{ManifestName, mb}, {SignatureName, append(sb, '\n')}} {
		h := &tar.Header{Typeflag: tar.TypeReg, Name: e.name, Size: int64(len(e.data)), Mode: 0o444, ModTime: now, Format: tar.FormatPAX}
		if err := a.tw.WriteHeader(h); err != nil {
			return ArchiveSum{}, err
		}
		if _, err := a.tw.Write(e.data); err != nil {
			return ArchiveSum{}, err
		}
	}
	if err := a.tw.Close(); err != nil {
		return ArchiveSum{}, err
	}
	if err := a.zw.Close(); err != nil {
		return ArchiveSum{}, err
	}
	if a.enc != nil {
		if err := a.enc.Close(); err != nil {
			return ArchiveSum{}, err
		}
	}
	return ArchiveSum{SHA256: hex.EncodeToString(a.out.h.Sum(nil)), Bytes: a.out.n}, nil
}
