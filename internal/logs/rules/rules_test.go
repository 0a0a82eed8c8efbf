package rules

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/model"
)

// stream builds events the way the parsers produce them, one line each.
type stream struct {
	t    time.Time
	file string
	line int
	evs  []model.Event
}

func newStream(start string) *stream {
	t, err := time.Parse(time.RFC3339, start)
	if err != nil {
		panic(err)
	}
	return &stream{t: t, file: "/var/log/auth.log"}
}

func (s *stream) wait(d time.Duration) *stream { s.t = s.t.Add(d); return s }

func (s *stream) add(e model.Event) *stream {
	s.line++
	if e.Time.IsZero() {
		e.Time = s.t
	}
	if e.File == "" {
		e.File = s.file
	}
	e.Line = s.line
	if e.Raw == "" {
		e.Raw = fmt.Sprintf("%s host %s: %s %s %s from %s", e.Time.Format(time.Stamp), e.Program, e.Kind, e.Outcome, e.Actor, e.SrcIP)
	}
	s.evs = append(s.evs, e)
	return s
}

func (s *stream) fail(user, ip string) *stream {
	raw := fmt.Sprintf("%s host sshd[%d]: Failed password for %s from %s port 51234 ssh2", s.t.Format(time.Stamp), 1000+s.line, user, ip)
	return s.add(model.Event{Source: "auth", Program: "sshd", Kind: kindSSHFailed, Actor: user, SrcIP: ip, Outcome: model.OutcomeFailure, Raw: raw})
}

func (s *stream) login(user, ip string) *stream {
	raw := fmt.Sprintf("%s host sshd[%d]: Accepted password for %s from %s port 51234 ssh2", s.t.Format(time.Stamp), 1000+s.line, user, ip)
	return s.add(model.Event{Source: "auth", Program: "sshd", Kind: kindSSHLogin, Actor: user, SrcIP: ip, Outcome: model.OutcomeSuccess, Raw: raw})
}

func (s *stream) sudo(user, cmd string) *stream {
	return s.add(model.Event{Source: "auth", Program: "sudo", Kind: kindSudo, Actor: user, Object: "root", Outcome: model.OutcomeSuccess,
		Fields: map[string]string{fieldCommand: cmd}})
}

func run(cfg Config, evs []model.Event) ([]model.Finding, *Set) {
	s := New(cfg)
	for i := range evs {
		s.Observe(&evs[i])
	}
	return s.Finish(), s
}

func ruleIDs(fs []model.Finding) []string {
	var ids []string
	for _, f := range fs {
		if !slices.Contains(ids, f.RuleID) {
			ids = append(ids, f.RuleID)
		}
	}
	slices.Sort(ids)
	return ids
}

func byRule(fs []model.Finding, id string) []model.Finding {
	var out []model.Finding
	for _, f := range fs {
		if f.RuleID == id {
			out = append(out, f)
		}
	}
	return out
}

func TestRulesFire(t *testing.T) {
	tests := []struct {
		name string
		make func(s *stream)
		want []string
	}{
		{"brute force per source and per user", func(s *stream) {
			for i := range 30 {
				s.fail([]string{"root", "root", "admin"}[i%3], "203.0.113.9").wait(7 * time.Second)
			}
		}, []string{RuleBruteSource, RuleBruteUser}},
		{"password spraying", func(s *stream) {
			for _, u := range []string{"oracle", "test", "ubuntu", "pi", "git", "postgres"} {
				s.fail(u, "198.51.100.7").wait(40 * time.Second)
			}
		}, []string{RuleSpray}},
		{"login after failures", func(s *stream) {
			for range 6 {
				s.fail("deploy", "192.0.2.44").wait(20 * time.Second)
			}
			s.login("deploy", "192.0.2.44")
		}, []string{RuleLoginAfter, RuleSpray}[:1]},
		{"root login", func(s *stream) { s.login("root", "192.0.2.10") }, []string{RuleRootLogin}},
		{"invalid user", func(s *stream) {
			s.add(model.Event{Program: "sshd", Kind: kindSSHInvalid, Actor: "admin", SrcIP: "192.0.2.99"})
		}, []string{RuleInvalidUser}},
		{"first-seen source and account", func(s *stream) {
			for range 5 {
				s.login("alice", "10.0.0.5").wait(24 * time.Hour)
			}
			s.login("mallory", "192.0.2.77")
		}, []string{RuleNewSource, RuleNewUser}},
		{"login at an unusual hour", func(s *stream) {
			for range 25 {
				s.login("alice", "10.0.0.5").wait(24 * time.Hour)
			}
			s.wait(18*time.Hour).login("alice", "10.0.0.5")
		}, []string{RuleUnusualHour}},
		{"accounts", func(s *stream) {
			s.add(model.Event{Program: "useradd", Kind: kindUserAdded, Object: "backdoor"})
			s.add(model.Event{Program: "groupadd", Kind: kindGroupAdded, Object: "backdoor"})
			s.add(model.Event{Program: "passwd", Kind: kindPasswd, Object: "backdoor"})
		}, []string{RuleUserAdded, RuleGroupAdded, RulePassword}},
		{"sudo to a shell", func(s *stream) { s.sudo("deploy", "/bin/bash") }, []string{RuleSudoShell}},
		{"sudoers edit", func(s *stream) { s.sudo("deploy", "/usr/bin/tee -a /etc/sudoers.d/90-x") }, []string{RuleSudoersEdit}},
		{"su to root from a service account", func(s *stream) {
			s.add(model.Event{Program: "su", Kind: kindSu, Actor: "www-data", Object: "root", Outcome: model.OutcomeSuccess})
		}, []string{RuleSuRoot}},
		{"logs cleared", func(s *stream) { s.sudo("deploy", "/usr/bin/shred -u /var/log/wtmp") }, []string{RuleLogCleared}},
		{"auditd stopped by a user", func(s *stream) {
			s.add(model.Event{Source: "audit", Kind: "audit.daemon", Fields: map[string]string{fieldAuditType: "DAEMON_END", fieldAuditAuid: "1000"}})
			s.sudo("deploy", "/usr/bin/systemctl stop auditd")
		}, []string{RuleAuditdStopped}},
		{"time gap in a busy log", func(s *stream) {
			for range 60 {
				s.add(model.Event{Program: "CRON", Kind: "session.open", Actor: "root"}).wait(time.Minute)
			}
			s.wait(30 * time.Hour).add(model.Event{Program: "CRON", Kind: "session.open", Actor: "root"})
		}, []string{RuleTimeGap}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStream("2026-03-01T09:00:00Z")
			tc.make(s)
			got, set := run(Config{}, s.evs)
			ids := ruleIDs(got)
			for _, w := range tc.want {
				if !slices.Contains(ids, w) {
					t.Errorf("%s did not fire; got %v", w, ids)
				}
			}
			for _, f := range got {
				if f.Evidence.Path == "" || f.Evidence.Line == 0 || f.Evidence.Text == "" || f.Evidence.Extra["first_time"] == "" {
					t.Errorf("%s: evidence incomplete: %+v", f.RuleID, f.Evidence)
				}
			}
			if p := set.Problems(); len(p) > 0 {
				t.Errorf("problems: %v", p)
			}
		})
	}
}

func TestBruteForceEvidence(t *testing.T) {
	s := newStream("2026-03-01T09:00:00Z")
	for range 3 {
		s.fail("root", "203.0.113.9").wait(time.Hour) // spread out: no burst
	}
	for i := range 40 {
		s.fail(fmt.Sprintf("u%d", i%4), "203.0.113.9").wait(5 * time.Second)
	}
	got, _ := run(Config{BruteThreshold: 20, BruteWindow: 5 * time.Minute}, s.evs)
	b := byRule(got, RuleBruteSource)
	if len(b) != 1 {
		t.Fatalf("want one folded brute-force finding, got %d", len(b))
	}
	ev := b[0].Evidence
	if ev.Extra["count"] != "40" || ev.Line != 4 || ev.Extra["last"] != "/var/log/auth.log:43" || ev.Extra["threshold"] != "20" {
		t.Errorf("evidence: %+v", ev)
	}
	if !strings.Contains(ev.Text, "Failed password for u0") || !strings.Contains(ev.Extra["last_raw"], "Failed password for u3") {
		t.Errorf("raw lines: %q / %q", ev.Text, ev.Extra["last_raw"])
	}
	if ev.Note.ID != "logs.note.events-values" || b[0].Severity != model.Medium || b[0].Key == "" {
		t.Errorf("note/grade/key: %v %v %q", ev.Note, b[0].Severity, b[0].Key)
	}
}

func TestLoginAfterFailuresGraded(t *testing.T) {
	s := newStream("2026-03-01T09:00:00Z")
	for range 12 {
		s.fail("deploy", "192.0.2.44").wait(10 * time.Second)
	}
	s.login("deploy", "192.0.2.44")
	got, _ := run(Config{}, s.evs)
	f := byRule(got, RuleLoginAfter)
	if len(f) != 1 || f[0].Severity != model.High || f[0].Confidence != model.ConfHigh {
		t.Fatalf("login after brute force: %+v", f)
	}
	if f[0].Evidence.Extra["failures"] != "12" || !strings.Contains(f[0].Evidence.Text, "Accepted password") {
		t.Errorf("evidence: %+v", f[0].Evidence)
	}
	// Failures long before the login do not make it a compromise.
	s = newStream("2026-03-01T09:00:00Z")
	for range 6 {
		s.fail("deploy", "192.0.2.44").wait(10 * time.Second)
	}
	s.wait(5*time.Hour).login("deploy", "192.0.2.44")
	if got, _ := run(Config{}, s.evs); len(byRule(got, RuleLoginAfter)) != 0 {
		t.Errorf("fired on a login hours after the failures")
	}
}

// TestQuietOnCleanLog: ten days of an ordinary server: two admins from
// their usual addresses at their usual hours, a typo now and then, sudo
// for package updates, cron sessions, a su to a service account.
func TestQuietOnCleanLog(t *testing.T) {
	s := newStream("2026-03-01T00:00:00Z")
	for day := range 10 {
		for h := range 24 {
			for range 12 {
				s.add(model.Event{Program: "CRON", Kind: "session.open", Actor: "root", Outcome: model.OutcomeSuccess}).wait(5 * time.Minute)
			}
			switch h {
			case 8:
				if day%3 == 0 {
					s.fail("alice", "10.0.0.5")
				}
				s.login("alice", "10.0.0.5").sudo("alice", "/usr/bin/apt update")
			case 9:
				s.login("bob", "10.0.0.6").sudo("bob", "/usr/bin/systemctl restart nginx")
				s.add(model.Event{Program: "su", Kind: kindSu, Actor: "bob", Object: "postgres", Outcome: model.OutcomeSuccess})
			case 14:
				s.login("alice", "10.0.0.5").sudo("alice", "/usr/bin/journalctl -u nginx")
			}
		}
	}
	got, set := run(Config{}, s.evs)
	for _, f := range got {
		t.Errorf("clean log: %s %s %s", f.RuleID, f.Subject, f.Evidence.Text)
	}
	if p := set.Problems(); len(p) > 0 {
		t.Errorf("problems: %v", p)
	}
}

// TestBoundedMemory: a million distinct sources cannot grow the maps past
// the cap; the loss is reported.
func TestBoundedMemory(t *testing.T) {
	set := New(Config{MaxKeys: 1000})
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range 20000 {
		e := model.Event{Time: base.Add(time.Duration(i) * time.Millisecond), File: "/var/log/auth.log", Line: i + 1, Kind: kindSSHInvalid,
			Actor: "x", SrcIP: fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)}
		set.Observe(&e)
	}
	if len(set.ssh.src) > 1000 || len(set.folds) > 1000 {
		t.Errorf("maps grew: %d sources, %d folds", len(set.ssh.src), len(set.folds))
	}
	if len(set.Problems()) == 0 {
		t.Errorf("the cap was reached silently")
	}
}

func TestEveryRuleInCatalog(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range IDs() {
		if _, ok := cat.Rule(id); !ok {
			t.Errorf("%s has no catalog entry", id)
		}
	}
}

// BenchmarkRules: an auth stream of mostly failures from many sources.
func BenchmarkRules(b *testing.B) {
	s := newStream("2026-03-01T00:00:00Z")
	for i := range 10000 {
		ip := fmt.Sprintf("203.0.%d.%d", i/200%256, i%200)
		if i%50 == 0 {
			s.login("alice", "10.0.0.5")
		} else {
			s.fail([]string{"root", "admin", "oracle"}[i%3], ip)
		}
		s.wait(time.Second)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		run(Config{}, s.evs)
	}
	b.ReportMetric(float64(len(s.evs)*b.N)/b.Elapsed().Seconds(), "events/s")
}
