package app

import (
	"crypto/ed25519"
	"os"

	"github.com/vigil-ir/vigil/internal/evidence"
	"github.com/vigil-ir/vigil/internal/model"
)

// VerifyEvidence checks the archive at path (every digest and the
// manifest's signature). pubPath names the public key the signature must
// verify with; "" checks against the key the archive names, which proves
// it unchanged since signing but not by whom.
func VerifyEvidence(path, pubPath string) (*evidence.Report, error) {
	var pub ed25519.PublicKey
	if pubPath != "" {
		b, err := os.ReadFile(pubPath)
		if err != nil {
			return nil, err
		}
		if pub, err = evidence.ParsePublicKey(b); err != nil {
			return nil, &MsgError{model.Msg("evidence.err.pubkey", pubPath, err)}
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return evidence.Verify(f, pub)
}
