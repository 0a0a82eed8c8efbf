// Package evidence collects evidence from a target into one signed archive
// and checks such archives: collection profiles (profile.go), the archive
// writer that hashes while it streams (archive.go), the manifest and its
// Ed25519 signature (manifest.go, key.go), the volatile part of a live
// host (volatile.go), verification (verify.go) and disk imaging
// (image.go).
//
// Every read of the examined system goes through internal/target: on a
// mounted root every path resolves inside the root and nothing of the
// analysing machine enters the archive (the volatile part is live-only).
// Nothing is written to the target; the caller chooses where the archive
// goes (internal/app refuses a place inside a --root target).
package evidence
