package app

import (
	"bufio"
	"crypto/ed25519"
	"os"
	"strings"

	"filippo.io/age"

	"github.com/vigil-ir/vigil/internal/evidence"
	"github.com/vigil-ir/vigil/internal/model"
)

// VerifyEvidence checks the archive at path (every digest and the
// manifest's signature). pubPath names the public key the signature must
// verify with; "" checks against the key the archive names, which proves
// it unchanged since signing but not by whom.
//
// An archive encrypted with age (collect --encrypt-to) is decrypted while
// it is read with the private keys in identityPath (an age identity file
// or an SSH private key); without them it is refused with what to do.
func VerifyEvidence(path, pubPath, identityPath string) (*evidence.Report, error) {
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
	r := bufio.NewReaderSize(f, 1<<20)
	head, _ := r.Peek(64)
	if !evidence.IsEncrypted(head) {
		return evidence.Verify(r, pub)
	}
	if identityPath == "" {
		return nil, &MsgError{model.Msg("evidence.err.encrypted", path)}
	}
	b, err := os.ReadFile(identityPath)
	if err != nil {
		return nil, err
	}
	ids, err := evidence.ParseIdentities(b)
	if err != nil {
		return nil, &MsgError{model.Msg("evidence.err.identity", identityPath, err)}
	}
	rep, err := evidence.VerifyEncrypted(r, ids, pub)
	if err != nil {
		return nil, &MsgError{model.Msg("evidence.err.decrypt", path, identityPath, err)}
	}
	return rep, nil
}

// recipients reads --encrypt-to values: a public key given inline (age1...,
// ssh-ed25519 ..., ssh-rsa ...) or a file of them (an age recipients file,
// an SSH .pub file). It returns them with their text for the manifest.
func recipients(specs []string) ([]age.Recipient, []string, error) {
	var recs []age.Recipient
	var lines []string
	for _, s := range specs {
		if evidence.LooksLikeRecipient(s) {
			r, err := evidence.ParseRecipient(s)
			if err != nil {
				return nil, nil, &MsgError{model.Msg("evidence.err.recipient", s, err)}
			}
			recs, lines = append(recs, r), append(lines, strings.TrimSpace(s))
			continue
		}
		b, err := os.ReadFile(s)
		if err != nil {
			return nil, nil, &MsgError{model.Msg("evidence.err.recipient", s, err)}
		}
		rs, ls, err := evidence.ParseRecipientsFile(b)
		if err != nil {
			return nil, nil, &MsgError{model.Msg("evidence.err.recipient", s, err)}
		}
		recs, lines = append(recs, rs...), append(lines, ls...)
	}
	return recs, lines, nil
}
