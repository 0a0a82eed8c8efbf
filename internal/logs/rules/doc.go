// Package rules judges the stream of normalised log events (model.Event)
// that the parsers of internal/logs produce: stateful, windowed rules that
// turn bursts and sequences into graded findings, with the first and last
// log line of each burst, the count and the window as evidence.
//
// Rules (ids in rules/checks/logs-content.yaml, both languages):
//
//   - SSH: brute force per source address and per user (Config.Brute*),
//     password spraying (one source, many users), a successful login after
//     failures from the same source (likely compromise, graded high),
//     first-seen source addresses and users (relative to the first
//     Config.LearnFor of the stream), root logins, logins at hours the
//     account never used before, invalid users.
//   - Accounts and privilege: new users and groups, password changes, sudo
//     to a shell, su to root, edits of sudoers.
//   - Log tampering: silent gaps in a busy log (inside a file and across
//     its rotations: Set.Begin names a log's files), holes in the rotation
//     series and files cut short (Set.End), audit rules deleted or the
//     audit daemon stopped by a logged-in user, commands that clear logs;
//     wtmp/btmp consistency (zeroed records, time running backwards,
//     lastlog logins wtmp no longer holds: utmp.go); shell history sent
//     nowhere (histoff.go).
//   - Web (web.go): injection, traversal, scanners, webshell requests,
//     unusual response sizes, folded per source.
//
// Memory is bounded whatever the size of the logs: per-key state lives in
// maps capped at Config.MaxKeys entries; a full map first forgets keys whose
// window has passed, then stops tracking new keys and says so in
// Set.Problems (a gap, never a silent loss). Findings are folded per key
// (per source address, per user), so ten thousand failures make one finding
// that counts them.
//
// The package imports only model: the detector (internal/detect/logs) feeds
// it events and passes its findings to the engine.
package rules
