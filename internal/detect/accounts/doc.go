// Package accounts examines the local account database for the marks of
// an intruder who made himself a way back in (ATT&CK T1136.001 create local
// account, T1078.003 valid local accounts, T1098 account manipulation):
// extra UID 0 accounts, root-group accounts that can log in, duplicate ids,
// empty or passwd-resident passwords, accounts present in only one of
// passwd/shadow, accounts created or changed in the last days, members of
// the administrator groups, service accounts given a shell or a password,
// and homes or shells placed in world-writable or hidden directories or
// missing from /etc/shells. NIS compat lines ("+::0:0:::") are reported,
// graded by whether nsswitch.conf makes them active.
//
// It reads the shared users inventory (memo "users", which also knows
// UID_MIN from /etc/login.defs), /etc/shells and /etc/nsswitch.conf. Evidence never carries a
// password hash: shadow and passwd lines are redacted.
//
// Limits: directory services (LDAP, SSSD, NIS maps) are not queried;
// "recently changed" relies on shadow's last-change day and file mtimes,
// both of which an intruder can reset.
package accounts
