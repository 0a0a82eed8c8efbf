package changed

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
	"github.com/vigil-ir/vigil/internal/testutil/dpkgfixture"
)

// The fixture is written now, so every file's ctime and birth time are
// now. The window therefore starts an hour in the future, and the files
// that "changed in the window" get a modification time after that.
const base = `-- etc/passwd --
root:x:0:0:root:/root:/bin/bash
ops:x:1000:1000:Ops:/home/ops:/bin/bash
-- etc/os-release --
ID=debian
-- etc/ssh/sshd_config --
PermitRootLogin prohibit-password
-- etc/cron.d/backup --
30 2 * * * root /usr/local/bin/backup.sh
-- usr/bin/ls mode=0755 --
ELF ls
-- usr/bin/sshd mode=0755 --
ELF sshd
-- usr/local/bin/backup.sh mode=0755 --
#!/bin/sh
-- root/.bashrc --
alias ls='ls --color'
-- home/ops/.bashrc --
HISTCONTROL=ignoreboth
-- home/ops/.ssh/authorized_keys --
ssh-ed25519 AAAA ops@laptop
-- home/ops/projects/app/main.go --
package main
-- tmp/.X11-unix/ --
-- var/www/html/index.html --
<html></html>
-- lib/modules/6.1.0-27-amd64/kernel/fs/ext4/ext4.ko --
ELF
`

func fixture(t testing.TB, extra string) (string, time.Time) {
	t.Helper()
	dir := testutil.RootFromString(t, base+extra)
	dpkgfixture.Write(t, dir,
		dpkgfixture.Package{Name: "coreutils", Files: []string{"/usr/bin/ls"}},
		dpkgfixture.Package{Name: "openssh-server", Files: []string{"/usr/bin/sshd", "/etc/ssh/sshd_config"}},
		dpkgfixture.Package{Name: "linux-image-6.1.0-27-amd64", Files: []string{"/lib/modules/6.1.0-27-amd64/kernel/fs/ext4/ext4.ko"}},
	)
	since := time.Now().Add(time.Hour)
	return dir, since
}

// touch sets a file's modification time inside the window.
func touch(t testing.TB, dir, p string, since time.Time) {
	t.Helper()
	at := since.Add(30 * time.Minute)
	if err := os.Chtimes(filepath.Join(dir, filepath.FromSlash(p)), at, at); err != nil {
		t.Fatal(err)
	}
}

func runWith(t testing.TB, dir string, since time.Time) enginetest.Result {
	t.Helper()
	return enginetest.RunTarget(t, New(), target.NewUnchecked(dir, false), engine.Options{ChangedSince: since})
}

func TestSilentWithoutWindow(t *testing.T) {
	dir, _ := fixture(t, "")
	r := enginetest.Run(t, New(), dir, false)
	if len(r.Findings) != 0 || len(r.Gaps) != 0 {
		t.Errorf("changed ran without --changed-since: %v %v", r.Findings, r.Gaps)
	}
}

func TestCleanWindowIsQuiet(t *testing.T) {
	dir, since := fixture(t, "")
	r := runWith(t, dir, since)
	for _, f := range r.Findings {
		t.Errorf("nothing changed in the window, got %s %s %q", f.RuleID, f.Subject, f.Evidence.Text)
	}
	for _, g := range r.Gaps {
		t.Errorf("unexpected gap: %+v", g)
	}
}

func TestListsChanges(t *testing.T) {
	extra := "-- tmp/.x/kworker mode=0755 --\nELF\n-- usr/local/bin/helper mode=0755 --\nELF\n-- etc/ld.so.preload --\n/lib/x.so\n-- usr/bin/ssh-helper mode=0755 --\nELF\n"
	dir, since := fixture(t, extra)
	for _, p := range []string{
		"etc/ssh/sshd_config", "home/ops/.ssh/authorized_keys", "home/ops/.bashrc", "home/ops/projects/app/main.go",
		"tmp/.x/kworker", "usr/local/bin/helper", "etc/ld.so.preload", "usr/bin/ssh-helper", "usr/bin/ls",
		"var/www/html/index.html",
	} {
		touch(t, dir, p, since)
	}
	// A packaged binary replaced in the window.
	os.WriteFile(filepath.Join(dir, "usr/bin/sshd"), []byte("ELF trojaned sshd"), 0o755)
	touch(t, dir, "usr/bin/sshd", since)
	r := runWith(t, dir, since)
	want := []struct {
		subject string
		rule    string
		sev     model.Severity
		ind     string
	}{
		{"/etc/ssh/sshd_config", ruleRecent, model.Info, ""},
		{"/home/ops/.ssh/authorized_keys", ruleRecent, model.Info, ""},
		{"/home/ops/.bashrc", ruleRecent, model.Info, ""},
		{"/etc/ld.so.preload", ruleRecent, model.Info, ""},
		{"/var/www/html/index.html", ruleRecent, model.Info, ""},
		{"/usr/bin/ls", ruleRecent, model.Info, ""},
		{"/tmp/.x/kworker", ruleExecutable, model.Medium, indNotPackaged},
		{"/usr/bin/ssh-helper", ruleExecutable, model.Medium, indNotPackaged},
		{"/usr/local/bin/helper", ruleExecutable, model.Low, indNotPackaged},
		{"/usr/bin/sshd", ruleExecutable, model.Medium, indModified},
	}
	for _, w := range want {
		var got *model.Finding
		for i, f := range r.Findings {
			if f.Subject == w.subject {
				got = &r.Findings[i]
			}
		}
		if got == nil {
			t.Errorf("%s not listed; got %v", w.subject, subjects(r.Findings))
			continue
		}
		if got.RuleID != w.rule || got.Severity != w.sev {
			t.Errorf("%s: %s %s, want %s %s", w.subject, got.RuleID, got.Severity, w.rule, w.sev)
		}
		if w.ind != "" && !contains(got.Indicators, w.ind) {
			t.Errorf("%s: indicators %v lack %s", w.subject, got.Indicators, w.ind)
		}
		if got.Evidence.Extra["mtime"] == "" || got.Evidence.Extra["ctime"] == "" || got.Evidence.Text == "" {
			t.Errorf("%s: evidence incomplete %+v", w.subject, got.Evidence)
		}
	}
	// Not a dot-file of the home: outside the listed places.
	for _, f := range r.Findings {
		if strings.Contains(f.Subject, "/projects/") {
			t.Errorf("listed a home file outside the dot-files: %s", f.Subject)
		}
	}
	// Sorted by path.
	for i := 1; i < len(r.Findings); i++ {
		if r.Findings[i-1].Subject > r.Findings[i].Subject {
			t.Errorf("not sorted: %s before %s", r.Findings[i-1].Subject, r.Findings[i].Subject)
		}
	}
}

func TestHostile(t *testing.T) {
	extra := "-- tmp/fifo fifo --\n-- tmp/loop/a -> b --\n-- tmp/loop/b -> a --\n-- tmp/\xff\xfe --\nx\n-- etc/evil -> /etc/shadow --\n"
	dir, since := fixture(t, extra)
	os.Chtimes(filepath.Join(dir, "tmp/\xff\xfe"), since.Add(time.Minute), since.Add(time.Minute))
	r := runWith(t, dir, since)
	if !r.Has(ruleRecent, "/tmp/\xff\xfe") {
		t.Errorf("non-UTF-8 name not listed: %v", subjects(r.Findings))
	}
}

func subjects(fs []model.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.RuleID+" "+f.Subject+" "+f.Severity.String())
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func BenchmarkChanged(b *testing.B) {
	dir, since := fixture(b, "")
	tg := target.NewUnchecked(dir, false)
	for b.Loop() {
		enginetest.RunTarget(b, New(), tg, engine.Options{ChangedSince: since})
	}
}
