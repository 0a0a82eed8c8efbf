// Package harden is the system part of the hardening baseline (vigil
// harden): the configuration a CIS-style benchmark and the seeds ask for,
// judged whoever wrote it — the distribution's defaults included. It is
// not part of a triage scan, which reports traces of intrusion and must
// stay quiet on a stock system; `vigil harden` runs it (with the sshd
// part, internal/detect/ssh.Baseline) and `vigil scan --harden` adds it.
// Saved like every scan, its findings make configuration drift a diff.
//
// What it judges:
//
//   - harden.password.min-length: the minimum password length the PAM
//     password stack enforces (pam_pwquality / pam_cracklib minlen, their
//     configuration file, else pam_unix's), below 12 as the seeds ask;
//   - harden.password.classes: the stack does not make passwords mix
//     letters, digits and symbols (pam_pwquality / pam_cracklib
//     dcredit, ucredit, lcredit, ocredit negative or minclass; arguments
//     over pwquality.conf; enforcing = 0 requires nothing). pam_passwdqc's
//     own scheme is not judged;
//   - harden.password.max-age: PASS_MAX_DAYS of login.defs above 365 days;
//   - harden.firewall.none: no firewall configured to start (nftables
//     rules with a drop or reject, iptables-persistent rules, ufw or
//     firewalld enabled). Configuration only: a ruleset loaded by hand is
//     not read (the finding says so);
//   - harden.coredump.enabled: core dumps not disabled (no hard core 0
//     limit, systemd-coredump storing them);
//   - harden.sysctl.unsafe: kernel settings below the baseline. On the
//     live host the values in effect (/proc/sys); on an offline root only
//     what its sysctl files set (kernel defaults differ between builds);
//   - harden.updates.none: no automatic security updates
//     (unattended-upgrades on Debian and Ubuntu, dnf-automatic or yum-cron
//     on RHEL-like systems);
//   - harden.perm.world-writable-file, harden.perm.world-writable-dir:
//     regular files every user may write, directories every user may write
//     without the sticky bit (places.WorldWritable), in /etc, /boot, /root
//     (high), /opt, /srv, /var, /usr/local, /usr/share, /usr/include,
//     /usr/src (medium). Not walked: the command and library directories
//     (the integrity check reports them), temporary directories
//     (places.Temporary), container and snap storage; a bounded walk
//     (entries, depth) with a gap when cut short;
//   - harden.net.listen-all: TCP services of the host's network namespace
//     listening on every interface (0.0.0.0 or ::), one finding per port.
//     Live host only (an offline root has no sockets: a gap says so); the
//     program owning the port is named by vigil scan's network.listen.
package harden
