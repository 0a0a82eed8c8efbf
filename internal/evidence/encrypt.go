package evidence

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/age"
	"filippo.io/age/agessh"
)

// Archives can be encrypted with age (filippo.io/age, the format of the
// age tool) to one or more recipients' public keys — age X25519
// recipients (age1...) or SSH public keys (ssh-ed25519, ssh-rsa) — so a
// copy on external media or a transfer is readable only by the holders
// of the private keys. There is no passphrase mode: a passphrase on a
// command line ends up in shell histories and process lists. The
// encryption wraps the compressed archive whole; inside, the manifest and
// its signature are unchanged, so after decryption (`age -d`, or
// `vigil evidence verify --identity`) every hash and the signature verify
// as for a plain archive.

// ageMagic starts every binary age file.
const ageMagic = "age-encryption.org/v1\n"

// IsEncrypted reports whether the start of a file is an age header.
func IsEncrypted(head []byte) bool { return bytes.HasPrefix(head, []byte(ageMagic)) }

// ParseRecipient reads one recipient: an age public key (age1...) or an
// SSH public key line ("ssh-ed25519 AAAA... comment", "ssh-rsa ...").
func ParseRecipient(s string) (age.Recipient, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "age1pq1"):
		return age.ParseHybridRecipient(s)
	case strings.HasPrefix(s, "age1"):
		return age.ParseX25519Recipient(s)
	case strings.HasPrefix(s, "ssh-"):
		return agessh.ParseRecipient(s)
	}
	return nil, errors.New("not an age (age1...) or SSH (ssh-ed25519, ssh-rsa) public key")
}

// LooksLikeRecipient tells a recipient given inline from a file name.
func LooksLikeRecipient(s string) bool {
	return strings.HasPrefix(s, "age1") || strings.HasPrefix(s, "ssh-")
}

// ParseRecipientsFile reads a recipients file: one recipient a line, blank
// lines and # comments skipped (age's format; an SSH .pub file is one
// line). It returns the recipients and their lines.
func ParseRecipientsFile(b []byte) ([]age.Recipient, []string, error) {
	var recs []age.Recipient
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r, err := ParseRecipient(line)
		if err != nil {
			return nil, nil, fmt.Errorf("line %d: %w", n, err)
		}
		recs, lines = append(recs, r), append(lines, line)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, err
	}
	if len(recs) == 0 {
		return nil, nil, errors.New("no recipient in the file")
	}
	return recs, lines, nil
}

// ParseIdentities reads the private keys that can decrypt an archive: an
// age identity file (AGE-SECRET-KEY-1... lines) or an unencrypted SSH
// private key (PEM / OpenSSH). A passphrase-protected SSH key is refused
// with a hint: decrypt with age -d, which asks for the passphrase.
func ParseIdentities(b []byte) ([]age.Identity, error) {
	if bytes.Contains(b, []byte("PRIVATE KEY-----")) {
		id, err := agessh.ParseIdentity(b)
		if err != nil {
			return nil, fmt.Errorf("SSH private key: %w (a key with a passphrase: decrypt with age -d -i KEY first)", err)
		}
		return []age.Identity{id}, nil
	}
	return age.ParseIdentities(bytes.NewReader(b))
}

// encryptingWriter wraps w so what is written is encrypted to recipients;
// Close ends the age stream (not w).
func encryptingWriter(w io.Writer, recipients []age.Recipient) (io.WriteCloser, error) {
	return age.Encrypt(w, recipients...)
}

// VerifyEncrypted decrypts an age-encrypted archive with ids while reading
// it and verifies what is inside as Verify does. ArchiveSH is then the
// SHA-256 of the encrypted file (what collect printed and recorded), and
// PlainSH that of the decrypted archive. A damaged or altered encrypted
// stream fails age's authentication and is reported as truncated.
func VerifyEncrypted(r io.Reader, ids []age.Identity, pub ed25519.PublicKey) (*Report, error) {
	whole := &countingHash{w: io.Discard, h: sha256.New()}
	dr, err := age.Decrypt(io.TeeReader(r, whole), ids...)
	if err != nil {
		return nil, err
	}
	er := &errReader{r: dr}
	rep, err := Verify(er, pub) // reads to the end: age authenticates every chunk
	if err != nil {
		return nil, err
	}
	if er.err != nil && !rep.has(ProblemTruncated) {
		rep.problem(ProblemTruncated, "", "encrypted stream: "+er.err.Error())
		rep.OK = false
	}
	rep.Encrypted, rep.PlainSH = true, rep.ArchiveSH
	rep.ArchiveSH = hex.EncodeToString(whole.h.Sum(nil))
	return rep, nil
}

// errReader keeps the first error other than EOF its reader returned.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}
