package sigma

import (
	"context"
	"slices"
	"testing"

	"github.com/bradleyjkemp/sigma-go/evaluator"

	"github.com/vigil-ir/vigil/internal/model"
)

// TestKindGate: which rules get a kind gate, and that the gate never
// turns away an event the rule matches (sigma-go decides, ungated).
func TestKindGate(t *testing.T) {
	head := "title: t\nlogsource:\n  product: linux\n  service: cron\ndetection:\n"
	rules := []struct {
		name string
		det  string
		gate []string
	}{
		{"kind and user", "  sel:\n    Kind: cron.edit\n    User: [www-data, nobody]\n  condition: sel\n", []string{"cron.edit"}},
		{"kinds listed", "  sel:\n    Kind: [Cron.Edit, cron.command]\n  condition: sel\n", []string{"cron.edit", "cron.command"}},
		{"both alternatives", "  sel:\n    - Kind: cron.edit\n    - Kind: sudo.command\n      User: root\n  condition: sel\n", []string{"cron.edit", "sudo.command"}},
		{"one alternative without kind", "  sel:\n    - Kind: cron.edit\n    - User: root\n  condition: sel\n", nil},
		{"wildcard", "  sel:\n    Kind: cron.*\n  condition: sel\n", nil},
		{"modifier", "  sel:\n    Kind|contains: edit\n  condition: sel\n", nil},
		{"two searches", "  a:\n    Kind: cron.edit\n  b:\n    User: root\n  condition: a or b\n", nil},
		{"negation", "  a:\n    Kind: cron.edit\n  condition: not a\n", nil},
		{"keywords", "  kw:\n    - cron.edit\n  condition: kw\n", nil},
	}
	events := []model.Event{
		{Source: "cron", Program: "crontab", Kind: "cron.edit", Actor: "www-data", Raw: "x"},
		{Source: "cron", Program: "crontab", Kind: "CRON.EDIT", Actor: "nobody", Raw: "x"},
		{Source: "cron", Program: "crontab", Kind: "cron.command", Actor: "root", Raw: "x"},
		{Source: "cron", Program: "crontab", Actor: "root", Fields: map[string]string{"Kind": "cron.edit"}, Raw: "x"},
		{Source: "cron", Program: "crontab", Kind: "sudo.command", Actor: "root", Raw: "x"},
		{Source: "cron", Program: "crontab", Kind: "session.open", Actor: "www-data", Raw: "cron.edit"},
		{Source: "cron", Program: "crontab", Kind: "c\u0130ron.edit", Actor: "root", Raw: "x"},
	}
	for _, tc := range rules {
		r, err := parse([]byte(head + tc.det))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		gate := kindGate(r)
		if !slices.Equal(gate, tc.gate) {
			t.Errorf("%s: gate %q, want %q", tc.name, gate, tc.gate)
		}
		if gate == nil {
			continue
		}
		ev := evaluator.ForRule(r)
		s := New()
		for i := range events {
			e := &events[i]
			s.fill(e)
			res, err := ev.Matches(context.Background(), s.fields)
			if err != nil {
				t.Fatal(err)
			}
			if res.Match && !kindIn(e, gate) {
				t.Errorf("%s: the gate turns away %+v, which the rule matches", tc.name, *e)
			}
		}
	}
}
