package report

import "github.com/vigil-ir/vigil/internal/catalog"

// words is the catalog the report's fixed words come from
// (rules/messages/report.yaml). The catalog is embedded, so loading it
// cannot fail in a built binary; a nil catalog renders ids. Loaded when
// first needed, not at start-up (see catalog.Load).
func words() *catalog.Catalog {
	c, _ := catalog.Load()
	return c
}

// value localises an enum value shown in the table (confidence, when),
// falling back to the value itself.
func value(lang, prefix, v string) string {
	id := "report." + prefix + "." + v
	w := words()
	if w == nil || !w.HasMessage(id) {
		return v
	}
	return w.T(lang, id)
}

// msg renders the report word key (report.<key>) in lang.
func msg(lang, key string, args ...any) string {
	w := words()
	if w == nil {
		return key
	}
	return w.T(lang, "report."+key, args...)
}
