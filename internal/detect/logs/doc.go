// Package logs is the detector of `vigil logs`: it reads the target's logs
// through internal/logs (the standard places, or the files it is given),
// feeds every event to the rules of internal/logs/rules (and any further
// observers: Sigma rules, IOCs) and emits their findings, so that they go
// through the engine's catalog, fingerprints, suppressions, store and
// handlers like every other finding.
//
// Each log read is also an info finding (logs.source.coverage) counting its
// lines read, parsed and unparsed, with sample unparsed lines, so that a log
// that parsed badly never looks like a quiet log.
//
// It is not in `vigil scan`'s registry: `vigil logs` runs it alone
// (registry.Standalone lists it so that its rules are declared).
package logs
