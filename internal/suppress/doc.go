// Package suppress decides which findings a responder has marked as known:
// a false positive, or a risk accepted, always with a reason. A suppression
// names one finding by its fingerprint, or a rule (exact id or a glob such
// as "persistence.kmod.*") optionally narrowed to paths by a glob ("**"
// crosses directories, "*" does not). It may expire; an expired or removed
// suppression stops applying by itself.
//
// The package only matches and reads/writes the YAML exchange format
// (File); the store persists suppressions and their audit trail. It knows
// nothing of the store, so it can be tested with an injected clock alone.
package suppress
