// Package yara is Vigil's YARA engine: the real libyara (4.5, built from
// source by github.com/Velocidex/go-yara through cgo, linked statically, so a
// target never needs a libyara of its own) behind a small API.
//
// Rules are compiled once per run: Vigil's own rules (rules/yara/*.yar,
// embedded zstd-compressed so that the binary never holds their strings in
// clear) plus the user's files given with --rules DIR|FILE. Each user file
// is compiled alone first: a file that does not compile is reported as a
// CompileError with file:line and left out, and the others still run.
//
// A Scanner scans one byte buffer at a time with a timeout; it is not safe
// for concurrent use, so each walk worker takes its own (Rules.NewScanner),
// while the compiled Rules are shared. A Match carries the rule's metadata
// (RuleMeta: severity, ATT&CK technique, description, confidence, family)
// so that findings carry them, and the matched strings, clipped, with their
// offsets.
//
// Rule metadata understood (all optional):
//
//	description = "..."       what the rule finds
//	severity    = "high"      info, low, medium, high, critical
//	score       = 75          (LOKI/THOR style, 0-100) when severity is absent
//	confidence  = "medium"    low, medium, high
//	technique   = "T1505.003" ATT&CK technique (also: mitre_att, attack)
//	family      = "webshell"  webshell, miner, reverse-shell, rootkit, botnet,
//	                          packer, ransom-note: picks the catalog rule id
//
// Rules may use the external variables of LOKI/THOR rule sets: filename,
// filepath, extension (lower case, without the dot), filetype and owner.
package yara
