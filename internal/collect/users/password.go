package users

import "strings"

// PasswordState says how an account authenticates with a password.
type PasswordState int

// Password states.
const (
	// PwUnknown: the hash lives in shadow and shadow could not be read, or
	// the account has no shadow entry.
	PwUnknown PasswordState = iota
	// PwEmpty: no password at all; pam_unix with nullok lets anyone in.
	PwEmpty
	// PwLocked: "!", "*", "!!", "!$6$..." and other values no password
	// can match.
	PwLocked
	// PwHash: a crypt(3) hash; the account logs in with a password.
	PwHash
)

func (s PasswordState) String() string {
	switch s {
	case PwEmpty:
		return "empty"
	case PwLocked:
		return "locked"
	case PwHash:
		return "hash"
	default:
		return "unknown"
	}
}

// HashState classifies one password field value (from shadow, or from
// passwd when it is not "x").
func HashState(h string) PasswordState {
	switch {
	case h == "":
		return PwEmpty
	case h[0] == '!' || h[0] == '*':
		return PwLocked
	case IsCryptHash(h):
		return PwHash
	default:
		// Anything that is not a crypt string ("LK", "NP", "x" in shadow)
		// matches no password.
		return PwLocked
	}
}

// IsCryptHash reports whether h has the form of a crypt(3) hash: a
// "$id$..." modular string, a 13-character traditional DES hash or a
// 20-character BSDi extended DES hash.
func IsCryptHash(h string) bool {
	switch {
	case strings.HasPrefix(h, "$"):
		parts := strings.Split(h, "$")
		return len(parts) >= 3 && parts[1] != "" && parts[len(parts)-1] != ""
	case len(h) == 13:
		return cryptChars(h)
	case len(h) == 20 && h[0] == '_':
		return cryptChars(h[1:])
	}
	return false
}

func cryptChars(s string) bool {
	for _, c := range s {
		if !(c == '.' || c == '/' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
			return false
		}
	}
	return true
}

// PasswordState returns how u authenticates with a password, and where
// the deciding value was read: "passwd" when the passwd field itself holds
// it (anything but "x"), else "shadow".
func (db *DB) PasswordState(u *User) (PasswordState, string) {
	if u.Password != "x" {
		return HashState(u.Password), "passwd"
	}
	if !db.ShadowRead {
		return PwUnknown, "shadow"
	}
	s, ok := db.ShadowOf(u.Name)
	if !ok {
		return PwUnknown, "shadow"
	}
	return HashState(s.Hash), "shadow"
}

// Redacted returns the passwd line with a password hash in the second
// field replaced, for evidence.
func (u *User) Redacted() string {
	if HashState(u.Password) != PwHash && !IsCryptHash(strings.TrimLeft(u.Password, "!*")) {
		return u.Text
	}
	name, rest, _ := strings.Cut(u.Text, ":")
	_, rest, _ = strings.Cut(rest, ":")
	return name + ":<hash>:" + rest
}
