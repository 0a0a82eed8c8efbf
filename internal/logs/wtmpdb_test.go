package logs

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/testutil"
)

// TestWtmpdb reads a wtmpdb database made with wtmpdb's schema.
func TestWtmpdb(t *testing.T) {
	tg := writeRoot(t, logFile{name: "etc/passwd", text: "root:x:0:0::/root:/bin/bash\n"})
	p := filepath.Join(tg.Root(), "var/lib/wtmpdb/wtmp.db")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	us := func(s string) int64 { tm, _ := time.Parse(time.RFC3339, s); return tm.UnixMicro() }
	for _, q := range []string{
		"CREATE TABLE wtmp(ID INTEGER PRIMARY KEY, Type INTEGER, User TEXT NOT NULL, Login INTEGER, Logout INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT)",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	rows := []struct {
		typ           int
		user          string
		login, logout int64
		tty, host     string
	}{
		{2, "reboot", us("2026-11-01T08:00:00Z"), 0, "~", "6.12.0"},
		{3, "ops", us("2026-11-24T09:12:44Z"), us("2026-11-24T09:30:00Z"), "pts/0", "198.51.100.23"},
		{3, "root", us("2026-11-25T01:00:00Z"), 0, "tty1", ""},
	}
	for _, r := range rows {
		if _, err := db.Exec("INSERT INTO wtmp (Type, User, Login, Logout, TTY, RemoteHost, Service) VALUES (?,?,?,?,?,?,?)", r.typ, r.user, r.login, r.logout, r.tty, r.host, "sshd"); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	srcs := Discover(tg)
	if len(srcs) != 1 || srcs[0].Format != FormatWtmpdb {
		t.Fatalf("sources %+v", srcs)
	}
	evs, cov, gaps := readAll(t, tg, srcs[0], Options{})
	if len(gaps.Gaps) != 0 || len(evs) != 4 {
		t.Fatalf("%d events, gaps %v", len(evs), gaps.Gaps)
	}
	cov.Name = ""
	testutil.Golden(t, "testdata/wtmpdb.golden", goldenEventsRaw(t, evs, cov))
	if _, err := os.Stat(p + "-wal"); err == nil {
		t.Error("reading wrote a write-ahead log beside the database")
	}
}

// FuzzWtmpdb reads damaged wtmpdb files: never a panic, never a write.
func FuzzWtmpdb(f *testing.F) {
	f.Add([]byte("SQLite format 3\x00"), int64(0))
	f.Add([]byte("not a database"), int64(3))
	f.Fuzz(func(t *testing.T, data []byte, _ int64) {
		dir := t.TempDir()
		tg := writeRootAt(t, dir, logFile{name: "var/lib/wtmpdb/wtmp.db", text: string(data)})
		src := Source{Name: "/var/lib/wtmpdb/wtmp.db", Format: FormatWtmpdb, Files: []File{{Path: "/var/lib/wtmpdb/wtmp.db"}}}
		evs, cov, _ := readAll(t, tg, src, Options{})
		if int64(len(evs)) != cov.Events {
			t.Fatalf("%d events, coverage %+v", len(evs), cov)
		}
	})
}
