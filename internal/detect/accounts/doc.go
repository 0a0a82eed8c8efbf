// Package accounts examines the local account database for the marks of
// an intruder who made himself a way back in (ATT&CK T1136.001 create local
// account, T1078.003 valid local accounts, T1098 account manipulation):
// extra UID 0 accounts, root-group accounts that can log in, duplicate ids,
// empty or passwd-resident passwords, accounts present in only one of
// passwd/shadow, accounts created or changed in the last days, members of
// the administrator groups, service accounts given a shell or a password,
// and homes or shells placed in world-writable or hidden directories or
// missing from /etc/shells. NIS compat lines ("+::0:0:::") are reported,
// graded by whether nsswitch.conf makes them active. A password hash in a
// legacy scheme (MD5-crypt, DES) while the system writes a modern one
// (pam_unix's option in the password stack, else ENCRYPT_METHOD) was set by
// hand; a login account whose password date stands a month apart from
// every other account's was added after the fact (low, medium with a fresh
// password, high when its home's start-up files were written within
// minutes of its crontab, a cron file, a unit or a sudoers drop-in, by
// inode change time). An empty /etc/passwd is one finding, not one per
// shadow line.
//
// It reads the shared users inventory (memo "users", which also knows
// UID_MIN from /etc/login.defs), /etc/shells and /etc/nsswitch.conf. Evidence never carries a
// password hash: shadow and passwd lines are redacted.
//
// Limits: directory services (LDAP, SSSD, NIS maps) are not queried;
// "recently changed" relies on shadow's last-change day and file mtimes,
// both of which an intruder can reset.
package accounts
