package yara

import (
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/model"
)

func TestFinding(t *testing.T) {
	m := Match{
		Rule: RuleMeta{Name: "Vigil_PHP_Eval_Request", Namespace: BuiltinNamespace, Builtin: true, Family: "webshell",
			Description: "d", Technique: "T1505.003", Severity: model.Critical, SeveritySet: true},
		Strings: []StringMatch{{Name: "$call", Offset: 0x1c, Data: []byte("eval($_POST['x'])\x00\xff\n")}},
	}
	f := Finding(m, "/var/www/html/x.php")
	if f.RuleID != "files.yara.webshell" || f.Severity != model.Critical || !f.SeveritySet || f.ConfidenceSet || f.Technique != "T1505.003" {
		t.Errorf("%+v", f)
	}
	if want := `Vigil_PHP_Eval_Request: $call@0x1c "eval($_POST['x'])\x00\xff\x0a"`; f.Evidence.Text != want {
		t.Errorf("text %s, want %s", f.Evidence.Text, want)
	}
	if f.Evidence.Extra["yara_rule"] != "Vigil_PHP_Eval_Request" || f.Evidence.Extra["yara_namespace"] != "" || f.Evidence.Extra["yara_family"] != "webshell" {
		t.Errorf("extra %v", f.Evidence.Extra)
	}
	long := Match{Rule: RuleMeta{Name: "U", Namespace: "/r/u.yar"}}
	for i := 0; i < MaxStrings; i++ {
		long.Strings = append(long.Strings, StringMatch{Name: "$a", Data: []byte(strings.Repeat("é", MaxData/2))})
	}
	g := Finding(long, "/x")
	if len(g.Evidence.Text) > MaxEvidence || g.RuleID != "files.yara.match" || g.SeveritySet || g.Evidence.Extra["yara_namespace"] != "/r/u.yar" {
		t.Errorf("%d bytes, %+v", len(g.Evidence.Text), g)
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"abc\tdef":    "abc\tdef",
		"\x1b[31m":    `\x1b[31m`,
		"中文":          "中文",
		"\xe4\xb8":    `\xe4\xb8`,
		"\u0085x\x7f": `\xc2\x85x\x7f`,
	} {
		if got := Printable([]byte(in)); got != want {
			t.Errorf("%q: got %q want %q", in, got, want)
		}
	}
}
