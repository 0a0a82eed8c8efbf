// Package cmdscan grades a shell command, a script line or a process
// command line by what it does: downloads piped to a shell, reverse shells,
// encoded or evaluated payloads, execution from world-writable or hidden
// places, miners, anti-forensics, account and key manipulation.
//
// It is shared by every detector that reads "a line that runs" (cron,
// systemd ExecStart, init scripts, rc files, shell histories, process
// command lines), so the same line gets the same grade wherever it hides.
// Each Match carries an indicator id whose text, in English and Chinese,
// lives in rules/indicators.yaml.
//
// Limits: it reads text, not semantics. Variables, aliases and functions
// that assemble a command at run time are caught only through their
// tell-tale parts (eval, base64, /dev/tcp). Patterns are chosen so that
// ordinary administration (a download of a tarball, a find in /tmp, a
// packaged service's reload) does not match.
package cmdscan
