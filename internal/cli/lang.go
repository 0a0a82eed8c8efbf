package cli

import (
	"errors"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/model"
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
	for i, a := range args {
		if m, ok := a.(error); ok {
			args[i] = g.errWords(m)
		}
	}
	return texts().T(g.Lang(), id, args...)
}

// messager is an error that is also a catalog message (store errors,
// model.MessageError).
type messager interface {
	error
	Message() model.Message
}

// errWords is an error's text in the reader's language when it carries a
// message, keeping any context wrapped around it ("save: ..."); else its
// own text.
func (g *globals) errWords(err error) string {
	var le app.LocalizedError
	if errors.As(err, &le) {
		return keepContext(err, le, le.In(g.Lang()))
	}
	var me messager
	if errors.As(err, &me) {
		return keepContext(err, me, texts().Message(g.Lang(), me.Message()))
	}
	return err.Error()
}

// keepContext replaces inner's text at the end of err's with s.
func keepContext(err, inner error, s string) string {
	if pre, ok := strings.CutSuffix(err.Error(), inner.Error()); ok {
		return pre + s
	}
	return s
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
// fixed form: the message id that says them in the reader's language, with
// the parts the pattern captures as its arguments. An error of theirs that
// no pattern knows is shown as it is.
var cobraErrors = []struct {
	re *regexp.Regexp
	id string
}{
	{regexp.MustCompile(`^unknown (?:shorthand )?flag: (.*)$`), "cli.err.unknown-flag"},
	{regexp.MustCompile(`^flag needs an argument: (.*)$`), "cli.err.needs-arg"},
	{regexp.MustCompile(`^invalid argument "(.*)" for "(.*)" flag: .*(?:invalid syntax|ParseBool).*$`), "cli.err.invalid-number"},
	{regexp.MustCompile(`^invalid argument "(.*)" for "(.*)" flag: .*value out of range.*$`), "cli.err.out-of-range"},
	{regexp.MustCompile(`^invalid argument "(.*)" for "(.*)" flag: (.*)$`), "cli.err.invalid-arg"},
	{regexp.MustCompile(`^accepts (\d+) arg\(s\), received (\d+)$`), "cli.err.args-exact"},
	{regexp.MustCompile(`^requires at least (\d+) arg\(s\), only received (\d+)$`), "cli.err.args-min"},
	{regexp.MustCompile(`^requires at most (\d+) arg\(s\), received (\d+)$`), "cli.err.args-max"},
	{regexp.MustCompile(`^accepts between (\d+) and (\d+) arg\(s\), received (\d+)$`), "cli.err.args-range"},
	{regexp.MustCompile(`^unknown command "?([^"]*)"? for "?([^"]*)"?$`), "cli.err.unknown-command"},
}

// errText is an error as the person reads it: cobra's and pflag's English
// errors in the command's language (our own errors are already rendered
// from the catalog), prefixed "错误：" in Chinese.
func (g *globals) errText(err error) string {
	var le app.LocalizedError
	var me messager
	if errors.As(err, &le) || errors.As(err, &me) {
		return g.t("cli.error", g.errWords(err))
	}
	s, more, _ := strings.Cut(err.Error(), "\n")
	if names, ok := strings.CutPrefix(strings.TrimLeft(more, "\n"), "Did you mean this?\n"); ok {
		// cobra's suggestions for a mistyped command, one name a line
		more = "\n\n" + g.t("cli.err.did-you-mean") + "\n" + names
	} else if more != "" {
		more = "\n" + more
	}
	for _, ce := range cobraErrors {
		if m := ce.re.FindStringSubmatch(s); m != nil {
			args := make([]any, len(m)-1)
			for i, a := range m[1:] {
				args[i] = a
			}
			s = g.t(ce.id, args...)
			break
		}
	}
	return g.t("cli.error", s+more)
}

// langOf is the language of a command being run, for helpers that have the
// cobra command but not the globals: its --lang, else the locale.
func langOf(cmd *cobra.Command) string {
	if f := cmd.Flag("lang"); f != nil && f.Value.String() != "" {
		return catalog.NormalizeLang(f.Value.String())
	}
	return catalog.LangFromEnv(nil)
}
