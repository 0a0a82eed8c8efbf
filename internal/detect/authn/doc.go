// Package authn examines how the host decides who may become root or log
// in: sudo's policy (/etc/sudoers and its includes) and PAM's stacks
// (/etc/pam.d, /etc/pam.conf). ATT&CK T1548.003 (sudo), T1556.003 (PAM).
//
// sudo: NOPASSWD rules are graded by what they allow — any command, a
// program with a shell escape (shells, interpreters, editors, pagers, find,
// env ...), one that writes or reads any file as root, a program in a
// place its user can replace, SETENV — and by who gets them: everyone or a
// service account (critical), an ordinary user (high), an administrator who
// could already sudo with a password (medium; low for cloud-init's default
// user). A scoped NOPASSWD command is inventory. Root-equivalent grants
// with a password to non-administrators, Defaults that drop authentication
// or keep LD_PRELOAD-like variables, !env_reset, a writable secure_path and
// sudoers files not owned by root or writable by others are reported too.
//
// PAM: pam_exec and pam_script lines (critical when the program is in a
// writable or hidden place or receives the password), modules loaded by
// absolute path from outside the system module directories, pam_permit
// made sufficient (or jumping over the real checks) in an auth stack,
// modules that exist in no module directory, and referenced modules no
// package installed. A file that is exactly as its package shipped it
// (pkgdb Pristine) is known-good and not graded; whether the module
// binaries themselves were modified is the integrity check's job.
//
// Limits: host lists and Runas_Alias in sudoers are not evaluated against
// this host; sudo's LDAP/SSSD rules are not read; PAM stacks are graded line
// by line, not simulated.
package authn
