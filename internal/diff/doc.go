// Package diff compares two scans of the same target by fingerprint: what
// is new, what is gone, what changed severity, and what could not be
// re-checked (its check did not complete in the newer scan, so its absence
// proves nothing). It renders the comparison as a table in the reader's
// language or as JSON. It reads model.Result values only: where they come
// from (the store) is the caller's business.
package diff
