// Package users is the shared inventory of local accounts: /etc/passwd,
// /etc/shadow, /etc/group and /etc/gshadow, parsed once per scan
// (inventory.Users in internal/detect/inventory) and read by every check that
// needs to know who exists, where they live and whether they can log in.
//
// Parsing follows what glibc's files NSS module accepts, tolerantly: blank
// lines and '#' comments are skipped, CRLF line ends are trimmed, NIS compat
// lines ("+", "+name", "-@netgroup") are kept aside in DB.Compat rather than
// taken for accounts, and a malformed line is recorded as a gap
// ("/etc/passwd:12", reason) and skipped while the rest of the file is
// still read. A numeric id beyond 32 bits is truncated the way glibc's
// strtoul-and-cast does (4294967296 becomes uid 0) and the raw text is kept,
// because that is a known way to hide a root account.
//
// UID_MIN from /etc/login.defs (default 1000) tells system accounts from
// people's (DB.IsSystem).
//
// Limits: only the files backend is read; LDAP, SSSD, NIS maps and
// systemd-homed/userdb records are not resolved. Files that cannot be read
// (shadow as non-root) are gaps and their DB part stays empty, flagged by
// ShadowRead and friends so that detectors do not mistake "unreadable" for
// "no entry".
package users
