// Package ioc loads the indicator lists a responder is handed (--ioc FILE,
// repeatable) into one Set with O(1) lookups, each indicator remembering the
// list file and line it came from so that a hit can cite it.
//
// Formats (detected from the content):
//
//   - plain: one indicator a line, its type inferred (MD5, SHA-1, SHA-256,
//     IPv4/IPv6 address, CIDR, domain, URL, absolute path, file name);
//     '#' and '//' start comments; "type:value" / "value,comment" forms of
//     common exports are understood;
//   - CSV with a header naming the type and value columns (MISP and OTX
//     exports: type/value, "Indicator type"/Indicator, ...); composite MISP
//     types such as filename|sha256 give both indicators;
//   - STIX 2.1 bundles: indicator objects whose pattern is a simple
//     comparison, or comparisons joined by OR, on file:hashes.*, file:name,
//     ipv4-addr/ipv6-addr:value, domain-name:value, url:value. Patterns
//     beyond that (AND, FOLLOWEDBY, MATCHES, other objects) are counted and
//     reported, never guessed at.
//
// File hashes are looked up in sets (computed once per file by the walk),
// never turned into YARA rule conditions. Matcher is the file walk's matcher
// for hashes, names and paths; LookupIP, LookupDomain and LookupURL are for
// the network and log checks.
package ioc
