// Package integrity finds system files that are not what their package
// installed, and privilege-bearing files no package accounts for.
//
//   - Package files: every file with a digest in the package database
//     (dpkg md5sums, rpm file digests, apk Q1) is hashed, two workers at a
//     time, with a streaming buffer per worker. A changed system command
//     (ps, ls, netstat, ss, sshd, login, sudo ...), PAM module, C library or
//     dynamic loader, setuid file, or a command replaced by a wrapper script
//     is critical: the trojaned binaries of a user-mode rootkit or SSH
//     credential stealer. Other changed files are medium (code) or low
//     (documentation, data); a package with many changed files gets one
//     finding. Conffiles are skipped (admins edit them; other checks read
//     their content). Missing files are reported per package, as info,
//     minus what dpkg's path-exclude filters never unpacked. Files moved
//     aside by dpkg-divert are checked at their diverted-to path.
//   - Setuid/setgid files anywhere in the target (not /proc, /sys, /dev
//     except /dev/shm, /run, container storage and snap images, nor nested
//     root filesystems: each is a recorded gap): one no package installed
//     is high, critical in /tmp, /var/tmp, /dev/shm, a home or hidden
//     directory or any world-writable directory; a setuid shell or
//     interpreter, or a byte-for-byte copy of a packaged one, is critical.
//   - World-writable files in command and library directories, and
//     world-writable command directories: high.
//
// Limits: dpkg records no file modes, so a packaged file made setuid is
// caught only for shells and interpreters. Prelinked binaries (old RHEL)
// differ from their digest; they are not undone. Symlinks are never
// followed; unreadable files are gaps.
package integrity
