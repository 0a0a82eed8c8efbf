package evidence

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"io"
	"testing"

	"filippo.io/age"
	"golang.org/x/crypto/ssh"

	"github.com/vigil-ir/vigil/internal/testutil"
)

// sshKey is an SSH ed25519 key pair: the public key line and the private
// key in OpenSSH PEM form.
func sshKey(t *testing.T, seed byte) (string, []byte) {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	pub, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "responder")
	if err != nil {
		t.Fatal(err)
	}
	return string(ssh.MarshalAuthorizedKey(pub)), pem.EncodeToMemory(block)
}

// An archive encrypted to an age key and an SSH key: each private key
// decrypts it, every digest and the signature verify inside, the recorded
// SHA-256 is the encrypted file's, and another key, a plain read or a
// flipped byte fail.
func TestEncryptedArchive(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	sshPub, sshPriv := sshKey(t, 7)
	recipientsFile := "# the responders\n" + id.Recipient().String() + "\n\n" + sshPub
	recs, lines, err := ParseRecipientsFile([]byte(recipientsFile))
	if err != nil || len(recs) != 2 || len(lines) != 2 {
		t.Fatalf("ParseRecipientsFile: %d %q %v", len(recs), lines, err)
	}
	var buf bytes.Buffer
	res := collectTo(t, testutil.RootFromTxtar(t, "testdata/root.txtar"), ProfileTriage, false, &buf, func(o *Options) {
		o.Recipients, o.Manifest.EncryptedTo = recs, lines
	})
	ar := buf.Bytes()
	if !IsEncrypted(ar) {
		t.Fatalf("not an age file: %.40q", ar)
	}
	if sum := sha256.Sum256(ar); hex.EncodeToString(sum[:]) != res.Sum.SHA256 || int64(len(ar)) != res.Sum.Bytes {
		t.Errorf("the recorded digest is not the encrypted file's")
	}
	if bytes.Contains(ar, []byte("root:x:0:0")) {
		t.Error("plain text in the encrypted archive")
	}
	pub := testKey.Public().(ed25519.PublicKey)
	for name, key := range map[string][]byte{"age": []byte(id.String() + "\n"), "ssh": sshPriv} {
		ids, err := ParseIdentities(key)
		if err != nil {
			t.Fatalf("%s identity: %v", name, err)
		}
		rep, err := VerifyEncrypted(bytes.NewReader(ar), ids, pub)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !rep.OK || !rep.Encrypted || rep.ArchiveSH != res.Sum.SHA256 || rep.Checked != len(res.Manifest.Items) || len(rep.Manifest.EncryptedTo) != 2 {
			t.Errorf("%s: %+v", name, rep.Problems)
		}
		// age -d then verify: the same archive as a plain one.
		dr, err := age.Decrypt(bytes.NewReader(ar), ids...)
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(dr)
		if rep2, err := Verify(bytes.NewReader(plain), pub); err != nil || !rep2.OK || rep2.ArchiveSH != rep.PlainSH {
			t.Errorf("%s: the decrypted archive does not verify on its own: %v %+v", name, err, rep2)
		}
	}
	other, _ := age.GenerateX25519Identity()
	if _, err := VerifyEncrypted(bytes.NewReader(ar), []age.Identity{other}, pub); err == nil {
		t.Error("another key decrypted the archive")
	}
	if rep, err := Verify(bytes.NewReader(ar), pub); err == nil && rep.OK {
		t.Error("an encrypted archive verified without decryption")
	}
	flipped := bytes.Clone(ar)
	flipped[len(flipped)/2] ^= 1
	ids, _ := ParseIdentities([]byte(id.String()))
	if rep, err := VerifyEncrypted(bytes.NewReader(flipped), ids, pub); err == nil && rep.OK {
		t.Error("a flipped byte in the encrypted archive went unnoticed")
	}
}

func TestParseRecipient(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	sshPub, _ := sshKey(t, 3)
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{id.Recipient().String(), true}, {sshPub, true}, {"age1nope", false}, {"ssh-ed25519 AAAA", false},
		{id.String(), false}, {"", false}, {"correct horse battery staple", false},
	} {
		if _, err := ParseRecipient(tc.in); (err == nil) != tc.ok {
			t.Errorf("ParseRecipient(%.30q) error %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
	if _, _, err := ParseRecipientsFile([]byte("# none\n")); err == nil {
		t.Error("an empty recipients file is accepted")
	}
}

func FuzzParseRecipientsFile(f *testing.F) {
	f.Add([]byte("age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq\nssh-ed25519 AAAA x\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _, _ = ParseRecipientsFile(b)
		_, _ = ParseIdentities(b)
	})
}
