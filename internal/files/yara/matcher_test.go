package yara

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/files"
	"github.com/vigil-ir/vigil/internal/files/filestest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// TestMatcherInTheWalk: the matcher in the one file walk, on a root with a
// web shell, a reverse shell script and clean files, with a user rule
// file that compiles and one that does not.
func TestMatcherInTheWalk(t *testing.T) {
	root := t.TempDir()
	put := func(p, from string) {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		filestest.Put(t, root, p, b)
	}
	put("var/www/html/wp-content/uploads/x.php", "testdata/corpus/bad/Vigil_PHP_Eval_Request.1.php")
	put("var/tmp/.s/run.sh", "testdata/corpus/bad/Vigil_Reverse_Shell_Script.1.sh")
	put("var/www/html/index.php", "testdata/corpus/clean/wp-form.php")
	put("opt/app/healthcheck.sh", "testdata/corpus/clean/healthcheck.sh")
	if err := os.WriteFile(filepath.Join(root, "empty"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	rules := writeRules(t, map[string]string{"mine.yar": userRule, "broken.yar": "rule X {\n condition: nope\n}\n"})
	if err := os.WriteFile(filepath.Join(root, "opt/app/notes.txt"), []byte("vigil-test-marker-7f3a"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, bad, err := Load([]string{rules}, false)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMatcher(r, bad, 0)
	rep := &filestest.Reporter{}
	files.Walk(context.Background(), target.NewUnchecked(root, false), []files.Matcher{m}, rep, files.Options{Roots: []string{"/"}})
	got := map[string]files.Hit{}
	for _, h := range rep.Hits {
		got[h.Path+" "+h.Rule] = h
	}
	for _, want := range []string{
		"/var/www/html/wp-content/uploads/x.php files.yara.webshell",
		"/var/tmp/.s/run.sh files.yara.reverse-shell",
		"/opt/app/notes.txt files.yara.match",
	} {
		h, ok := got[want]
		if !ok {
			t.Errorf("no hit %s (got %v)", want, rep.Hits)
			continue
		}
		if h.Extra["yara_rule"] == "" || h.Text == "" || (h.Rule != "files.yara.match" && h.Technique == "") {
			t.Errorf("%s: %+v", want, h)
		}
	}
	if len(rep.Hits) != 3 {
		t.Errorf("want 3 hits, got %v", rep.Hits)
	}
	if h := got["/opt/app/notes.txt files.yara.match"]; !h.Graded || h.Severity != model.Medium || h.Confidence != model.ConfLow || h.Technique != "T1059" {
		t.Errorf("user rule's grade: %+v", h)
	}
	var compileGaps int
	for _, g := range rep.Gaps {
		if g.Msg.ID == "yara.gap.compile" {
			compileGaps++
			if !strings.HasSuffix(g.Path, "broken.yar") || g.Msg.Args[1] != "2" {
				t.Errorf("compile gap %+v", g)
			}
		}
	}
	if compileGaps != 1 {
		t.Errorf("want one compile gap, got %v", rep.Gaps)
	}
}

// TestGradeDefaultsMatchCatalog: the defaults a partly graded hit falls
// back to are the catalog's for its rule id.
func TestGradeDefaultsMatchCatalog(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range RuleIDs() {
		r, ok := cat.Rule(id)
		if !ok {
			t.Fatalf("%s: no catalog entry", id)
		}
		fam := strings.TrimPrefix(id, "files.yara.")
		sev, conf := RuleMeta{Family: fam}.grade()
		if sev != r.Severity || conf != r.Confidence {
			t.Errorf("%s: grade() defaults %v/%v, catalog %v/%v", id, sev, conf, r.Severity, r.Confidence)
		}
	}
}

// TestMatcherTail: in a file larger than the content limit, a rule's
// string in the last bytes (the walk's File.Tail) matches, at its offset
// in the file; the same string in the middle that no matcher reads does
// not, and a rule matching head and tail is reported once.
func TestMatcherTail(t *testing.T) {
	r, _, err := Compile([]Source{{Name: "t.yar", Text: []byte(`rule Tail_Marker { strings: $a = "tail-marker-9d1e" condition: $a }`)}})
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	pad := strings.Repeat("x", 8192)
	for name, body := range map[string]string{
		"end.bin":    pad + pad + "tail-marker-9d1e",
		"middle.bin": pad + "tail-marker-9d1e" + pad + pad,
		"both.bin":   "tail-marker-9d1e" + pad + pad + "tail-marker-9d1e",
	} {
		filestest.Put(t, root, name, []byte(body))
	}
	rep := &filestest.Reporter{}
	files.Walk(context.Background(), target.NewUnchecked(root, false), []files.Matcher{NewMatcher(r, nil, 0)}, rep,
		files.Options{Roots: []string{"/"}, ContentCap: 4096, TailCap: 4096})
	got := map[string]int{}
	for _, h := range rep.Hits {
		got[h.Path]++
		if h.Path == "/end.bin" && h.Offset != int64(2*len(pad)) {
			t.Errorf("tail hit offset %d, want %d", h.Offset, 2*len(pad))
		}
	}
	if got["/end.bin"] != 1 || got["/both.bin"] != 1 || got["/middle.bin"] != 0 {
		t.Errorf("hits by file %v (%v)", got, rep.Hits)
	}
}
