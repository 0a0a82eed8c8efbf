// Package files is the engine detector of the one file walk
// (internal/files): it chooses the places to walk, runs the matchers over
// them — the webshell heuristics (internal/files/webshell), the ransomware
// signs (internal/files/ransom) and any matcher given in Config (YARA, hash
// IOCs) — and turns their hits into findings, so that the catalog,
// fingerprints, suppressions and the store work as for every check.
//
// It is a part of the scan's one walk (engine.Walker): Walks plans the file
// walk (files.NewScan) and gives the engine its spec, whose Visit and
// Content judge and read the files during the walk (hits become findings
// as they come); Run waits for the walk, finishes the file walk and
// reports its coverage.
//
// A plain `vigil scan` runs it bounded (bytes, files, time) over the web
// roots and the staging directories; `vigil files` and `vigil scan --files`
// run it wide (Config.Wide: the default places, or the paths given).
//
// Known-good suppression: a hit on a file that an installed package owns
// and whose digest matches the package database is not reported (counted
// in the coverage as known-good). Vigil's own binary, output and store are
// never read. Every walk ends with an info finding (files.coverage) that
// says what was seen, read, hashed and skipped, and why.
package files
