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
//     on RHEL-like systems).
package harden
