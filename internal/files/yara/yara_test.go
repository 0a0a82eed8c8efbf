package yara

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vigil-ir/vigil/internal/model"
)

const userRule = `
rule Test_Marker
{
    meta:
        description = "test marker"
        severity = "medium"
        technique = "t1059"
        confidence = "low"
    strings:
        $m = "vigil-test-marker-7f3a"
    condition:
        $m
}
`

func writeRules(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadBuiltinAndUser(t *testing.T) {
	dir := writeRules(t, map[string]string{
		"good.yar":        userRule,
		"sub/broken.yara": "rule ok { condition: true }\n\nrule Broken {\n  strings: $a = \"x\"\n  condition: $b\n}\n",
		"hash.yar":        "import \"hash\"\nrule H { condition: hash.md5(0, filesize) == \"x\" }\n",
		"notes.txt":       "not a rule file",
		"inc/main.yar":    "include \"part.yar\"\n",
		"inc/part.yar":    "rule Included { strings: $i = \"included-marker-19\" condition: $i }\n",
		"dup.yar":         strings.Replace(userRule, "vigil-test-marker-7f3a", "other", 1), // same rule name, own namespace
	})
	r, bad, err := Load([]string{dir}, false)
	if err != nil {
		t.Fatal(err)
	}
	byFile := map[string]CompileError{}
	for _, ce := range bad {
		byFile[filepath.Base(ce.File)] = ce
	}
	if ce, ok := byFile["broken.yara"]; !ok || ce.Line != 6 || !strings.Contains(ce.Error(), "broken.yara:6: undefined string") {
		t.Errorf("broken.yara: got %+v (%v), want an error at line 6", ce, ce)
	}
	if _, ok := byFile["hash.yar"]; !ok {
		t.Errorf("hash.yar (no hash module in this libyara) should fail: %v", bad)
	}
	if len(bad) != 2 {
		t.Errorf("want 2 compile errors, got %v", bad)
	}
	builtin, _ := Builtin()
	if got, want := len(r.Files()), len(builtin)+4; got != want {
		t.Errorf("files in the set: %d, want %d (%v)", got, want, r.Files())
	}
	s, err := r.NewScanner(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ms, err := s.Scan([]byte("xx vigil-test-marker-7f3a included-marker-19"), FileInfo{Path: "/tmp/a.txt"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]Match{}
	for _, m := range ms {
		names[m.Rule.Name] = m
	}
	m, ok := names["Test_Marker"]
	if !ok || names["Included"].Rule.Name == "" {
		t.Fatalf("matches %v, want Test_Marker and Included", ms)
	}
	want := RuleMeta{Name: "Test_Marker", Namespace: filepath.Join(dir, "good.yar"), Description: "test marker",
		Technique: "T1059", Severity: model.Medium, SeveritySet: true, Confidence: model.ConfLow, ConfSet: true}
	if fmt.Sprint(m.Rule) != fmt.Sprint(want) {
		t.Errorf("meta %+v, want %+v", m.Rule, want)
	}
	if m.Rule.RuleID() != "files.yara.match" {
		t.Errorf("rule id %s", m.Rule.RuleID())
	}
	if len(m.Strings) != 1 || m.Strings[0].Offset != 3 || string(m.Strings[0].Data) != "vigil-test-marker-7f3a" || m.Strings[0].Name != "$m" {
		t.Errorf("strings %+v", m.Strings)
	}
}

func TestNoRulesAtAll(t *testing.T) {
	dir := writeRules(t, map[string]string{"bad.yar": "rule {"})
	if _, bad, err := Load([]string{dir}, true); err == nil || len(bad) != 1 {
		t.Fatalf("want an error and one compile error, got %v, %v", err, bad)
	}
	if _, _, err := Load([]string{filepath.Join(dir, "missing")}, true); err == nil {
		t.Fatal("a missing --rules path must be an error")
	}
}

func TestMetaGrading(t *testing.T) {
	for _, tc := range []struct {
		meta string
		sev  model.Severity
		set  bool
		id   string
	}{
		{`score = 80`, model.High, true, "files.yara.match"},
		{`score = 40 family = "miner"`, model.Low, true, "files.yara.miner"},
		{`severity = "nonsense" score = 95`, model.Critical, true, "files.yara.match"},
		{`severity = "info" score = 95 family = "WebShell"`, model.Info, true, "files.yara.webshell"},
		{`description = "x"`, model.Info, false, "files.yara.match"},
	} {
		r, _, err := Compile([]Source{{Name: "t.yar", Text: []byte("rule R { meta: " + tc.meta + " condition: true }")}})
		if err != nil {
			t.Fatal(tc.meta, err)
		}
		s, _ := r.NewScanner(0)
		ms, err := s.Scan(nil, FileInfo{}, 0)
		if err != nil || len(ms) != 1 {
			t.Fatal(tc.meta, ms, err)
		}
		if m := ms[0].Rule; m.Severity != tc.sev || m.SeveritySet != tc.set || m.RuleID() != tc.id {
			t.Errorf("%s: got %v %v %s", tc.meta, m.Severity, m.SeveritySet, m.RuleID())
		}
		s.Close()
	}
}

func TestExternalVariables(t *testing.T) {
	r, bad, err := Compile([]Source{{Name: "ext.yar", Text: []byte(`rule Ext { condition: extension == "jsp" and filename == "cmd.jsp" and filepath contains "/webapps/" and owner == "tomcat" }`)}})
	if err != nil {
		t.Fatal(err, bad)
	}
	s, _ := r.NewScanner(0)
	defer s.Close()
	for _, tc := range []struct {
		info FileInfo
		want int
	}{
		{FileInfo{Path: "/var/lib/tomcat9/webapps/ROOT/cmd.JSP", Owner: "tomcat"}, 0},
		{FileInfo{Path: "/var/lib/tomcat9/webapps/ROOT/cmd.jsp", Owner: "tomcat"}, 1},
		{FileInfo{Path: "/var/lib/tomcat9/webapps/ROOT/cmd.jsp", Owner: "root"}, 0},
	} {
		ms, err := s.Scan([]byte("x"), tc.info, 0)
		if err != nil || len(ms) != tc.want {
			t.Errorf("%+v: %d matches (%v), want %d", tc.info, len(ms), err, tc.want)
		}
	}
}

func TestClipAndBase(t *testing.T) {
	r, _, err := Compile([]Source{{Name: "c.yar", Text: []byte(`rule Long { strings: $l = /A{200}/ $b = "B" condition: all of them }`)}})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := r.NewScanner(0)
	defer s.Close()
	buf := []byte(strings.Repeat("B", 20) + strings.Repeat("A", 300))
	ms, err := s.Scan(buf, FileInfo{}, 0x7f0000)
	if err != nil || len(ms) != 1 {
		t.Fatal(ms, err)
	}
	if n := len(ms[0].Strings); n != MaxStrings {
		t.Errorf("%d strings kept, want %d", n, MaxStrings)
	}
	for _, sm := range ms[0].Strings {
		if len(sm.Data) > MaxData || sm.Offset < 0x7f0000 {
			t.Errorf("%+v", sm)
		}
	}
}

func TestTimeout(t *testing.T) {
	r, _, err := Compile([]Source{{Name: "slow.yar", Text: []byte(`rule Slow { condition: for all i in (0..filesize) : (for all j in (0..filesize) : (uint8(i) == uint8(j) or true)) }`)}})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := r.NewScanner(1e9)
	defer s.Close()
	_, err = s.Scan(make([]byte, 1<<20), FileInfo{}, 0)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("got %v, want ErrTimeout", err)
	}
}

// TestParallelScanners: one compiled set, a scanner per goroutine.
func TestParallelScanners(t *testing.T) {
	r, _, err := Compile([]Source{{Name: "u.yar", Text: []byte(userRule)}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			s, err := r.NewScanner(0)
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			for i := 0; i < 200; i++ {
				buf := []byte(fmt.Sprintf("%d %d", w, i))
				want := i%3 == 0
				if want {
					buf = append(buf, " vigil-test-marker-7f3a"...)
				}
				ms, err := s.Scan(buf, FileInfo{Path: fmt.Sprintf("/f%d", i)}, 0)
				if err != nil || (len(ms) == 1) != want {
					errs <- fmt.Errorf("worker %d scan %d: %v %v", w, i, ms, err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
