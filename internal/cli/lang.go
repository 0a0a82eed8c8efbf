package cli

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"
	"github.com/vigil-ir/vigil/internal/app"
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

// cobraErrors are the errors cobra and pflag write in English, by their
// fixed start: the message id that says the rest in the reader's language.
var cobraErrors = []struct{ prefix, id string }{
	{"unknown flag: ", "cli.err.unknown-flag"},
	{"unknown shorthand flag: ", "cli.err.unknown-flag"},
	{"flag needs an argument: ", "cli.err.needs-arg"},
	{"invalid argument ", "cli.err.invalid-arg"},
	{"accepts ", "cli.err.args"},
	{"requires at least ", "cli.err.args"},
	{"requires at most ", "cli.err.args"},
	{"unknown command ", "cli.err.unknown-command"},
}

// errText is an error as the person reads it: cobra's and pflag's English
// errors in the command's language (our own errors are already rendered
// from the catalog), prefixed "错误：" in Chinese.
func (g *globals) errText(err error) string {
	var le app.LocalizedError
	if errors.As(err, &le) {
		// Keep any context wrapped around it ("--new: ...").
		whole, own := err.Error(), le.Error()
		s := le.In(g.Lang())
		if pre, ok := strings.CutSuffix(whole, own); ok {
			s = pre + s
		}
		return g.t("cli.error", s)
	}
	s := err.Error()
	for _, ce := range cobraErrors {
		rest, ok := strings.CutPrefix(s, ce.prefix)
		if !ok {
			continue
		}
		switch ce.id {
		case "cli.err.args":
			s = g.t(ce.id, s)
		case "cli.err.unknown-command":
			cmd, parent, _ := strings.Cut(rest, " for ")
			s = g.t(ce.id, cmd, parent)
		default:
			s = g.t(ce.id, rest)
		}
		break
	}
	return g.t("cli.error", s)
}

// langOf is the language of a command being run, for helpers that have the
// cobra command but not the globals: its --lang, else the locale.
func langOf(cmd *cobra.Command) string {
	if f := cmd.Flag("lang"); f != nil && f.Value.String() != "" {
		return catalog.NormalizeLang(f.Value.String())
	}
	return catalog.LangFromEnv(nil)
}
