package catalog

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"hash/crc32"
	"io/fs"
	"slices"

	"github.com/vigil-ir/vigil/rules"
)

// The catalog is written in YAML (rules/checks, rules/messages,
// rules/indicators.yaml) and parsing it takes 20-35 ms, the largest part of
// every command's start-up (a `vigil logs` of a few lines took 150 ms).
// rules/catalog.gob is the parsed catalog, decoded in about 5 ms. It is a
// cache, never the source: it carries a checksum of the YAML it was made
// from, and a binary whose YAML differs (a rule edited without
// regenerating) parses the YAML as before, so a stale bundle costs only
// time. TestBundle fails when it is stale, and rewrites it with
//
//	go test ./internal/catalog -run TestBundle -update

// bundle is what rules/catalog.gob holds.
type bundle struct {
	Sum        uint32 // sourceSum of the YAML it was made from
	Rules      map[string]*Rule
	Indicators map[string]map[string]string
	Messages   map[string]map[string]string
	MsgFile    map[string]string
}

// castagnoli is CRC-32C (hardware accelerated): a guard against a stale
// bundle in a developer's build, not against tampering (the binary's own
// data is not an input an attacker chooses; TestBundle compares in full).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// sourceSum is the checksum of the catalog's YAML sources: every file name
// and content of checks and messages, in name order, and the indicators.
func sourceSum(checks, messages fs.FS, indicators []byte) (uint32, error) {
	var sum uint32
	for _, src := range []struct {
		fsys fs.FS
		glob string
	}{{checks, "checks/*.yaml"}, {messages, "messages/*.yaml"}} {
		names, err := fs.Glob(src.fsys, src.glob)
		if err != nil {
			return 0, err
		}
		slices.Sort(names)
		for _, name := range names {
			b, err := fs.ReadFile(src.fsys, name)
			if err != nil {
				return 0, err
			}
			sum = crc32.Update(sum, castagnoli, []byte(name))
			sum = crc32.Update(sum, castagnoli, b)
		}
	}
	return crc32.Update(sum, castagnoli, indicators), nil
}

// encodeBundle serializes c as the bundle of the YAML whose sum is sum.
func encodeBundle(c *Catalog, sum uint32) ([]byte, error) {
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(bundle{Sum: sum, Rules: c.rules,
		Indicators: c.indicators, Messages: c.messages, MsgFile: c.msgFile})
	return buf.Bytes(), err
}

// decodeBundle returns the catalog in b when it was made from the YAML
// whose sum is sum; nil when it is stale, empty or unreadable.
func decodeBundle(b []byte, sum uint32) *Catalog {
	if len(b) == 0 {
		return nil
	}
	var d bundle
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&d); err != nil || d.Sum != sum {
		return nil
	}
	c := &Catalog{rules: d.Rules, indicators: d.Indicators, messages: d.Messages, msgFile: d.MsgFile}
	for _, m := range []*map[string]map[string]string{&c.indicators, &c.messages} {
		if *m == nil {
			*m = map[string]map[string]string{}
		}
	}
	if c.rules == nil {
		c.rules = map[string]*Rule{}
	}
	if c.msgFile == nil {
		c.msgFile = map[string]string{}
	}
	return c
}

// parseEmbedded parses the embedded YAML (the slow path, and the truth).
func parseEmbedded() (*Catalog, error) {
	c, err := Parse(rules.Checks, rules.Indicators)
	if err != nil {
		return nil, err
	}
	if err := c.addMessages(rules.Messages); err != nil {
		return nil, err
	}
	return c, nil
}

// loadEmbedded is the embedded catalog: the bundle when it is fresh, else
// the YAML parsed.
func loadEmbedded() (*Catalog, error) {
	sum, err := sourceSum(rules.Checks, rules.Messages, rules.Indicators)
	if err != nil {
		return nil, fmt.Errorf("catalog sources: %w", err)
	}
	if c := decodeBundle(rules.CatalogBundle, sum); c != nil {
		return c, nil
	}
	return parseEmbedded()
}
