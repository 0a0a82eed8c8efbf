package catalog

import (
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/vigil-ir/vigil/internal/model"
	vrules "github.com/vigil-ir/vigil/rules"
)

// TestSigmaTitles: every one of Vigil's own Sigma rules has its title in
// the catalog (English as in the rule, and Chinese), and a match of it is
// shown with the title in the reader's language; a rule loaded with
// --sigma keeps its author's title.
func TestSigmaTitles(t *testing.T) {
	c := MustLoad()
	entries, err := vrules.Sigma.ReadDir("sigma")
	if err != nil || len(entries) == 0 {
		t.Fatalf("no embedded Sigma rules: %v", err)
	}
	for _, e := range entries {
		b, err := vrules.Sigma.ReadFile("sigma/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		var r struct{ Title, ID string }
		if err := yaml.Unmarshal(b, &r); err != nil || r.ID == "" {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		id := "sigma.title." + r.ID
		if !c.HasMessage(id) {
			t.Errorf("%s: no catalog message %s", e.Name(), id)
			continue
		}
		if en, zh := c.T(English, id), c.T(Chinese, id); en != r.Title || zh == en {
			t.Errorf("%s: catalog title en %q zh %q, rule title %q", e.Name(), en, zh, r.Title)
		}
		f := model.Finding{RuleID: "logs.sigma.match", Subject: r.Title, Evidence: model.Evidence{Extra: map[string]string{"sigma_id": r.ID}}}
		c.Localize(&f, Chinese)
		if f.Subject != c.T(Chinese, id) {
			t.Errorf("%s: subject %q in Chinese", e.Name(), f.Subject)
		}
	}
	f := model.Finding{RuleID: "logs.sigma.match", Subject: "Someone's rule", Evidence: model.Evidence{Extra: map[string]string{"sigma_id": "0000"}}}
	c.Localize(&f, Chinese)
	if f.Subject != "Someone's rule" {
		t.Errorf("a user's rule's title changed: %q", f.Subject)
	}
}
