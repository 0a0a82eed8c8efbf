// Package vuln is Vigil's vulnerability half: which installed distribution
// packages carry known vulnerabilities, how urgent each is, and what to do.
//
// Subpackages:
//   - advisory: the advisory data model and its importers, one per source
//     format (OSV, the Debian security tracker, CISA KEV, EPSS);
//   - version: the distributions' own version orderings (dpkg, rpm, apk);
//   - match: the matcher, a detector over the target's package inventory
//     with the advisory index injected (it never sees the store).
package vuln
