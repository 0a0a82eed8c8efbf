// Package tools finds the tools intruders bring to a host, by file name and
// by the strings only their builds contain, in the places they are dropped:
// /tmp, /var/tmp, /dev/shm, /root, /home/*, /usr/local/bin and sbin,
// /etc/cron*, /opt (in that order).
//
//   - tunnels and proxies (frp, nps/npc, EarthWorm, chisel, gost, ngrok,
//     iox, Venom, Stowaway, ligolo-ng, pingtunnel, reGeorg) — ATT&CK T1572,
//     T1090 — and their configurations or start commands, reporting the
//     server they connect to: a public address is graded critical;
//   - scanners and brute forcers (fscan, masscan, zmap, nmap, hydra, medusa,
//     kunpeng, xray, nuclei, sqlmap, gobuster, ffuf, linpeas, pspy) — T1046;
//   - miners (XMRig, cpuminer, nanominer, T-Rex ...) and their pool
//     configurations or stratum URLs — T1496;
//   - copies of the packaged curl, wget, nc, ncat, socat or busybox (same
//     sha256) under another name or in a writable place, and static builds
//     of them recognised by their strings — T1036.003;
//   - archives staged for exfiltration in /tmp, /var/tmp, /dev/shm and web
//     roots: larger than 50 MB or named after the data they hold — T1560.
//
// Files a package installed are never judged. Markers are stored split so
// that Vigil's own binary does not match them, and a file holding the
// markers of more than three tools is taken for a detection tool.
//
// Limits: outside /tmp, /var/tmp and /dev/shm a file is opened only when
// it is executable, a configuration or script type, or named like a tool:
// a non-executable binary under an innocent name in a home is not read.
// The walk is bounded (depth 10, 300,000 files; .git,
// node_modules and build caches — go-build, npm, cargo, rustup — are not
// entered, nor is shell history read: the history check owns it); binaries over 128 MiB and those past a
// 1 GiB content budget are judged by name and hash only; each limit
// leaves a gap. Packed or stripped builds without their strings are only
// found by name.
package tools
