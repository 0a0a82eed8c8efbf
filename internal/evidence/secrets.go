package evidence

import (
	"bytes"
	"path"
	"strings"
)

// secretFiles are files that hold password hashes or keys by name.
var secretFiles = map[string]bool{
	"/etc/shadow": true, "/etc/shadow-": true, "/etc/gshadow": true, "/etc/gshadow-": true,
	"/etc/security/opasswd": true, "/etc/krb5.keytab": true,
	"/etc/ssl/private": true, "/etc/pki/tls/private": true,
}

// SecretPath reports whether the target path p holds secrets by its name:
// shadow files, host and user private keys, private-key directories.
func SecretPath(p string) bool {
	for q := p; q != "/" && q != "."; q = path.Dir(q) {
		if secretFiles[q] {
			return true
		}
	}
	base := path.Base(p)
	dir := path.Dir(p)
	switch {
	case dir == "/etc/ssh" && strings.HasPrefix(base, "ssh_host_") && strings.HasSuffix(base, "_key"):
		return true
	case path.Base(dir) == ".ssh" && strings.HasPrefix(base, "id_") && !strings.HasSuffix(base, ".pub"):
		return true
	case path.Base(dir) == ".gnupg" || strings.Contains(p, "/.gnupg/private-keys"):
		return true
	}
	return false
}

// SecretContent reports whether the start of a file is a private key
// (PEM or OpenSSH).
func SecretContent(head []byte) bool {
	return bytes.Contains(head, []byte("PRIVATE KEY-----")) || bytes.Contains(head, []byte("-----BEGIN PGP PRIVATE KEY"))
}
