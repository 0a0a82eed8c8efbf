// Package logtamper looks for signs that the logs an incident responder
// relies on were erased or doctored (ATT&CK T1070.002 clear Linux logs,
// T1070.003 clear command history's sibling for login records):
//
//   - a log replaced by a symlink to /dev/null (or a device);
//   - a log that should exist but does not: its rotated copies remain, the
//     syslog configuration writes it while its sibling logs grow, or
//     systemd-tmpfiles creates it at every boot (wtmp, btmp, lastlog);
//   - a log emptied in place: size 0 but modified after its birth time
//     (statx), except where logrotate rotates it with copytruncate;
//   - a current log older than its rotated copy, a wtmp older than its own
//     newest record, a hole in the numbered rotation series;
//   - utmp/wtmp/btmp files that are not a whole number of 384-byte records,
//     or that hold zeroed or malformed records among valid ones (what log
//     cleaners leave); the time window of the wiped records is reported;
//   - lastlog logins that wtmp does not hold (wtmp edited);
//   - journald set to Storage=none, or a persistent journal emptied;
//   - on a live host, log files deleted while a process still writes them.
//
// Limits: it judges tampering, not content (what the logs say is a later
// capability). utmp records are decoded in the x86_64/aarch64 layout
// (little-endian, 32-bit times); big-endian systems are not supported.
// Systems that moved to wtmpdb/lastlog2 are recognised and the classic
// files are not expected there. Emptying is only judged where the
// filesystem keeps a birth time (ext4, xfs, btrfs), except for wtmp.
package logtamper
