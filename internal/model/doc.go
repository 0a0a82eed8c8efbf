// Package model holds the data types every other Vigil package shares:
// findings and their evidence, severities, coverage gaps and scan metadata.
//
// It is a leaf package: it imports nothing of Vigil's own, so collectors,
// detectors, handlers and the store can all depend on it without cycles.
package model
