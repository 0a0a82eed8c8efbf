package fromscan

import (
	"os"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/model"
)

func TestPlanIncident(t *testing.T) {
	f, err := os.Open("../../e2e/testdata/incident.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := Read(f)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range Plan(s, model.High, "") {
		got = append(got, c.String())
	}
	text := strings.Join(got, "\n")
	for _, want := range []string{
		"vigil contain disable /etc/ld.so.preload --line 1 --root '<root>'",
		"vigil contain disable /etc/systemd/system/kworker.service --root '<root>'",
		"vigil contain quarantine /tmp/.../kworker --root '<root>'",
		"vigil contain lock-user sysadm --force --root '<root>'",
		"vigil contain disable /root/.ssh/authorized_keys --line 1 --root '<root>'",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	// One command per object, and no edit of a file that is quarantined.
	seen := map[string]bool{}
	for _, c := range Plan(s, model.High, "/mnt/x") {
		if seen[c.Verb+c.Path+c.User] {
			t.Errorf("twice: %s", c)
		}
		seen[c.Verb+c.Path+c.User] = true
		if c.Root != "/mnt/x" {
			t.Errorf("%s: root %q", c, c.Root)
		}
	}
	if n := len(Plan(s, model.Critical, "")); n >= len(got) || n == 0 {
		t.Errorf("critical only: %d commands of %d", n, len(got))
	}
}

func TestSuggest(t *testing.T) {
	for _, tc := range []struct {
		f    model.Finding
		root string
		want string
	}{
		{model.Finding{RuleID: "persistence.cron.command", Evidence: model.Evidence{Path: "/etc/cron.d/x", Line: 2}}, "", "vigil contain disable /etc/cron.d/x --line 2"},
		{model.Finding{RuleID: "process.miner", Evidence: model.Evidence{PID: 42}}, "", "vigil contain process 42 --tree"},
		{model.Finding{RuleID: "process.miner", Evidence: model.Evidence{PID: 42}}, "/mnt/x", ""},
		{model.Finding{RuleID: "files.webshell.input-exec", Evidence: model.Evidence{Path: "/var/www/a b.php"}}, "", "vigil contain quarantine '/var/www/a b.php'"},
		{model.Finding{RuleID: "ssh.sshd.root-login", Evidence: model.Evidence{Path: "/etc/ssh/sshd_config", Line: 3}}, "", ""},
		{model.Finding{RuleID: "persistence.shell.unowned-file", Evidence: model.Evidence{Path: "/root/.bashrc"}}, "", ""},
		{model.Finding{RuleID: "accounts.password.empty", Evidence: model.Evidence{User: "*"}}, "", ""},
	} {
		c, ok := Suggest(tc.f, tc.root)
		got := ""
		if ok {
			got = c.String()
		}
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.f.RuleID, got, tc.want)
		}
	}
}

func FuzzRead(f *testing.F) {
	f.Add(`{"scan":{"target":{"root":"/","live":true}},"findings":[{"rule_id":"process.miner","severity":"high","evidence":{"pid":1}}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		if sc, err := Read(strings.NewReader(s)); err == nil {
			Plan(sc, model.Info, "")
		}
	})
}

// TestCatalogNamesTheCommand: every rule this table answers names its
// vigil contain command in its remediation, in both languages.
func TestCatalogNamesTheCommand(t *testing.T) {
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	verbs := map[int]string{line: "vigil contain disable", file: "vigil contain disable", quarantine: "vigil contain quarantine",
		process: "vigil contain process", lockUser: "vigil contain lock-user"}
	n := 0
	for _, r := range c.Rules() {
		k := kindOf(r.ID)
		if k < 0 {
			continue
		}
		n++
		for _, lang := range []string{catalog.English, catalog.Chinese} {
			if !strings.Contains(r.Text(lang).Remediation, verbs[k]) {
				t.Errorf("%s (%s): the remediation does not name %q", r.ID, lang, verbs[k])
			}
		}
	}
	if n < 50 {
		t.Errorf("only %d rules answered", n)
	}
}
