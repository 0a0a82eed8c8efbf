// Package engine runs detectors over a target and streams their findings
// and coverage gaps to a Sink.
//
// A detector is a small plugin: a name and version (stamped into every
// finding for provenance), the rule ids it can fire (so a test can hold the
// catalog complete), whether it needs a live host, and Run. The engine
// gives each detector its own Env: the target, a shared memo for
// inventories several detectors read (accounts, package databases), and
// Emit / Gap to report. The engine fills catalog defaults and the
// fingerprint, counts per-check status, and never lets one detector's
// failure or panic hide the others' results.
package engine
