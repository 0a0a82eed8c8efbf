// Package rules embeds Vigil's rule data in the binary: the check catalog
// (rule metadata and texts in English and Simplified Chinese) and, in later
// capabilities, YARA, Sigma and IOC lists.
package rules

import "embed"

// Checks holds checks/*.yaml: one file per category, each a list of rules.
//
//go:embed checks/*.yaml
var Checks embed.FS

// Indicators holds indicators.yaml: the texts of indicator ids that findings
// carry (what matched in a line), in both languages.
//
//go:embed indicators.yaml
var Indicators []byte

// Rootkits holds rootkits.yaml: public Linux rootkits with their source,
// kernel module names, file names and marker strings (grade/rootkits).
//
//go:embed rootkits.yaml
var Rootkits []byte

// CatalogBundle is the catalog (checks, messages, indicators) parsed and
// serialized (internal/catalog/bundle.go): a cache that start-up decodes
// instead of parsing the YAML, used only while it matches the YAML.
//
//go:embed catalog.gob
var CatalogBundle []byte

// Messages holds messages/*.yaml: every text that is not a rule's (gap
// reasons, notes about evidence, the command line's help, notices and
// words), by message id, in both languages.
//
//go:embed messages/*.yaml
var Messages embed.FS

// YARA holds Vigil's own YARA rules (yara/*.yar) as a zstd-compressed tar,
// so that the binary never holds their strings in clear and other scanners
// do not flag it (internal/files/yara reads it; its bundle test rewrites
// it with -update and fails when it differs from yara/*.yar).
//
//go:embed yara/rules.tar.zst
var YARA []byte

// Sigma holds sigma/*.yml: Vigil's own Sigma rules for Linux logs, loaded by
// `vigil logs` (internal/logs/sigma) before any --sigma DIR.
//
//go:embed sigma/*.yml
var Sigma embed.FS
