// Package pkgdb reads the target's package database straight from its files
// (never by running dpkg, rpm or apk) and answers the questions detectors
// ask about a file: which package installed it (Owner), what digest the
// package recorded for it (Digest), whether it is a configuration file the
// admin may edit (IsConffile), and whether its content is still what the
// package shipped (Pristine, Verify).
//
// Formats:
//   - dpkg: /var/lib/dpkg/status (packages, conffiles with md5),
//     info/*.list (ownership), info/*.md5sums (digests) and diversions
//     (a diverted package file lives at the diverted-to path).
//   - rpm: the header blobs of rpmdb.sqlite (RHEL 9, Fedora), BerkeleyDB
//     Packages (RHEL/CentOS 7 and 8) and ndb Packages.db (SUSE), under
//     /var/lib/rpm or /usr/lib/sysimage/rpm: names, file lists, per-file
//     digests (md5/sha1/sha256/sha512 as FILEDIGESTALGO says) and %config.
//   - apk: /lib/apk/db/installed (P:, F:, R:, Z: Q1 sha1).
//
// Paths are matched across merged-/usr: when /bin is a symlink to usr/bin
// on the target, /bin/ls and /usr/bin/ls are the same key, whichever
// spelling the package used.
//
// Limits: one database is read (the first of dpkg, rpm, apk that holds
// packages). A database that cannot be read or parsed is recorded as a gap,
// never as "no packages". Directories are owned but carry no digest.
// The DB is read-only after Load and safe for concurrent use; Pristine
// results are cached.
package pkgdb
