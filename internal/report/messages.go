package report

import "github.com/vigil-ir/vigil/internal/catalog"

// words is the catalog the report's fixed words come from
// (rules/messages/report.yaml). The catalog is embedded, so loading it
// cannot fail in a built binary; a nil catalog renders ids.
var words, _ = catalog.Load()

// value localises an enum value shown in the table (confidence, when),
// falling back to the value itself.
func value(lang, prefix, v string) string {
	id := "report." + prefix + "." + v
	if words == nil || !words.HasMessage(id) {
		return v
	}
	return words.T(lang, id)
}

// msg renders the report word key (report.<key>) in lang.
func msg(lang, key string, args ...any) string {
	if words == nil {
		return key
	}
	return words.T(lang, "report."+key, args...)
}
