package suppress

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		path, want bool
	}{
		{"/var/www/*", "/var/www/index.php", true, true},
		{"/var/www/*", "/var/www/a/index.php", true, false},
		{"/var/www/**", "/var/www/a/b/c.php", true, true},
		{"/var/www/**/*.php", "/var/www/x.php", true, true},
		{"/var/www/**/*.php", "/var/www/a/b/x.php", true, true},
		{"/var/www/**/*.php", "/var/www/a/b/x.phtml", true, false},
		{"/etc/cron.d/backup-?", "/etc/cron.d/backup-1", true, true},
		{"/etc/cron.d/backup-?", "/etc/cron.d/backup-12", true, false},
		{"/tmp/[a-c]x", "/tmp/bx", true, true},
		{"/tmp/[!a-c]x", "/tmp/bx", true, false},
		{"/tmp/[!a-c]x", "/tmp/dx", true, true},
		{`/tmp/a\*b`, "/tmp/a*b", true, true},
		{`/tmp/a\*b`, "/tmp/axb", true, false},
		{"/opt/app (1)/x.+", "/opt/app (1)/x.+", true, true},
		{"persistence.*", "persistence.cron.download-exec", false, true},
		{"persistence.*", "accounts.uid0", false, false},
		{"persistence.cron.download-exec", "persistence.cron.download-exec", false, true},
		{"persistence.cron.download-exec", "persistence.cronXdownload-exec", false, false},
	}
	for _, tc := range tests {
		compile := CompileRule
		if tc.path {
			compile = CompilePath
		}
		g, err := compile(tc.pattern)
		if err != nil {
			t.Fatalf("%q: %v", tc.pattern, err)
		}
		if got := g.Match(tc.s); got != tc.want {
			t.Errorf("%q ~ %q = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
	for _, bad := range []string{"", "/tmp/[abc", `/tmp/x\`, "[!]"} {
		if _, err := CompilePath(bad); err == nil {
			t.Errorf("%q compiled", bad)
		}
	}
}

func finding(rule, path, fp string) *model.Finding {
	return &model.Finding{RuleID: rule, Subject: path, Evidence: model.Evidence{Path: path}, Fingerprint: fp}
}

func TestMatch(t *testing.T) {
	now := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	clock := now
	list := []Suppression{
		{ID: 1, Fingerprint: "0123456789abcdef0123", Reason: "known cron job"},
		{ID: 2, Rule: "persistence.shell.*", Path: "/home/*/.bashrc", Reason: "team aliases"},
		{ID: 3, Rule: "integrity.changed", Reason: "until patch day", Until: now.Add(48 * time.Hour)},
		{ID: 4, Rule: "web.shell", Reason: "withdrawn", Removed: now.Add(-time.Hour)},
		{ID: 5, Rule: "process.deleted", Path: "pid * (/usr/sbin/*)", Reason: "subject match"},
	}
	set, err := NewSet(list, func() time.Time { return clock })
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		f      *model.Finding
		at     time.Time
		wantID int64 // 0: not suppressed
	}{
		{"fingerprint", finding("persistence.cron.download-exec", "/etc/cron.d/x", "0123456789abcdef0123"), now, 1},
		{"other fingerprint", finding("persistence.cron.download-exec", "/etc/cron.d/x", "ffff456789abcdef0123"), now, 0},
		{"rule glob and path glob", finding("persistence.shell.alias", "/home/ops/.bashrc", "a"), now, 2},
		{"rule glob, path outside", finding("persistence.shell.alias", "/root/.bashrc", "a"), now, 0},
		{"rule outside", finding("accounts.uid0", "/home/ops/.bashrc", "a"), now, 0},
		{"before expiry", finding("integrity.changed", "/usr/bin/ls", "b"), now.Add(47 * time.Hour), 3},
		{"at expiry", finding("integrity.changed", "/usr/bin/ls", "b"), now.Add(48 * time.Hour), 0},
		{"after expiry", finding("integrity.changed", "/usr/bin/ls", "b"), now.Add(30 * 24 * time.Hour), 0},
		{"removed", finding("web.shell", "/var/www/x.php", "c"), now, 0},
		{"no path: subject", &model.Finding{RuleID: "process.deleted", Subject: "pid 42 (/usr/sbin/sshd)", Fingerprint: "d"}, now, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock = tc.at
			s, ok := set.Match(tc.f)
			var got int64
			if ok {
				got = s.ID
			}
			if got != tc.wantID {
				t.Fatalf("matched suppression %d, want %d", got, tc.wantID)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	bad := []Suppression{
		{Rule: "x.y"},
		{Rule: "x.y", Reason: "  "},
		{Reason: "r"},
		{Fingerprint: "0123456789abcdef0123", Rule: "x", Reason: "r"},
		{Fingerprint: "xyz", Reason: "r"},
		{Rule: "x", Path: "/tmp/[", Reason: "r"},
	}
	for _, s := range bad {
		if err := s.Validate(); err == nil {
			t.Errorf("%+v validated", s)
		}
	}
	good := Suppression{Rule: "x.y", Path: "/etc/**", Reason: "r"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestParseUntil(t *testing.T) {
	now := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	cst := time.FixedZone("CST", 8*3600)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2026-12-31", time.Date(2027, 1, 1, 0, 0, 0, 0, cst)},
		{"2026-12-31T18:00:00+08:00", time.Date(2026, 12, 31, 10, 0, 0, 0, time.UTC)},
		{"30d", now.AddDate(0, 0, 30)},
		{"12h", now.Add(12 * time.Hour)},
	}
	for _, tc := range tests {
		got, err := ParseUntil(tc.in, now, cst)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseUntil(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"2020-01-01", "yesterday", "-3d", "0d", ""} {
		if _, err := ParseUntil(bad, now, cst); err == nil {
			t.Errorf("ParseUntil(%q) accepted", bad)
		}
	}
}

func TestFileRoundTrip(t *testing.T) {
	created := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	in := []Suppression{
		{ID: 7, Fingerprint: "0123456789abcdef0123", Reason: "备份脚本,已核实", Created: created, CreatedBy: "ops (sudo: alice)"},
		{ID: 8, Rule: "persistence.shell.*", Path: "/home/**", Reason: "team aliases", Until: created.AddDate(0, 1, 0)},
	}
	var buf bytes.Buffer
	if err := Encode(&buf, in); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "# Vigil suppressions") || !strings.Contains(buf.String(), "version: 1") {
		t.Fatalf("unexpected file:\n%s", buf.String())
	}
	out, err := Decode(&buf, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || !out[0].SameScope(&in[0]) || !out[1].SameScope(&in[1]) || out[0].Reason != in[0].Reason || !out[0].Created.Equal(created) {
		t.Fatalf("round trip changed the suppressions:\n%+v\n%+v", in, out)
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := map[string]string{
		"unknown key":     "version: 1\nsuppressions:\n  - rule: a.b\n    reason: r\n    colour: red\n",
		"no reason":       "version: 1\nsuppressions:\n  - rule: a.b\n",
		"bad fingerprint": "version: 1\nsuppressions:\n  - fingerprint: zz\n    reason: r\n",
		"bad until":       "version: 1\nsuppressions:\n  - rule: a.b\n    reason: r\n    until: soon\n",
		"newer version":   "version: 2\nsuppressions: []\n",
		"empty":           "",
		"not yaml":        "\x00\x01{{{",
		"a list":          "- rule: a.b\n",
	}
	for name, in := range tests {
		if _, err := Decode(strings.NewReader(in), time.UTC); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := Decode(strings.NewReader("version: 1\nsuppressions:\n"+strings.Repeat("  - rule: a.b\n    reason: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", 200000)), time.UTC); err == nil {
		t.Error("huge file accepted")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("version: 1\nsuppressions:\n  - rule: a.*\n    path: /tmp/**\n    reason: r\n    until: 2026-12-31\n")
	f.Add("version: 1\nsuppressions:\n  - fingerprint: 0123456789abcdef0123\n    reason: r\n")
	f.Add("&a [*a, *a]")
	f.Fuzz(func(t *testing.T, s string) {
		list, err := Decode(strings.NewReader(s), time.UTC)
		if err != nil {
			return
		}
		if _, err := NewSet(list, nil); err != nil {
			t.Fatalf("decoded suppressions do not compile: %v", err)
		}
	})
}

func FuzzGlob(f *testing.F) {
	for _, s := range []string{"/var/www/**/*.php", "[!a-]x", `a\`, "**/", "[]]"} {
		f.Add(s, "/var/www/a/x.php")
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if g, err := CompilePath(pattern); err == nil {
			g.Match(s)
		}
		if g, err := CompileRule(pattern); err == nil {
			g.Match(s)
		}
	})
}

func BenchmarkMatch(b *testing.B) {
	var list []Suppression
	for i := 0; i < 200; i++ {
		list = append(list, Suppression{ID: int64(i), Rule: "persistence.shell.*", Path: "/home/u" + string(rune('a'+i%26)) + "/**", Reason: "r"})
	}
	set, _ := NewSet(list, nil)
	f := finding("persistence.shell.alias", "/root/.bashrc", "x")
	for b.Loop() {
		set.Match(f)
	}
}

func TestBroad(t *testing.T) {
	tests := []struct {
		s    Suppression
		want bool
	}{
		{Suppression{Rule: "*"}, true},
		{Suppression{Rule: "integrity.*"}, true},
		{Suppression{Rule: "ssh.key.?nknown"}, true},
		{Suppression{Rule: "*", Path: "**"}, true},
		{Suppression{Rule: "*", Path: "/**"}, true},
		{Suppression{Rule: "integrity.*", Path: "/opt/vendor/**"}, false},
		{Suppression{Rule: "ssh.key.forced-command"}, false},
		{Suppression{Fingerprint: "0123456789abcdef0123"}, false},
	}
	for _, tt := range tests {
		if got := tt.s.Broad(); got != tt.want {
			t.Errorf("%s: Broad() = %v, want %v", tt.s.Describe(), got, tt.want)
		}
	}
}
