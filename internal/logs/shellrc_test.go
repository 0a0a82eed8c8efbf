package logs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestShellRC: the start-up files are one source; only the lines about
// history are events; a history linked to /dev/null is one
// history.disabled event.
func TestShellRC(t *testing.T) {
	tg := writeRoot(t,
		logFile{name: "etc/profile", text: "# /etc/profile\nif [ \"$PS1\" ]; then\n  PS1='$ '\nfi\n"},
		logFile{name: "root/.bashrc", text: "HISTCONTROL=ignoreboth\n# HISTSIZE in bash(1)\nHISTSIZE=1000\nalias ll='ls -l'\n  export HISTFILE=/dev/null  \n"},
		logFile{name: "home/bob/.bash_history", text: "ls\n"},
	)
	srcs := Discover(tg)
	var rc *Source
	for i := range srcs {
		if srcs[i].Format == FormatShellRC {
			rc = &srcs[i]
		}
	}
	if rc == nil || rc.Name != ShellRCName || len(rc.Files) != 2 {
		t.Fatalf("sources %+v", srcs)
	}
	evs, cov, gaps := readAll(t, tg, *rc, Options{})
	if len(gaps.Gaps) != 0 || cov.Lines != 9 || cov.Unparsed != 0 || len(evs) != 2 {
		t.Fatalf("coverage %+v, events %+v, gaps %v", cov, evs, gaps.Gaps)
	}
	last := evs[1]
	if last.Kind != "shell.rc.history" || last.Object != "export HISTFILE=/dev/null" || last.File != "/root/.bashrc" || last.Line != 5 || last.Time.IsZero() {
		t.Errorf("event %+v", last)
	}
}

func TestHistoryDisabledSource(t *testing.T) {
	dir := t.TempDir()
	tg := writeRootAt(t, dir, logFile{name: "etc/passwd", text: "root:x:0:0::/root:/bin/bash\n"})
	mkLink(t, dir, "root/.bash_history", "/dev/null")
	mkLink(t, dir, "root/.zsh_history", "../dev/null")
	mkLink(t, dir, "root/.mysql_history", "/tmp/elsewhere")
	var names []string
	for _, s := range Discover(tg) {
		if s.Format != FormatHistory {
			continue
		}
		names = append(names, s.Name)
		evs, _, _ := readAll(t, tg, s, Options{})
		if len(evs) != 1 || evs[0].Kind != "history.disabled" || evs[0].Fields["how"] != "symlink to /dev/null" || evs[0].Object != s.Name {
			t.Errorf("%s: %+v", s.Name, evs)
		}
	}
	if strings.Join(names, " ") != "/root/.bash_history /root/.zsh_history" {
		t.Errorf("sources %v", names)
	}
}

func FuzzShellRC(f *testing.F) {
	f.Add("HISTSIZE=1000\nexport HISTFILE=/dev/null\n# history\n")
	f.Add("\x00HIST\xffFILE=\n")
	f.Fuzz(func(t *testing.T, text string) {
		evs, cov := parseText(t, Source{Format: FormatShellRC}, text, time.UTC)
		if cov.Parsed+cov.Unparsed != cov.Lines || int64(len(evs)) != cov.Events {
			t.Fatalf("coverage %+v, %d events", cov, len(evs))
		}
	})
}

func mkLink(t *testing.T, root, name, dest string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dest, p); err != nil {
		t.Fatal(err)
	}
}
