package files

import (
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// corpusFiles lists the web files of a corpus archive (target paths).
func corpusFiles(t testing.TB, name string) []string {
	t.Helper()
	ar, err := txtar.ParseFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range ar.Files {
		if strings.HasPrefix(f.Name, "var/") {
			out = append(out, "/"+f.Name)
		}
	}
	return out
}

// runAll runs the plain scan's detector on a corpus, every finding
// reported (no folding of a rule that fires often).
func runAll(t testing.TB, arch string) enginetest.Result {
	tg := target.NewUnchecked(testutil.RootFromTxtar(t, "testdata/"+arch), false)
	return enginetest.RunTarget(t, New(), tg, engine.Options{MaxPerRule: -1})
}

// TestCorpusWebshellsFire: every web shell of the corpus is reported at
// high severity or above by the plain scan's bounded walk.
func TestCorpusWebshellsFire(t *testing.T) {
	r := runAll(t, "webshells.txtar")
	worst := map[string]model.Finding{}
	for _, f := range r.Findings {
		if w, ok := worst[f.Evidence.Path]; !ok || f.Severity > w.Severity {
			worst[f.Evidence.Path] = f
		}
	}
	files := corpusFiles(t, "webshells.txtar")
	missed := 0
	for _, p := range files {
		f, ok := worst[p]
		if !ok || f.Severity < model.High {
			missed++
			t.Errorf("%s: not reported at high (best: %s %s)", p, f.RuleID, f.Severity)
		}
	}
	t.Logf("detection: %d of %d web shells at high or above", len(files)-missed, len(files))
}

// TestCorpusCleanQuiet: the clean application code gives no finding at
// low or above.
func TestCorpusCleanQuiet(t *testing.T) {
	r := runAll(t, "clean-apps.txtar")
	enginetest.Quiet(t, r.Findings, model.Low)
	files := corpusFiles(t, "clean-apps.txtar")
	flagged := map[string]bool{}
	for _, f := range r.AtLeast(model.Low) {
		flagged[f.Evidence.Path] = true
	}
	t.Logf("false positives: %d of %d clean files", len(flagged), len(files))
	cov := r.Find(RuleCoverage)
	if len(cov) != 1 || cov[0].Evidence.Extra["content_scanned"] == "0" {
		t.Errorf("coverage finding: %+v", cov)
	}
}

// TestCorpusRates writes the rates for docs/benchmarks.md when asked
// (VIGIL_CORPUS_RATES=FILE).
func TestCorpusRates(t *testing.T) {
	out := os.Getenv("VIGIL_CORPUS_RATES")
	if out == "" {
		t.Skip("set VIGIL_CORPUS_RATES=FILE to write the corpus rates")
	}
	var lines []string
	for _, c := range []struct{ name, arch string }{{"web shells", "webshells.txtar"}, {"clean", "clean-apps.txtar"}} {
		r := runAll(t, c.arch)
		hit := map[string]bool{}
		for _, f := range r.AtLeast(model.High) {
			hit[f.Evidence.Path] = true
		}
		files := corpusFiles(t, c.arch)
		n := 0
		for _, p := range files {
			if hit[p] {
				n++
			}
		}
		lines = append(lines, c.name+": "+itoa(n)+" of "+itoa(len(files))+" files reported at high or above")
	}
	sort.Strings(lines)
	if err := os.WriteFile(out, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
