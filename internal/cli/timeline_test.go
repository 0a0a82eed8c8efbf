package cli

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/testutil"
)

func TestTimelineCommand(t *testing.T) {
	auth := bruteForceAuth() +
		"Mar  1 09:07:00 web1 useradd[2200]: new user: name=sysupd, UID=1001, GID=1001, home=/home/sysupd, shell=/bin/bash, from=/dev/pts/0\n" +
		"Mar  1 09:08:00 web1 sudo:     root : TTY=pts/0 ; PWD=/root ; USER=root ; COMMAND=/usr/bin/shred -u /var/log/wtmp\n"
	root := testutil.RootFromString(t, minimalRoot+"-- var/log/auth.log --\n"+auth)
	r := vigil(t, "timeline", "--root", root, "--no-store")
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.err)
	}
	for _, want := range []string{"brute force on sshd → login → new account → covering tracks", "logs.ssh.login-after-failures", "ssh.login actor=root", "/var/log/auth.log:1"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("table lacks %q:\n%s", want, r.out)
		}
	}
	r = vigil(t, "timeline", "--root", root, "--no-store", "-f", "csv")
	recs, err := csv.NewReader(strings.NewReader(r.out)).ReadAll()
	if err != nil || len(recs) < 5 || strings.Join(recs[0][:3], ",") != "message,datetime,timestamp_desc" {
		t.Fatalf("csv: %v %v", err, recs[:min(len(recs), 2)])
	}
	r = vigil(t, "timeline", "--root", root, "--no-store", "-f", "html", "--lang", "zh-CN")
	for _, want := range []string{"<svg", "攻击路径", `href="#e`, "<script>"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	if strings.Contains(r.out, "http://") || strings.Contains(r.out, "https://") {
		t.Errorf("the page loads something from the network")
	}
	r = vigil(t, "timeline", "--root", root, "--no-store", "-f", "jsonl", "--until", "2000-01-01")
	if lines := strings.Count(r.out, "\n"); lines != 1 || !strings.Contains(r.out, `"attack_path"`) {
		t.Errorf("--until before everything: %d lines\n%s", lines, r.out)
	}
	if r := vigil(t, "timeline", "--root", root, "-f", "pdf"); r.code != ExitError {
		t.Errorf("unknown format: exit %d", r.code)
	}
}
