package logs

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/logs/rules"
	"github.com/vigil-ir/vigil/internal/logs/utmptest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// wtmpdbRows is what pam_wtmpdb recorded beside wtmp(): the boot, the
// same daily logins of deploy a few seconds earlier (PAM opens the session
// before sshd writes wtmp, with the tty "ssh": the terminal does not exist
// yet), and ansible's sessions without a terminal, which only wtmpdb
// holds. skip leaves out the login of that day (-1: none).
func wtmpdbRows(skip int) []utmptest.DBRow { return wtmpdbRowsTTY(skip, "ssh") }

// wtmpdbRowsTTY is wtmpdbRows with deploy's sessions under tty.
func wtmpdbRowsTTY(skip int, tty string) []utmptest.DBRow {
	rows := []utmptest.DBRow{{Type: 2, User: "reboot", Login: day0.Add(-time.Hour), TTY: "~", Host: "6.12.0-1-amd64"}}
	for d := range 7 {
		at := day0.Add(time.Duration(d)*24*time.Hour + 9*time.Hour)
		rows = append(rows, utmptest.DBRow{Type: 3, User: "ansible", Login: at.Add(-2 * time.Hour), Logout: at.Add(-2*time.Hour + time.Minute), TTY: "ssh", Host: "10.0.0.9", Service: "sshd"})
		if d != skip {
			rows = append(rows, utmptest.DBRow{Type: 3, User: "deploy", Login: at.Add(-3 * time.Second), Logout: at.Add(time.Hour), TTY: tty, Host: "10.0.0.5", Service: "sshd"})
		}
	}
	return rows
}

func TestLoginHistoriesAgree(t *testing.T) {
	removedFromWtmp := wtmp()
	removedFromWtmp = append(removedFromWtmp[:7], removedFromWtmp[9:]...) // day 3's login and logout
	deleted := wtmpdbRows(-1)
	for i := range deleted {
		deleted[i].ID = int64(i + 1)
	}
	deleted = append(deleted[:8], deleted[9:]...) // a row in the middle (sqlite3 DELETE)
	blank := wtmpdbRows(-1)
	blank[6].User = ""
	tests := []struct {
		name string
		wtmp []utmptest.Rec
		db   []utmptest.DBRow
		want string
		sev  model.Severity
	}{
		{"both agree (Debian 13)", wtmp(), wtmpdbRows(-1), "", 0},
		{"wtmpdb alone (no wtmp to compare)", nil, wtmpdbRows(-1), "", 0},
		{"sshd sessions under tty ssh, wtmp cut: not judged", removedFromWtmp, wtmpdbRows(-1), "", 0},
		{"both name the terminal (pts/0)", wtmp(), wtmpdbRowsTTY(-1, "pts/0"), "", 0},
		{"a terminal login removed from wtmp", removedFromWtmp, wtmpdbRowsTTY(-1, "pts/0"), rules.RuleLoginDBMismatch, model.Medium},
		{"a login missing from wtmpdb", wtmp(), wtmpdbRows(4), rules.RuleLoginDBMismatch, model.Medium},
		{"a wtmpdb row deleted", wtmp(), deleted, rules.RuleWtmpdbRemoved, model.High},
		{"a wtmpdb row blanked", wtmp(), blank, rules.RuleWtmpdbRemoved, model.High},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := testutil.RootFromString(t, rootFiles)
			if tc.wtmp != nil {
				writeFiles(t, r, map[string][]byte{"var/log/wtmp": utmptest.Encode(tc.wtmp...)})
			}
			p := filepath.Join(r, "var/lib/wtmpdb/wtmp.db")
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := utmptest.Wtmpdb(p, tc.db...); err != nil {
				t.Fatal(err)
			}
			res := enginetest.Run(t, New(Options{}), r, false)
			if tc.want == "" {
				enginetest.Quiet(t, res.Findings, model.Low)
				return
			}
			got := res.Find(tc.want)
			if len(got) == 0 {
				t.Fatalf("%s did not fire: %v", tc.want, res.Rules())
			}
			if got[0].Severity != tc.sev || got[0].Evidence.Path == "" || got[0].Evidence.Note.IsZero() {
				t.Errorf("grade %v, evidence %+v", got[0].Severity, got[0].Evidence)
			}
			if tc.want == rules.RuleLoginDBMismatch && got[0].Evidence.Extra["values"] != "deploy@10.0.0.5" {
				t.Errorf("evidence %+v", got[0].Evidence.Extra)
			}
		})
	}
}
