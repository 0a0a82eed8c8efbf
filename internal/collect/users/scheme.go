package users

import (
	"strings"

	"github.com/vigil-ir/vigil/internal/target"
)

// Hash schemes, as HashScheme names them.
const (
	SchemeYescrypt = "yescrypt"
	SchemeSHA512   = "sha512"
	SchemeSHA256   = "sha256"
	SchemeBlowfish = "blowfish"
	SchemeGost     = "gost-yescrypt"
	SchemeScrypt   = "scrypt"
	SchemeMD5      = "md5"
	SchemeNT       = "nthash"
	SchemeDES      = "des"
	SchemeBSDiDES  = "bsdi-des"
	SchemeUnknown  = "unknown"
)

// HashScheme names the crypt(3) scheme of a password hash (a leading "!"
// lock is ignored), or "" when h is not a hash.
func HashScheme(h string) string {
	h = strings.TrimLeft(h, "!")
	if !IsCryptHash(h) {
		return ""
	}
	if !strings.HasPrefix(h, "$") {
		if h[0] == '_' {
			return SchemeBSDiDES
		}
		return SchemeDES
	}
	id, _, _ := strings.Cut(h[1:], "$")
	switch id {
	case "y":
		return SchemeYescrypt
	case "gy":
		return SchemeGost
	case "7":
		return SchemeScrypt
	case "6":
		return SchemeSHA512
	case "5":
		return SchemeSHA256
	case "2a", "2b", "2x", "2y":
		return SchemeBlowfish
	case "1":
		return SchemeMD5
	case "3":
		return SchemeNT
	}
	return SchemeUnknown
}

// LegacyScheme reports whether a scheme is one no current distribution
// writes and a GPU cracks in hours: MD5-crypt, DES, BSDi DES, NT hash.
func LegacyScheme(s string) bool {
	switch s {
	case SchemeMD5, SchemeDES, SchemeBSDiDES, SchemeNT:
		return true
	}
	return false
}

// pamPasswordFiles hold pam_unix's password line on Debian (common-password)
// and on Red Hat-like systems (system-auth, password-auth).
var pamPasswordFiles = []string{"/etc/pam.d/common-password", "/etc/pam.d/system-auth", "/etc/pam.d/password-auth"}

// pamSchemes maps pam_unix's hashing options to schemes.
var pamSchemes = map[string]string{
	"yescrypt": SchemeYescrypt, "gost_yescrypt": SchemeGost, "sha512": SchemeSHA512, "sha256": SchemeSHA256,
	"blowfish": SchemeBlowfish, "md5": SchemeMD5, "bigcrypt": SchemeDES,
}

// loginDefsSchemes maps login.defs' ENCRYPT_METHOD values to schemes.
var loginDefsSchemes = map[string]string{
	"YESCRYPT": SchemeYescrypt, "SHA512": SchemeSHA512, "SHA256": SchemeSHA256, "BCRYPT": SchemeBlowfish,
	"MD5": SchemeMD5, "DES": SchemeDES,
}

// DefaultScheme returns the scheme the system writes new passwords with and
// where that was read: pam_unix's option in the password stack (passwd(1)
// goes through PAM), else ENCRYPT_METHOD in /etc/login.defs (useradd,
// chpasswd), else "" when neither says.
func DefaultScheme(t *target.Target) (scheme, source string) {
	for _, p := range pamPasswordFiles {
		if b, err := t.ReadFile(p, 1<<20); err == nil {
			if s := PAMScheme(b); s != "" {
				return s, p
			}
		}
	}
	if b, err := t.ReadFile("/etc/login.defs", 1<<20); err == nil {
		if s := LoginDefsScheme(b); s != "" {
			return s, "/etc/login.defs"
		}
	}
	return "", ""
}

// PAMScheme returns the scheme pam_unix's password line in a PAM file
// selects, or "".
func PAMScheme(b []byte) string {
	for _, line := range strings.Split(string(b), "\n") {
		line, _, _ = strings.Cut(line, "#")
		f := strings.Fields(line)
		if len(f) < 3 || strings.TrimPrefix(f[0], "-") != "password" || !strings.Contains(line, "pam_unix.so") {
			continue
		}
		for _, a := range f[2:] {
			if s, ok := pamSchemes[a]; ok {
				return s
			}
		}
	}
	return ""
}

// LoginDefsScheme returns the scheme ENCRYPT_METHOD in login.defs names,
// or "".
func LoginDefsScheme(b []byte) string {
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "ENCRYPT_METHOD" {
			if s, ok := loginDefsSchemes[strings.ToUpper(f[1])]; ok {
				return s
			}
		}
	}
	return ""
}
