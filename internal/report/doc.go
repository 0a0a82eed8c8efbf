// Package report holds the output handlers a scan streams into: a human
// table (default), JSON (one document) and JSONL (one object per line).
// Every handler renders finding texts from the catalog in the chosen
// language; JSON keys, rule ids and enum values never change with it.
// The JSON format is documented in docs/json-schema.md.
package report
