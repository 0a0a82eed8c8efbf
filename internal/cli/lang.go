package cli

import (
	"strings"

	"github.com/vigil-ir/vigil/internal/catalog"
)

// texts is the embedded catalog: rule texts and every message the command
// line prints. It is part of the binary, so it cannot fail to load in a
// built program; the catalog tests prove it.
func texts() *catalog.Catalog {
	c, err := catalog.Load()
	if err != nil {
		panic("vigil: embedded catalog: " + err.Error())
	}
	return c
}

// t renders message id in the command's language.
func (g *globals) t(id string, args ...any) string {
	return texts().T(g.Lang(), id, args...)
}

// langFromArgs finds --lang in the raw arguments before cobra parses them,
// so that help and flag descriptions are built in the reader's language.
// It returns "" when the arguments do not say.
func langFromArgs(args []string) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--lang="); ok {
			return v
		}
		if a == "--lang" && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}
