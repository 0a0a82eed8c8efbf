package logs

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// goldenEvents renders events and coverage as JSON lines for a golden file.
func goldenEvents(t *testing.T, evs []model.Event, cov Coverage) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, ev := range evs {
		ev.Raw = "" // the fixture holds it
		if err := enc.Encode(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Encode(cov); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestSyslogGolden parses one fixture per format and OpenSSH version
// (testdata/syslog) and compares the events with its golden file.
func TestSyslogGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/syslog/*")
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".golden") {
			continue
		}
		n++
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			format := FormatAuth
			if strings.Contains(f, "cron") {
				format = FormatCron
			}
			evs, cov, err := ParseLines(format, string(b), Options{Location: time.UTC, Now: time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			if cov.Lines != int64(bytes.Count(b, []byte("\n"))) {
				t.Errorf("lines %d, want %d", cov.Lines, bytes.Count(b, []byte("\n")))
			}
			for _, ev := range evs {
				if ev.Time.Location() != time.UTC {
					t.Errorf("line %d: time not UTC: %v", ev.Line, ev.Time)
				}
				if ev.Raw == "" || ev.File != "-" || ev.Source != format {
					t.Errorf("line %d: raw/file/source not set: %+v", ev.Line, ev)
				}
			}
			cov.Name = ""
			testutil.Golden(t, f+".golden", goldenEvents(t, evs, cov))
		})
	}
	if n < 8 {
		t.Fatalf("only %d fixtures", n)
	}
}

// TestSSHDKinds states the kinds of the fixtures outright, so a golden
// file accepted by mistake cannot hide a lost kind.
func TestSSHDKinds(t *testing.T) {
	tests := []struct {
		line, kind, actor, ip string
		outcome               model.Outcome
	}{
		{"Mar  3 10:01:02 h sshd[1]: Invalid user admin from 203.0.113.7", "ssh.invalid-user", "admin", "203.0.113.7", model.OutcomeFailure},
		{"Mar  3 10:01:02 h sshd[1]: Failed password for invalid user a b from 203.0.113.41 port 1234 ssh2", "ssh.auth.failed", "a b", "203.0.113.41", model.OutcomeFailure},
		{"Mar  3 10:01:02 h sshd-session[1]: Accepted publickey for bob from 198.51.100.9 port 5 ssh2: ECDSA SHA256:x", "ssh.login", "bob", "198.51.100.9", model.OutcomeSuccess},
		{"Mar  3 10:01:02 h sshd[1]: Disconnecting authenticating user root 203.0.113.40 port 33100: Too many authentication failures [preauth]", "ssh.max-attempts", "root", "203.0.113.40", model.OutcomeFailure},
		{"Mar  3 10:01:02 h sshd[1]: Connection closed by authenticating user root 203.0.113.40 port 33200 [preauth]", "ssh.preauth.closed", "root", "203.0.113.40", ""},
		{"Mar  3 10:01:02 h sshd[1]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7  user=root", "pam.auth.failed", "root", "203.0.113.7", model.OutcomeFailure},
		{"Mar  3 10:01:02 h sudo:  mallory : user NOT in sudoers ; TTY=pts/2 ; PWD=/tmp ; USER=root ; COMMAND=/bin/sh", "sudo.denied", "mallory", "", model.OutcomeFailure},
		{"Mar  3 10:01:02 h su[1]: FAILED SU (to root) mallory on pts/2", "su.failed", "mallory", "", model.OutcomeFailure},
		{"Mar  3 10:01:02 h CRON[1]: (root) CMD (id)", "cron.command", "root", "", ""},
	}
	for _, tt := range tests {
		evs, _, err := ParseLines(FormatAuth, tt.line, Options{})
		if err != nil || len(evs) != 1 {
			t.Fatalf("%q: %v %d events", tt.line, err, len(evs))
		}
		ev := evs[0]
		if ev.Kind != tt.kind || ev.Actor != tt.actor || ev.SrcIP != tt.ip || ev.Outcome != tt.outcome {
			t.Errorf("%q:\n got %s %q %q %q\nwant %s %q %q %q", tt.line, ev.Kind, ev.Actor, ev.SrcIP, ev.Outcome, tt.kind, tt.actor, tt.ip, tt.outcome)
		}
	}
}

func FuzzSyslog(f *testing.F) {
	files, _ := filepath.Glob("testdata/syslog/*")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && !strings.HasSuffix(p, ".golden") {
			for _, l := range strings.Split(string(b), "\n") {
				f.Add(l)
			}
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		evs, cov, err := ParseLines(FormatAuth, s, Options{Location: time.FixedZone("x", 8*3600)})
		if err != nil {
			t.Fatal(err)
		}
		if cov.Parsed+cov.Unparsed != cov.Lines || int64(len(evs)) != cov.Events {
			t.Fatalf("coverage does not add up: %+v, %d events", cov, len(evs))
		}
	})
}
