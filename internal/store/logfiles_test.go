package store

import (
	"context"
	"testing"
	"time"
)

func TestLogFilesRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	defer s.Close()
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	auth := []LogFileState{
		{Log: "/var/log/auth.log", Path: "/var/log/auth.log", Dev: 1<<63 + 5, Ino: 12, Size: 900, Head: "aa", HeadLen: 80, ModTime: t0, Seen: t0, Run: "r1"},
		{Log: "/var/log/auth.log", Path: "/var/log/auth.log.1", Rotation: 1, Ino: 11, Size: 5000, Head: "bb", HeadLen: 80, ModTime: t0, Seen: t0, Run: "r1"},
	}
	sys := []LogFileState{{Log: "/var/log/syslog", Path: "/var/log/syslog", Ino: 20, Size: 1, Seen: t0}}
	if err := s.RecordLogFiles(ctx, "live|h", []string{"/var/log/auth.log", "/var/log/syslog"}, append(auth, sys...)); err != nil {
		t.Fatal(err)
	}
	// A second run that read auth.log alone replaces its rows, keeps syslog's.
	again := []LogFileState{{Log: "/var/log/auth.log", Path: "/var/log/auth.log", Ino: 12, Size: 1000, Head: "aa", HeadLen: 80, Seen: t0.Add(time.Hour), Run: "r2"}}
	if err := s.RecordLogFiles(ctx, "live|h", []string{"/var/log/auth.log"}, again); err != nil {
		t.Fatal(err)
	}
	got, err := s.LogFileStates(ctx, "live|h")
	if err != nil || len(got) != 2 {
		t.Fatalf("states %+v %v", got, err)
	}
	if got[0].Path != "/var/log/auth.log" || got[0].Size != 1000 || got[0].Run != "r2" || !got[0].Seen.Equal(t0.Add(time.Hour)) || got[1].Path != "/var/log/syslog" {
		t.Errorf("states %+v", got)
	}
	if err := s.RecordLogFiles(ctx, "live|h", nil, auth[:1]); err != nil {
		t.Fatal(err)
	}
	got, _ = s.LogFileStates(ctx, "live|h")
	if got[0].Dev != 1<<63+5 || !got[0].ModTime.Equal(t0) {
		t.Errorf("device number or time lost: %+v", got[0])
	}
	if other, _ := s.LogFileStates(ctx, "live|other"); len(other) != 0 {
		t.Errorf("another target's states: %+v", other)
	}
}
