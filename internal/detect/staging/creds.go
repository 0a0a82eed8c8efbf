package staging

import (
	"bytes"

	"github.com/vigil-ir/vigil/internal/lazyre"
)

// Credential file formats CredentialFormat recognises.
const (
	FormatShadowHashes = "shadow-hashes" // crypt hashes in shadow's layout
	FormatShadow       = "shadow"        // shadow's nine fields, no usable hash
	FormatPasswd       = "passwd"        // several passwd lines
	FormatPrivateKeys  = "private-keys"  // two or more PEM private keys
)

var (
	// hashLine is an account name then a modular crypt hash ($1$ MD5,
	// $2b$ bcrypt, $5$/$6$ SHA-crypt, $7$ scrypt, $y$/$gy$ yescrypt) and
	// more fields: shadow's or passwd's layout. An htpasswd file (name and
	// hash alone) is a web server's configuration, not a copy.
	hashLine = lazyre.New(`^[A-Za-z_][A-Za-z0-9_.-]*\$?:\$(?:1|2[abxy]?|5|6|7|y|gy|sha1|md5)\$[^:\s]{8,}:`)
	// shadowLine is shadow's layout: nine fields, numeric dates.
	shadowLine = lazyre.New(`^[A-Za-z_][A-Za-z0-9_.-]*\$?:[^:\s]*:\d*:\d*:\d*:\d*:\d*:\d*:[^:]*$`)
	// passwdLine is passwd's layout: seven fields, numeric ids.
	passwdLine = lazyre.New(`^[A-Za-z_][A-Za-z0-9_.-]*\$?:[^:\s]*:\d+:\d+:[^:]*:[^:]*:[^:]*$`)
	pemPrivate = []byte("PRIVATE KEY-----")
)

// CredentialFormat says whether b (the start of a file) is in the format
// of a credential store, and how many entries (hash lines, account lines
// or keys) it holds. A file qualifies when it is mostly such lines: one
// example line in a document or a test fixture does not.
func CredentialFormat(b []byte) (format string, count int) {
	if n := bytes.Count(b, []byte("-----BEGIN ")); n >= 2 {
		if keys := bytes.Count(b, pemPrivate) / 2; keys >= 2 { // BEGIN and END lines
			return FormatPrivateKeys, keys
		}
	}
	var lines, hashes, shadows, passwds int
	for len(b) > 0 {
		var line []byte
		line, b, _ = bytes.Cut(b, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(bytes.TrimSpace(line)) == 0 || line[0] == '#' {
			continue
		}
		lines++
		if len(line) > 1024 {
			continue
		}
		switch {
		case hashLine.Match(line):
			hashes++
		case shadowLine.Match(line):
			shadows++
		case passwdLine.Match(line):
			passwds++
		}
	}
	if lines == 0 {
		return "", 0
	}
	cred := hashes + shadows + passwds
	switch {
	case hashes >= 1 && cred*2 >= lines:
		return FormatShadowHashes, hashes
	case shadows >= 3 && cred*5 >= lines*4:
		return FormatShadow, shadows
	case passwds >= 3 && cred*5 >= lines*4:
		return FormatPasswd, passwds
	}
	return "", 0
}
