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
// user). A scoped NOPASSWD command is inventory, and so is a grant that
// still asks for the password (like Debian's own %sudo line) unless it is a
// service account's. Defaults that drop authentication, keep LD_PRELOAD-like
// variables, !env_reset, a writable secure_path, credentials kept forever or
// for hours (timestamp_timeout) or shared between terminals (!tty_tickets,
// timestamp_type=global), !requiretty, and sudoers files not owned by root
// or writable by others are reported too. Dormant grants are graded the
// same, with the reason in the evidence ("dormant"): files in
// /etc/sudoers.d whose name sudo skips (a dot, a trailing '~'), a drop-in
// directory /etc/sudoers does not include, and every policy file when sudo
// itself is not installed.
//
// PAM, in every file of /etc/pam.d and in /etc/pam.conf: pam_exec and
// pam_script lines (critical when the program is in a writable or hidden
// place or receives the password), modules loaded by absolute path from
// outside the system module directories or that others than root can
// replace, pam_permit made sufficient (or jumping over the real checks, or
// alone) in an auth stack, pam_succeed_if made sufficient with a condition
// every account meets (uid >= 0, user != a name no account has), modules
// that exist in no module directory, and modules no package installed
// (critical). Display-manager greeter and autologin stacks are
// passwordless by design (low). A file that is exactly as its package shipped it
// (pkgdb Pristine) is known-good and not graded; whether the module
// binaries themselves were modified is the integrity check's job.
//
// Limits: host lists and Runas_Alias in sudoers are not evaluated against
// this host; sudo's LDAP/SSSD rules are not read; PAM stacks are graded line
// by line, not simulated.
package authn
