// Package changed answers "what changed since the intrusion?": with
// `vigil scan --changed-since TIME` it lists the files created or changed
// in the window in the places persistence and tools live — /etc, /root,
// the dot-files, .ssh and autostart directories of /home/*, /usr/local,
// /opt, /var/spool/cron, /tmp, /var/tmp, /dev/shm, systemd's directories,
// the system binaries and kernel modules, and the web roots (shared with
// the webroot detector).
//
// A file is listed when its modification, change or birth time (statx
// STATX_BTIME, where the filesystem keeps it) falls at or after TIME;
// a directory only when it was created in the window. Each is an info
// finding with the three times; an executable (or kernel module) that no
// package installed, or a packaged one whose content changed, is graded
// low, or medium in system, writable or hidden directories.
//
// Without --changed-since the detector does nothing. Limits: timestamps
// can be forged (touch -d) except ctime, which only a clock change or raw
// disk editing resets; its part of the scan's one walk (engine.Walker)
// judges each entry's times as the walk meets it and keeps only what
// changed, bounded (depth 20, 500,000 changed entries, 20,000 listed
// files, sorted by path), with a gap when a bound cuts it.
package changed
