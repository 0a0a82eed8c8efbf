// Package hooks finds programs that the system runs as root when something
// happens (ATT&CK T1546 event triggered execution, T1037 boot or logon
// scripts): udev rules (RUN, PROGRAM, IMPORT{program}) on device events,
// update-motd.d scripts at every SSH login, APT and dpkg hooks (Pre-Invoke,
// Post-Invoke, Pre-Install-Pkgs, Dir::Bin, proxy auto-detect, dpkg
// pre-/post-invoke and status-logger) on every package operation, and
// network scripts (NetworkManager dispatcher, ifupdown if-*.d and
// /etc/network/interfaces up/down commands, ppp ip-up.d, dhclient hooks,
// networkd-dispatcher) when a link changes.
//
// Each command is graded by cmdscan and by what it runs: a shell or an
// interpreter one-liner, a network client, a program in a world-writable or
// hidden place. A file that a package installed and that is unchanged
// (pkgdb Pristine) is known-good and not read; a hook no package installed
// is reported even when its command looks ordinary, because that is exactly
// what an intruder adds. Evidence carries the path, line, owning package,
// the user (root) and When: event, login or update.
//
// Limits: udev variables and substitutions (%k, $env{...}) are not
// expanded; APT #include is followed one level under /etc; programs a hook
// calls are graded by their path and ownership, not read. rc.local, cron,
// systemd units, sshd and PAM belong to other checks.
package hooks
