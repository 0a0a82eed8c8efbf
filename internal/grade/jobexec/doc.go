// Package jobexec grades "something the system runs unattended" for the
// schedule (cron, at, logrotate) and services (systemd, SysV, inetd)
// detectors, so that a command gets the same grade whether it hides in a
// crontab or in a unit file.
//
// Grade runs every command line through cmdscan, then looks at the programs
// the line starts (through wrappers such as nice, timeout, flock, env and
// shell or interpreter invocations): a program in a world-writable or hidden
// place raises the grade, and a small text script it runs that no package
// installed (or one changed since) is read one level deep and graded line by
// line. A program that runs as root but that a non-root account can change
// is reported separately (Writable), as a privilege weakness rather than a
// sign of compromise.
//
// Ownership questions use the shared pkgdb inventory; "root" for file
// ownership is the owner of the target's "/" (uid 0 on a real system), so
// that a root filesystem extracted by an unprivileged analyst does not make
// every file look user-owned.
//
// Limits: variables, command substitutions and systemd specifiers are not
// expanded; relative program names are not looked up in PATH; followed
// scripts are read one level deep, up to 1 MiB, text only.
package jobexec
