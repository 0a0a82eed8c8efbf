package logs

import (
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/logs/rules"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// datedSecure is five weeks of RHEL's secure rotated weekly with dateext
// (secure-YYYYMMDD, compressed but for the newest), a line every 10
// minutes; drop names a copy to leave out, cut one to cut mid-line.
func datedSecure(t *testing.T, drop, cut string) map[string][]byte {
	start := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)
	names := []string{"var/log/secure-20261108.gz", "var/log/secure-20261115.gz", "var/log/secure-20261122.gz", "var/log/secure-20261129", "var/log/secure"}
	files := map[string][]byte{}
	for i, name := range names {
		text := authDay(start.Add(time.Duration(i)*7*24*time.Hour), 7*144, 10*time.Minute)
		if name == cut {
			text = text[:len(text)-30]
		}
		data := []byte(text)
		if strings.HasSuffix(name, ".gz") {
			data = gzText(t, text)
		}
		if name != drop {
			files[name] = data
		}
	}
	return files
}

// TestDatedRotations: the rotation rules judge dated copies (logrotate's
// dateext) as they judge numbered ones.
func TestDatedRotations(t *testing.T) {
	tests := []struct {
		name  string
		files map[string][]byte
		want  []string // rule ids; none for a clean root
	}{
		{"clean weekly dated series", datedSecure(t, "", ""), nil},
		{"clean daily dated messages", dailyMessages(""), nil},
		{"a dated copy deleted", datedSecure(t, "var/log/secure-20261115.gz", ""), []string{rules.RuleRotationMissing}},
		{"a daily copy deleted: the silence across it too", dailyMessages("var/log/messages-20261204"), []string{rules.RuleRotationMissing, rules.RuleTimeGap}},
		{"a dated copy cut", datedSecure(t, "", "var/log/secure-20261129"), []string{rules.RuleRotationCut}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := testutil.RootFromString(t, rootFiles)
			writeFiles(t, r, tc.files)
			res := enginetest.Run(t, New(Options{}), r, false)
			if len(tc.want) == 0 {
				enginetest.Quiet(t, res.Findings, model.Low)
				return
			}
			for _, want := range tc.want {
				got := res.Find(want)
				if len(got) == 0 {
					t.Fatalf("%s did not fire: %v", want, res.Rules())
				}
				if got[0].Severity < model.Medium {
					t.Errorf("%s graded %v", want, got[0].Severity)
				}
			}
			if got := res.Find(rules.RuleRotationMissing); len(got) > 0 && strings.Contains(tc.name, "dated copy") {
				x := got[0].Evidence.Extra
				if x["missing"] != "/var/log/secure-20261115" || x["schedule"] != "weekly" || got[0].Confidence != model.ConfLow {
					t.Errorf("evidence %+v, confidence %v", x, got[0].Confidence)
				}
			}
		})
	}
}

// dailyMessages is six days of messages rotated daily with dateext, a
// line a minute (busy enough for the time-gap rule); drop leaves one out.
func dailyMessages(drop string) map[string][]byte {
	files := map[string][]byte{}
	for i, name := range []string{"var/log/messages-20261202", "var/log/messages-20261203", "var/log/messages-20261204", "var/log/messages-20261205", "var/log/messages-20261206", "var/log/messages"} {
		if name != drop {
			files[name] = []byte(authDay(time.Date(2026, 12, 1+i, 0, 0, 0, 0, time.UTC), 1440, time.Minute))
		}
	}
	return files
}
