package cli

import (
	"strings"
	"sync"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/termtext"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Help texts live in rules/messages/help.yaml, in both languages, under ids
// derived from the command path: help.<path>.short / .long / .example and
// help.<path>.flag.<name> ("help.ignore.add.flag.reason"; the root is
// "vigil"). The strings in the command definitions are the English
// defaults; TestHelpTextsInCatalog keeps them equal to the catalog's
// English and fails on a command or flag without an entry.

// helpID is the message id prefix of cmd.
func helpID(cmd *cobra.Command) string {
	return "help." + strings.ReplaceAll(cmd.CommandPath(), " ", ".")
}

// lazyHelp prepares root's help in lang: the help command now (cobra
// needs it before it parses), the texts (localizeHelp, from the catalog)
// when help or usage is first shown. A command that shows no help never waits for the catalog
// at start-up (it is decoded meanwhile: catalog.Load).
func lazyHelp(root *cobra.Command, lang string) {
	// Shell completion scripts are not offered: cobra's completion command
	// speaks only English, and a responder types vigil on a host once.
	root.CompletionOptions.DisableDefaultCmd = true
	root.InitDefaultHelpCmd()
	var once sync.Once
	localize := func() { once.Do(func() { localizeHelp(root, lang) }) }
	help, usage := root.HelpFunc(), root.UsageFunc()
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		localize()
		help(c, args)
	})
	root.SetUsageFunc(func(c *cobra.Command) error {
		localize()
		return usage(c)
	})
}

// localizeHelp sets every command's and flag's help text, and cobra's own
// words (Usage:, Flags: ...), to lang, before cobra renders them (lazyHelp
// has set up the help command).
func localizeHelp(root *cobra.Command, lang string) {
	c := texts()
	shared := sharedFlagHelp(c)
	root.SetUsageTemplate(usageTemplate(lang))
	var walk func(cmd *cobra.Command)
	walk = func(cmd *cobra.Command) {
		cmd.InitDefaultHelpFlag()
		if cmd == root {
			cmd.InitDefaultVersionFlag()
		}
		id := helpID(cmd)
		set := func(dst *string, field string) {
			if k := id + "." + field; c.HasMessage(k) {
				*dst = c.T(lang, k)
			}
		}
		set(&cmd.Short, "short")
		set(&cmd.Long, "long")
		set(&cmd.Example, "example")
		flags := func(fs *pflag.FlagSet) {
			fs.VisitAll(func(f *pflag.Flag) {
				switch {
				case f.Name == "help":
					f.Usage = c.T(lang, "help.flag.help", cmd.Name())
				case f.Name == "version" && cmd == root:
					f.Usage = c.T(lang, "help.flag.version", cmd.Name())
				default:
					if k := flagHelpID(c, shared, id, f); k != "" {
						f.Usage = c.T(lang, k)
					}
				}
			})
		}
		flags(cmd.LocalNonPersistentFlags())
		flags(cmd.PersistentFlags())
		for _, sub := range cmd.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// sharedFlagHelp indexes the shared flag help ids (help.flag.<name> and
// help.flag.<name>.<x>) by flag name, so that localizing every flag of
// every command at start-up does not walk the whole catalog per flag.
func sharedFlagHelp(c *catalog.Catalog) map[string][]string {
	out := map[string][]string{}
	for _, k := range c.MessageIDs() {
		rest, ok := strings.CutPrefix(k, "help.flag.")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(rest, ".")
		out[name] = append(out[name], k)
	}
	return out
}

// flagHelpID is the message id of flag f of the command with help id
// prefix id: help.<path>.flag.<name>, else a shared help.flag.<name>[.x]
// (from shared, sharedFlagHelp's index) whose English is the flag's text;
// "" when the catalog has none.
func flagHelpID(c *catalog.Catalog, shared map[string][]string, id string, f *pflag.Flag) string {
	if k := id + ".flag." + f.Name; c.HasMessage(k) {
		return k
	}
	for _, k := range shared[f.Name] {
		if c.T(catalog.English, k) == f.Usage {
			return k
		}
	}
	return ""
}

// usageTemplate is cobra's default usage template with its words in lang.
func usageTemplate(lang string) string {
	c := texts()
	w := func(id string) string { return c.T(lang, "help.tmpl."+id) }
	useLine := strings.NewReplacer("[flags]", w("flags_placeholder"), "[command]", w("command_placeholder"))
	suffix := strings.ReplaceAll(lang, "-", "_")
	cobra.AddTemplateFunc("vigilUseLine_"+suffix, useLine.Replace)
	cobra.AddTemplateFunc("vigilFlags_"+suffix, func(fs *pflag.FlagSet) string { return flagUsages(fs, lang) })
	return w("usage") + `{{if .Runnable}}
  {{vigilUseLine_` + strings.ReplaceAll(lang, "-", "_") + ` .UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} ` + w("command_placeholder") + `{{end}}{{if gt (len .Aliases) 0}}

` + w("aliases") + `
  {{.NameAndAliases}}{{end}}{{if .HasExample}}

` + w("examples") + `
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

` + w("commands") + `{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

` + w("flags") + `
{{vigilFlags_` + suffix + ` .LocalFlags | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

` + w("global_flags") + `
{{vigilFlags_` + suffix + ` .InheritedFlags | trimTrailingWhitespaces}}{{end}}{{if .HasHelpSubCommands}}

` + w("help_topics") + `{{range .Commands}}{{if .IsAdditionalHelpTopicCommand}}
  {{rpad .CommandPath .CommandPathPadding}} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableSubCommands}}

` + w("more") + `{{end}}
`
}

// flagUsages is pflag's FlagUsages with its words (value types, "default")
// in lang: pflag writes them in English only.
func flagUsages(fs *pflag.FlagSet, lang string) string {
	if lang == catalog.English {
		return fs.FlagUsages()
	}
	c := texts()
	var lines []string
	width := 0
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		line := "      --" + f.Name
		if f.Shorthand != "" {
			line = "  -" + f.Shorthand + ", --" + f.Name
		}
		if t := f.Value.Type(); t != "bool" {
			typ := t
			if k := "help.type." + t; c.HasMessage(k) {
				typ = c.T(lang, k)
			}
			line += " " + typ
			if f.NoOptDefVal != "" {
				line += "[=\"" + f.NoOptDefVal + "\"]"
			}
		}
		line += "\x00" + f.Usage
		if d := f.DefValue; d != "" && d != "false" && d != "[]" && d != "0" {
			line += c.T(lang, "help.default", d)
		}
		head, _, _ := strings.Cut(line, "\x00")
		width = max(width, termtext.Width(head))
		lines = append(lines, line)
	})
	var b strings.Builder
	for _, l := range lines {
		head, usage, _ := strings.Cut(l, "\x00")
		b.WriteString(head + strings.Repeat(" ", width-termtext.Width(head)+3) + usage + "\n")
	}
	return b.String()
}
