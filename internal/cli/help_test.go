package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vigil-ir/vigil/internal/catalog"
)

// helpTexts lists every help text of the command tree (English, from the
// command definitions) by its message id.
func helpTexts() map[string]string {
	root := newRoot(&globals{})
	root.CompletionOptions.DisableDefaultCmd = true
	root.InitDefaultHelpCmd()
	out := map[string]string{}
	var walk func(cmd *cobra.Command)
	walk = func(cmd *cobra.Command) {
		id := helpID(cmd)
		for field, s := range map[string]string{"short": cmd.Short, "long": cmd.Long, "example": cmd.Example} {
			if s != "" {
				out[id+"."+field] = s
			}
		}
		flags := func(fs *pflag.FlagSet) {
			fs.VisitAll(func(f *pflag.Flag) { out[id+".flag."+f.Name] = f.Usage })
		}
		flags(cmd.LocalNonPersistentFlags())
		flags(cmd.PersistentFlags())
		for _, sub := range cmd.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return out
}

// TestHelpTextsInCatalog: every command and flag has its help in
// rules/messages/help.yaml in both languages, and the catalog's English is
// the text in the code. VIGIL_DUMP_HELP=1 prints the entries that are
// missing, as YAML to fill in.
func TestHelpTextsInCatalog(t *testing.T) {
	c := texts()
	shared := sharedFlagHelp(c)
	var missing []string
	for id, en := range helpTexts() {
		if path, name, ok := strings.Cut(id, ".flag."); ok {
			k := flagHelpID(c, shared, path, &pflag.Flag{Name: name, Usage: en})
			if k == "" {
				missing = append(missing, id)
			} else if got := c.T(catalog.English, k); got != en {
				t.Errorf("%s: %s says %q, the code %q", id, k, got, en)
			}
			continue
		}
		if !c.HasMessage(id) {
			missing = append(missing, id)
			continue
		}
		if got := c.T(catalog.English, id); got != en {
			t.Errorf("%s: help.yaml says %q, the code %q", id, got, en)
		}
	}
	if len(missing) > 0 {
		t.Errorf("help texts without a catalog entry (rules/messages/help.yaml): %v", missing)
		if os.Getenv("VIGIL_DUMP_HELP") != "" {
			all := helpTexts()
			for _, id := range missing {
				b, _ := json.Marshal(all[id])
				fmt.Printf("%s:\n  en: %s\n  zh-CN: \"\"\n", id, b)
			}
		}
	}
}

// TestHelpInChinese renders --help of every command in Chinese: cobra's
// own words and every command's and flag's text come from the catalog.
func TestHelpInChinese(t *testing.T) {
	var paths [][]string
	var walk func(cmd *cobra.Command, path []string)
	walk = func(cmd *cobra.Command, path []string) {
		paths = append(paths, path)
		for _, sub := range cmd.Commands() {
			walk(sub, append(append([]string{}, path...), sub.Name()))
		}
	}
	walk(newRoot(&globals{}), nil)
	for _, p := range paths {
		var out, errb bytes.Buffer
		args := append(append([]string{"--lang", "zh-CN"}, p...), "--help")
		if code := Run(context.Background(), args, strings.NewReader(""), &out, &errb); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
		for _, en := range []string{"Usage:", "Flags:", "help for", "Available Commands"} {
			if strings.Contains(out.String(), en) {
				t.Errorf("vigil %s --help in Chinese says %q:\n%s", strings.Join(p, " "), en, out.String())
			}
		}
	}
}
