package cli

import (
	"fmt"
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
