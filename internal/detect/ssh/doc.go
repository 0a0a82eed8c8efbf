// Package ssh finds SSH backdoors and weaknesses: public-key backdoors in
// authorized_keys (ATT&CK T1098.004), a tampered sshd (T1556, T1021.004),
// hooks in the client configuration and login rc files, and private keys
// left lying around (T1552.004).
//
// What it reads:
//   - sshd_config with its Include files (globs, relative to /etc/ssh,
//     first value wins as in sshd; settings inside Match blocks are reported
//     with their Match line). Weak or dangerous settings: root login with
//     passwords, empty passwords, AuthorizedKeysFile outside the home,
//     AuthorizedKeysCommand, ForceCommand, PermitUserEnvironment, extra
//     ports, forwarding, UsePAM no.
//   - authorized_keys and authorized_keys2 of every account (homes from the
//     shared users inventory, plus /root, plus every AuthorizedKeysFile
//     pattern with %h %u %U %%): one info inventory finding per key with its
//     SHA256 fingerprint, and graded findings for forced commands (cmdscan),
//     environment= options, keys of service accounts, recently changed root
//     keys, keys shared by several accounts, and files that others can write.
//     Files sshd does not read with the current configuration (a default
//     file AuthorizedKeysFile no longer names, or every file when sshd is
//     not installed) are dormant: listed with the reason, their keys still
//     judged. A line sshd rejects is a graded finding (and a gap).
//   - ~/.ssh/environment, ~/.ssh/rc, /etc/ssh/sshrc, ~/.ssh/config and
//     /etc/ssh/ssh_config(.d): LocalCommand (inert without
//     PermitLocalCommand: low when it points at an odd place),
//     ProxyCommand, KnownHostsCommand and Match exec, high from a
//     temporary, hidden or world-writable place, otherwise inventory.
//     Drop-ins in /etc/ssh/ssh_config.d that ssh_config does not include
//     are dormant: low when they point at such a place.
//   - /usr/sbin/sshd, /usr/bin/ssh and sshd-session: a script in place of
//     the ELF program is the classic SSH wrapper backdoor. Comparing digests
//     with the package is the integrity detector's job.
//   - Private keys in /tmp, /var/tmp, /dev/shm, /var/www, /opt and in homes
//     outside ~/.ssh, by a bounded walk of small files.
//
// Limits: Match criteria are not evaluated (a setting inside Match is
// reported as conditional); sshd's compiled-in defaults are assumed to be
// upstream's (PermitRootLogin prohibit-password, PasswordAuthentication
// yes). Keys served by an AuthorizedKeysCommand are not seen. The private
// key walk stops at fixed depth and entry bounds and says so in a gap.
package ssh
