// Package sigma evaluates Sigma rules (the SigmaHQ format, through
// github.com/bradleyjkemp/sigma-go) on the normalised log events of
// internal/logs. It loads Vigil's own rules (rules/sigma, embedded) and any
// directory the user names (`vigil logs --sigma DIR`); a rule file that does
// not parse is a Problem naming the file, and the other rules still load.
//
// Only rules for Linux log sources are kept: product linux (services auth,
// sshd, sudo, su, cron, syslog, auditd; categories process_creation and
// none), category webserver, products nginx and apache. Rules for other
// platforms are counted in Set.Skipped, not evaluated.
//
// # Field mapping
//
// Each event is presented to the rules as a flat map (one reused map per
// Set: no allocation per event beyond the strings):
//
//	every source      _raw, message, Message  the raw line
//	                  Source, Program, Kind, Host, User (Actor), Object,
//	                  SourceIp / src_ip (SrcIP), Outcome, pid
//	                  every key of Event.Fields, verbatim (audit: type,
//	                  exe, comm, key, a0 ... as auditd writes them)
//	process_creation  CommandLine (Fields command, or a cron command),
//	                  Image (its first word), User, CurrentDirectory (pwd)
//	webserver         cs-method, cs-uri-stem (path), cs-uri-query,
//	                  cs-uri (path?query), sc-status, cs-bytes (bytes),
//	                  c-ip, c-useragent / cs-user-agent, cs-referer
//
// Sigma keyword searches (a list of strings without a field), which
// sigma-go does not evaluate, are rewritten on load into a "contains" match
// on the raw line. Aggregations (count() by ...) are not supported: a rule
// with one is a Problem.
package sigma
