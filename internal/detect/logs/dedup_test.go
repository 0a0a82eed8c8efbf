package logs

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/logs/rules"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// journalAuth is what rsyslog wrote to auth.log from the journal fixture
// (internal/logs/testdata/journal): the same sshd and sudo messages, with
// rsyslog's own stamps.
const journalAuth = `2026-12-06T12:31:49.095911+00:00 vm sshd[14236]: Failed password for root from 203.0.113.5 port 40001 ssh2
2026-12-06T12:31:49.131002+00:00 vm sshd[14238]: Failed password for root from 203.0.113.5 port 40002 ssh2
2026-12-06T12:31:49.196800+00:00 vm sshd[14244]: Failed password for root from 203.0.113.5 port 40003 ssh2
2026-12-06T12:31:49.230700+00:00 vm sshd-session[14248]: Accepted password for root from 203.0.113.5 port 40009 ssh2
`

// rootWithJournal is a root holding auth and the journal fixture.
func rootWithJournal(t *testing.T, auth string) string {
	t.Helper()
	r := testutil.RootFromString(t, rootFiles+"-- var/log/auth.log --\n"+auth)
	f, err := os.Open("../../logs/testdata/journal/compact.journal.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(r, "var/log/journal/3d1219c7c4c5404aaa1f6d2a48adfda4/system.journal")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestLogsDedupJournal: the sshd lines in auth.log and in the journal are
// counted once; a line only in one of them still counts.
func TestLogsDedupJournal(t *testing.T) {
	cfg := rules.Config{SuccessAfter: 4, BruteThreshold: 4}
	tests := []struct {
		name  string
		auth  string
		fires bool // 4 failures: only when the copies were counted twice, or a fourth is real
		dups  string
	}{
		{"same lines", journalAuth, false, "4"},
		{"a failure only in auth.log", journalAuth + "2026-12-06T12:31:49.240000+00:00 vm sshd[14260]: Failed password for root from 203.0.113.5 port 40011 ssh2\n", true, "4"},
		{"same message, other pid", "2026-12-06T12:31:49.095911+00:00 vm sshd[999]: Failed password for root from 203.0.113.5 port 40001 ssh2\n", true, ""},
		{"same message, two seconds later", "2026-12-06T12:31:51.500000+00:00 vm sshd[14236]: Failed password for root from 203.0.113.5 port 40001 ssh2\n", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := enginetest.Run(t, New(Options{Rules: cfg}), rootWithJournal(t, tt.auth), false)
			if got := len(res.Find(rules.RuleBruteSource)) > 0; got != tt.fires {
				t.Errorf("brute force found %v, want %v (%v)", got, tt.fires, res.Rules())
			}
			var dups string
			for _, f := range res.Find(RuleCoverage) {
				if f.Subject != "/var/log/auth.log" {
					dups += f.Evidence.Extra["duplicates"]
				}
			}
			if dups != tt.dups {
				t.Errorf("duplicates %q, want %q", dups, tt.dups)
			}
		})
	}
}
