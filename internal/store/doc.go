// Package store keeps Vigil's history: every scan with its findings and
// gaps, the state of each finding across scans (first seen, last seen, open
// or gone), suppressions, and an append-only audit trail of who suppressed
// what and why.
//
// Store is the interface the rest of Vigil uses; SQLite is the embedded
// implementation (modernc.org/sqlite, pure Go, no server). It runs in WAL
// mode with a busy timeout and immediate write transactions so that two
// vigil processes can write the same file at once, applies versioned schema
// migrations on open, and turns a damaged file, a file written by a newer
// Vigil, or an unwritable directory into a clear error (see errors.go).
// Schema, location and policies: docs/store.md.
//
// Limits: the store holds no texts (titles, explanations): they come from
// the catalog at output time, so a stored scan replays in any language.
package store
