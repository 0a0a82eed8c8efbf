package catalog

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// sourceIDs finds the message ids the code names literally:
// model.Msg("id", ...), the CLI's g.t("id", ...) and the table helpers
// word(lang, "k") (word.k) and msg(lang, "k") (report.k).
var sourceIDs = []struct {
	re     *regexp.Regexp
	pkg    string // only in this directory, when set
	prefix string
}{
	{regexp.MustCompile(`model\.Msg\("([^"]+)"`), "", ""},
	{regexp.MustCompile(`\bg\.t\("([^"]+)"`), "", ""},
	{regexp.MustCompile(`\.T\([a-zA-Z.()]+, "([^"]+)"`), "", ""},
	{regexp.MustCompile(`\bword\([a-zA-Z.()]+, "([^"]+)"`), "internal/cli", "word."},
	{regexp.MustCompile(`\bmsg\(lang, "([^"]+)"`), "internal/report", "report."},
}

// TestEveryMessageIDInTheSourceExists fails when code names a message id
// the catalog lacks: it would show as an id instead of a sentence.
func TestEveryMessageIDInTheSourceExists(t *testing.T) {
	if _, err := os.Stat("../../go.mod"); err != nil {
		t.Skip("not in the source tree")
	}
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	err = filepath.WalkDir("../..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != "../.." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		code := stripComments(string(b))
		for _, s := range sourceIDs {
			if s.pkg != "" && filepath.ToSlash(filepath.Dir(p)) != "../../"+s.pkg {
				continue
			}
			for _, m := range s.re.FindAllStringSubmatch(code, -1) {
				if strings.HasSuffix(m[1], ".") || strings.HasSuffix(m[1], "_") {
					continue // a prefix completed at run time ("act_"+action)
				}
				seen++
				if id := s.prefix + m[1]; !c.HasMessage(id) {
					t.Errorf("%s names message %q, which rules/messages/*.yaml does not define", p, id)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen == 0 {
		t.Fatal("no message ids found in the source")
	}
}

// stripComments drops // comment lines (doc examples name made-up ids).
func stripComments(src string) string {
	var b strings.Builder
	for _, line := range strings.Split(src, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "//") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}
