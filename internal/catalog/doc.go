// Package catalog holds the metadata of every rule Vigil can fire, loaded
// from the YAML embedded by package rules: id, default severity and
// confidence, category, ATT&CK technique, and the texts a person reads
// (title, why it matters, how to verify by hand, remediation) in English and
// Simplified Chinese.
//
// Detectors emit rule ids and evidence only; the words come from here, in
// the reader's language, when a handler renders a finding. A test fails when
// a rule lacks either language.
package catalog
