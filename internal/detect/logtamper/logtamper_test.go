package logtamper

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/logs"
	"github.com/vigil-ir/vigil/internal/logs/utmptest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// rec is a utmp record to encode in a fixture.
type rec = utmptest.Rec

func encodeAll(recs ...rec) []byte { return utmptest.Encode(recs...) }

func encode(r rec) []byte { return utmptest.Encode(r) }

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// The lived-in history: a boot, root on the console, ops over ssh.
var (
	boot      = utmptest.R(logs.UtBootTime, 0, "~", "reboot", "6.1.0-27-amd64", ts("2026-11-01T08:00:00Z"))
	runlevel  = utmptest.R(logs.UtRunLevel, 53, "~", "runlevel", "6.1.0-27-amd64", ts("2026-11-01T08:00:05Z"))
	rootLogin = utmptest.R(logs.UtUserProcess, 611, "tty1", "root", "", ts("2026-11-20T10:00:00Z"))
	rootOut   = utmptest.R(logs.UtDeadProcess, 611, "tty1", "", "", ts("2026-11-20T10:20:00Z"))
	opsLogin  = utmptest.R(logs.UtUserProcess, 18811, "pts/0", "ops", "198.51.100.23", ts("2026-11-24T09:12:44Z"))
	opsOut    = utmptest.R(logs.UtDeadProcess, 18811, "pts/0", "", "", ts("2026-11-24T09:30:00Z"))
)

var cleanWtmp = []rec{boot, runlevel, rootLogin, rootOut, opsLogin, opsOut}

func lastlogBytes(entries map[uint32]rec) []byte { return utmptest.Lastlog(entries) }

func write(t testing.TB, dir, p string, b []byte, mtime time.Time) {
	t.Helper()
	hp := filepath.Join(dir, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(hp), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hp, b, 0o664); err != nil {
		t.Fatal(err)
	}
	if !mtime.IsZero() {
		if err := os.Chtimes(hp, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
}

// fixture builds the clean root plus extra txtar entries, writes the
// binary login records, then applies mutate.
func fixture(t testing.TB, extra string, mutate func(dir string)) string {
	t.Helper()
	clean, err := os.ReadFile("testdata/clean.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := testutil.RootFromString(t, string(clean)+extra)
	write(t, dir, "var/log/wtmp", encodeAll(cleanWtmp...), opsOut.At)
	write(t, dir, "run/utmp", encodeAll(boot, runlevel, opsLogin), opsLogin.At)
	write(t, dir, "var/log/lastlog", lastlogBytes(map[uint32]rec{0: rootLogin, 1000: opsLogin}), opsLogin.At)
	if mutate != nil {
		mutate(dir)
	}
	return dir
}

func hostPath(dir, p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }

func TestCleanLivedInIsQuiet(t *testing.T) {
	for _, live := range []bool{false, true} {
		r := enginetest.Run(t, New(), fixture(t, "", nil), live)
		for _, f := range r.Findings {
			t.Errorf("live=%v: false positive: %s %s %s %q %v", live, f.Severity, f.RuleID, f.Subject, f.Evidence.Text, f.Evidence.Extra)
		}
		for _, g := range r.Gaps {
			t.Errorf("live=%v: unexpected gap: %+v", live, g)
		}
	}
}

// hasBirthTime reports whether the test filesystem records birth times,
// which the emptied-in-place check needs.
func hasBirthTime(t *testing.T) bool {
	f := filepath.Join(t.TempDir(), "x")
	os.WriteFile(f, nil, 0o644)
	_, _, b, _ := statTimes(f)
	return !b.IsZero()
}

func TestFires(t *testing.T) {
	future := time.Now().Add(2 * time.Hour)
	tests := []struct {
		name    string
		extra   string
		mutate  func(dir string)
		live    bool
		btime   bool // needs birth times
		rule    string
		subject string
		min     model.Severity
	}{
		{"wtmp linked to /dev/null", "", func(d string) {
			os.Remove(hostPath(d, "var/log/wtmp"))
			os.Symlink("/dev/null", hostPath(d, "var/log/wtmp"))
		}, false, false, ruleDevNull, "/var/log/wtmp", model.Critical},
		{"auth.log linked to /dev/null", "", func(d string) {
			os.Remove(hostPath(d, "var/log/auth.log"))
			os.Symlink("../../dev/null", hostPath(d, "var/log/auth.log"))
		}, false, false, ruleDevNull, "/var/log/auth.log", model.Critical},
		{"app log linked to /dev/null", "-- var/log/app/debug.log -> /dev/null --\n", nil, false, false, ruleDevNull, "/var/log/app/debug.log", model.Medium},
		{"auth.log deleted, rotations remain", "", func(d string) {
			os.Remove(hostPath(d, "var/log/auth.log"))
		}, false, false, ruleMissing, "/var/log/auth.log", model.High},
		{"auth.log never rotated and deleted", "", func(d string) {
			for _, p := range []string{"var/log/auth.log", "var/log/auth.log.1", "var/log/auth.log.2.gz"} {
				os.Remove(hostPath(d, p))
			}
		}, false, false, ruleMissing, "/var/log/auth.log", model.High},
		{"wtmp wiped on a used system", "", func(d string) {
			write(t, d, "var/log/wtmp", nil, time.Time{})
		}, false, false, ruleLoginWiped, "/var/log/wtmp", model.High},
		{"auth.log wiped, no rotation explains it", "", func(d string) {
			os.Remove(hostPath(d, "var/log/auth.log.1"))
			os.Remove(hostPath(d, "var/log/auth.log.2.gz"))
			write(t, d, "var/log/auth.log", nil, time.Time{})
		}, false, false, ruleLoginWiped, "/var/log/auth.log", model.High},
		{"journal files deleted, no sign of use", "", func(d string) {
			files, _ := filepath.Glob(hostPath(d, "var/log/journal/*/*"))
			for _, f := range files {
				os.Remove(f)
			}
			write(t, d, "var/log/lastlog", nil, time.Time{})
		}, false, false, ruleJournalGone, "/var/log/journal/4f0c8e1a9b2d4c6e8f0a1b2c3d4e5f60", model.Medium},
		{"wtmp wiped, only a history shows use", "-- home/ops/.bash_history --\nsudo -i\n", func(d string) {
			write(t, d, "var/log/wtmp", nil, time.Time{})
			write(t, d, "var/log/lastlog", nil, time.Time{})
		}, false, false, ruleLoginWiped, "/var/log/wtmp", model.High},
		{"wtmp deleted", "", func(d string) {
			os.Remove(hostPath(d, "var/log/wtmp"))
		}, false, false, ruleMissing, "/var/log/wtmp", model.High},
		{"btmp deleted", "", func(d string) {
			os.Remove(hostPath(d, "var/log/btmp"))
		}, false, false, ruleMissing, "/var/log/btmp", model.Medium},
		{"auth.log truncated", "", func(d string) {
			write(t, d, "var/log/auth.log", nil, future)
		}, false, true, ruleEmptied, "/var/log/auth.log", model.High},
		{"wtmp truncated", "", func(d string) {
			write(t, d, "var/log/wtmp", nil, future)
		}, false, true, ruleEmptied, "/var/log/wtmp", model.High},
		{"auth.log older than its rotation", "", func(d string) {
			os.Chtimes(hostPath(d, "var/log/auth.log"), ts("2026-11-20T00:00:00Z"), ts("2026-11-20T00:00:00Z"))
		}, false, false, ruleTimestamp, "/var/log/auth.log", model.Medium},
		{"rotation hole", "-- var/log/syslog.4.gz mtime=2026-11-01T00:00:00Z --\nx\n", nil, false, false, ruleRotationGap, "/var/log/syslog", model.Medium},
		{"dated rotation hole (RHEL dateext)", "-- var/log/secure --\nx\n-- var/log/secure-20261101 --\nx\n-- var/log/secure-20261108.gz --\nx\n-- var/log/secure-20261122.gz --\nx\n",
			nil, false, false, ruleRotationGap, "/var/log/secure", model.Medium},
		{"wtmp cut mid-record", "", func(d string) {
			write(t, d, "var/log/wtmp", append(encodeAll(cleanWtmp...), make([]byte, 100)...), opsOut.At)
		}, false, false, ruleTruncated, "/var/log/wtmp", model.High},
		{"wtmp record zeroed", "", func(d string) {
			b := encodeAll(cleanWtmp...)
			clear(b[4*logs.RecordSize : 5*logs.RecordSize])
			write(t, d, "var/log/wtmp", b, opsOut.At)
		}, false, false, ruleWiped, "/var/log/wtmp", model.High},
		{"btmp record garbled", "", func(d string) {
			bad := encode(utmptest.R(77, 1, "ssh:notty", "x", "203.0.113.9", ts("2026-11-24T01:00:00Z")))
			write(t, d, "var/log/btmp", append(encodeAll(utmptest.R(logs.UtLoginProcess, 99, "ssh:notty", "admin", "203.0.113.9", ts("2026-11-24T00:59:00Z"))), bad...), ts("2026-11-24T01:00:00Z"))
		}, false, false, ruleWiped, "/var/log/btmp", model.High},
		{"wtmp time set back", "", func(d string) {
			os.Chtimes(hostPath(d, "var/log/wtmp"), ts("2026-11-21T00:00:00Z"), ts("2026-11-21T00:00:00Z"))
		}, false, false, ruleTimestamp, "/var/log/wtmp", model.Medium},
		{"login removed from wtmp", "", func(d string) {
			write(t, d, "var/log/wtmp", encodeAll(boot, runlevel, rootLogin, rootOut), rootOut.At)
		}, false, false, ruleLastlog, "uid 1000 (ops)", model.Medium},
		{"login erased from the middle of wtmp", "", func(d string) {
			write(t, d, "var/log/lastlog", lastlogBytes(map[uint32]rec{0: rootLogin, 1000: opsLogin,
				1001: {Line: "pts/1", Host: "203.0.113.50", At: ts("2026-11-22T03:00:00Z")}}), opsLogin.At)
		}, false, false, ruleLastlog, "uid 1001", model.Medium},
		{"journald Storage=none", "-- etc/systemd/journald.conf.d/quiet.conf --\n[Journal]\nStorage=none\n", nil, false, false, ruleJournalOff, "/etc/systemd/journald.conf.d/quiet.conf", model.Medium},
		{"journal files deleted", "", func(d string) {
			jd := hostPath(d, "var/log/journal/4f0c8e1a9b2d4c6e8f0a1b2c3d4e5f60")
			ents, _ := os.ReadDir(jd)
			for _, e := range ents {
				os.Remove(filepath.Join(jd, e.Name()))
			}
		}, false, false, ruleLoginWiped, "/var/log/journal/4f0c8e1a9b2d4c6e8f0a1b2c3d4e5f60", model.High},
		{"deleted auth.log held open", "-- proc/612/comm --\nrsyslogd\n-- proc/612/fd/7 -> /var/log/auth.log (deleted) --\n", func(d string) {
			os.Remove(hostPath(d, "var/log/auth.log"))
		}, true, false, ruleDeletedOpen, "/var/log/auth.log", model.High},
		{"wtmp replaced by a device", "", func(d string) {
			os.Remove(hostPath(d, "var/log/wtmp"))
			if err := syscall.Mknod(hostPath(d, "var/log/wtmp"), syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
				t.Skip("mknod needs root")
			}
		}, false, false, ruleDevNull, "/var/log/wtmp", model.Critical},
	}
	birth := hasBirthTime(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.btime && !birth {
				t.Skip("filesystem has no birth times")
			}
			r := enginetest.Run(t, New(), fixture(t, tc.extra, tc.mutate), tc.live)
			var got *model.Finding
			for i, f := range r.Findings {
				if f.RuleID == tc.rule && strings.Contains(f.Subject, tc.subject) {
					got = &r.Findings[i]
				}
			}
			if got == nil {
				t.Fatalf("no %s for %s; got %v", tc.rule, tc.subject, describe(r.Findings))
			}
			if got.Severity < tc.min {
				t.Errorf("severity %s < %s: %q", got.Severity, tc.min, got.Evidence.Text)
			}
			if got.Evidence.Path == "" || got.Evidence.Text == "" {
				t.Errorf("evidence incomplete: %+v", got.Evidence)
			}
		})
	}
}

func describe(fs []model.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.RuleID+" "+f.Subject+" "+f.Severity.String())
	}
	return out
}

// A used image that shows no boot: the wipe is listed low, with why; a log
// the syslog configuration writes, missing on an image that never ran with
// it, is info with the reason.
func TestWipedGrading(t *testing.T) {
	noBoot := func(d string) {
		for _, p := range []string{"var/log/syslog", "var/log/syslog.1", "var/log/syslog.2.gz", "var/log/auth.log", "var/log/auth.log.1", "var/log/auth.log.2.gz", "var/log/kern.log", "var/log/journal"} {
			os.RemoveAll(hostPath(d, p))
		}
		write(t, d, "var/log/wtmp", nil, time.Time{})
		write(t, d, "var/log/lastlog", nil, time.Time{})
	}
	r := enginetest.Run(t, New(), fixture(t, "-- root/.bash_history --\nls\n", noBoot), false)
	fs := r.Find(ruleLoginWiped)
	if len(fs) != 1 || fs[0].Severity != model.Low || fs[0].Evidence.Note.ID != "logtamper.note.wiped-maybe-image" {
		t.Errorf("want one low wipe with a reason, got %v", describe(r.Findings))
	}
	r = enginetest.Run(t, New(), fixture(t, "", noBoot), false)
	if len(r.Find(ruleLoginWiped)) != 0 {
		t.Errorf("unused image judged wiped: %v", describe(r.Findings))
	}
	var info bool
	for _, f := range r.Find(ruleMissing) {
		if f.Subject == "/var/log/auth.log" && f.Severity == model.Info && f.Evidence.Note.ID == "logtamper.note.missing-never-booted" {
			info = true
		}
	}
	if !info || len(r.AtLeast(model.Low)) != 0 {
		t.Errorf("want auth.log missing as info only, got %v", describe(r.Findings))
	}
}

// TestQuietCases are situations that look odd but are normal.
func TestQuietCases(t *testing.T) {
	tests := []struct {
		name   string
		extra  string
		mutate func(dir string)
	}{
		{"no rsyslog: Debian 12 default journal only", "", func(d string) {
			for _, p := range []string{"usr/sbin/rsyslogd", "var/log/auth.log", "var/log/syslog", "var/log/kern.log"} {
				os.Remove(hostPath(d, p))
			}
		}},
		{"rsyslog removed, old rotations left", "", func(d string) {
			os.Remove(hostPath(d, "usr/sbin/rsyslogd"))
			os.Remove(hostPath(d, "var/log/auth.log"))
		}},
		{"docker image: empty login files, nothing ran", "", func(d string) {
			for _, p := range []string{"var/log/syslog", "var/log/syslog.1", "var/log/syslog.2.gz", "var/log/auth.log", "var/log/auth.log.1", "var/log/auth.log.2.gz", "var/log/kern.log", "usr/sbin/rsyslogd", "var/log/journal"} {
				os.RemoveAll(hostPath(d, p))
			}
			write(t, d, "var/log/wtmp", nil, ts("2026-10-01T00:00:00Z"))
			write(t, d, "var/log/lastlog", nil, ts("2026-10-01T00:00:00Z"))
		}},
		{"wtmp just rotated", "", func(d string) {
			os.Rename(hostPath(d, "var/log/wtmp"), hostPath(d, "var/log/wtmp.1"))
			write(t, d, "var/log/wtmp", nil, time.Time{})
		}},
		{"wtmpdb system without wtmp", "-- var/lib/wtmpdb/wtmp.db --\nSQLite format 3\n", func(d string) {
			os.Remove(hostPath(d, "var/log/wtmp"))
		}},
		{"login older than wtmp's rotation", "", func(d string) {
			write(t, d, "var/log/wtmp", encodeAll(opsLogin, opsOut), opsOut.At)
		}},
		{"copytruncate rotation of syslog", "-- etc/logrotate.d/zz-local --\n/var/log/syslog\n{\n\tcopytruncate\n}\n", func(d string) {
			write(t, d, "var/log/syslog", nil, time.Now().Add(2*time.Hour))
		}},
		{"app log rotated and recompressed while held open", "-- proc/900/comm --\nnginx\n-- proc/900/fd/3 -> /var/log/nginx/access.log.1 (deleted) --\n-- proc/900/fd/4 -> /var/log/journal/4f0c8e1a9b2d4c6e8f0a1b2c3d4e5f60/system@x.journal (deleted) --\n", nil},
		{"RHEL weekly dateext series", "-- var/log/secure --\nx\n-- var/log/secure-20261108 mtime=2026-11-08T03:00:00Z --\nx\n-- var/log/secure-20261115 mtime=2026-11-15T03:00:00Z --\nx\n" +
			"-- var/log/secure-20261122 mtime=2026-11-22T03:00:00Z --\nx\n-- var/log/secure-20261129 mtime=2026-11-29T03:00:00Z --\nx\n", nil},
		{"hostile entries in /var/log", "-- var/log/fifo fifo --\n-- var/log/loop/a -> b --\n-- var/log/loop/b -> a --\n-- var/log/\xff\xfe.log --\nx\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := enginetest.Run(t, New(), fixture(t, tc.extra, tc.mutate), true)
			enginetest.Quiet(t, r.Findings, model.Low)
		})
	}
}

func TestSparseLastlog(t *testing.T) {
	dir := fixture(t, "", nil)
	hp := hostPath(dir, "var/log/lastlog")
	f, err := os.OpenFile(hp, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	// nfsnobody's uid makes the file about a terabyte, nearly all hole.
	entry := lastlogBytes(map[uint32]rec{0: {Line: "pts/3", Host: "203.0.113.77", At: ts("2026-11-23T04:00:00Z")}})
	if _, err := f.WriteAt(entry, int64(4294967294)*logs.LastlogSize); err != nil {
		f.Close()
		t.Skipf("filesystem refuses a sparse terabyte file: %v", err)
	}
	f.Close()
	r := enginetest.Run(t, New(), dir, false)
	if !r.Has(ruleLastlog, "uid 4294967294") {
		t.Errorf("entry past the hole not read: %v", describe(r.Findings))
	}
}

func TestParseRotated(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
		num  int
	}{
		{"auth.log.1", true, 1}, {"auth.log.2.gz", true, 2}, {"auth.log-20261101", true, 20261101},
		{"auth.log-20261101.gz", true, 20261101}, {"auth.logx", false, 0}, {"auth.log.", false, 0}, {"auth.log.bak", false, 0},
	}
	for _, tc := range tests {
		rot, ok := parseRotated("auth.log", tc.name)
		if ok != tc.ok || rot.num != tc.num {
			t.Errorf("%s: got %v %+v", tc.name, ok, rot)
		}
	}
}

func FuzzParseUtmp(f *testing.F) {
	f.Add(encodeAll(cleanWtmp...))
	f.Add(append(encode(opsLogin), 1, 2, 3))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		u := logs.ParseUtmp(b)
		if len(u.Records)*logs.RecordSize+u.Trailing != len(b) {
			t.Fatalf("records %d trailing %d for %d bytes", len(u.Records), u.Trailing, len(b))
		}
		for i, r := range u.Records {
			if r.Index != i || len(r.Line) > 32 || len(r.User) > 32 || len(r.Host) > 256 {
				t.Fatalf("bad record %+v", r)
			}
			bracket(u.Records, i)
		}
	})
}

func FuzzParseLastlog(f *testing.F) {
	f.Add(lastlogBytes(map[uint32]rec{3: opsLogin}), int64(0))
	f.Add([]byte{1, 2, 3}, int64(291))
	f.Fuzz(func(t *testing.T, b []byte, off int64) {
		for _, e := range logs.ParseLastlog(b, off) {
			if e.Time.Unix() == 0 || len(e.Line) > 32 {
				t.Fatalf("bad entry %+v", e)
			}
		}
	})
}

func BenchmarkLogtamper(b *testing.B) {
	dir := fixture(b, "", nil)
	for b.Loop() {
		enginetest.Run(b, New(), dir, false)
	}
}

func FuzzDpkgLogTime(f *testing.F) {
	f.Add("2026-11-20 10:00:00 status installed nginx:amd64 1.22.1")
	f.Add("2026-13-40 99:00:00 x")
	f.Fuzz(func(t *testing.T, s string) {
		if _, ok := DpkgLogTime(s); ok && len(s) < 19 {
			t.Fatalf("time read from a short line %q", s)
		}
	})
}
