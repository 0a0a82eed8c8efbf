// Package app holds Vigil's use cases (scan, and later files, logs, vuln,
// contain, collect, report): each wires a target, the engine, the catalog and
// the output handlers together. The cli package parses flags into these
// options; nothing here knows about flags.
package app
