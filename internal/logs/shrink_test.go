package logs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/target"
)

// authLines returns n syslog lines of day, numbered from first.
func authLines(day string, first, n int) string {
	var b strings.Builder
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&b, "%s 10:%02d:%02d web1 sshd[%d]: Accepted publickey for deploy from 10.0.0.%d port 5%04d ssh2\n", day, i/60%60, i%60, 1000+i, i%250, i)
	}
	return b.String()
}

// TestCompareBetweenRuns runs the memory twice over a log directory,
// changing it in between as logrotate, a growing log or an intruder would.
func TestCompareBetweenRuns(t *testing.T) {
	a, b, c := authLines("Dec  1", 0, 40), authLines("Dec  2", 0, 40), authLines("Dec  3", 0, 40)
	tests := []struct {
		name    string
		before  map[string]string
		between func(dir string)
		want    string // kinds of the changes, joined
	}{
		{"growing log", map[string]string{"auth.log": a}, func(d string) { appendTo(d, "auth.log", b) }, ""},
		{"logrotate create", map[string]string{"auth.log": a}, func(d string) {
			mv(d, "auth.log", "auth.log.1")
			write(d, "auth.log", b)
		}, ""},
		{"logrotate create, compressed later", map[string]string{"auth.log": b, "auth.log.1": a}, func(d string) {
			write(d, "auth.log.2.gz", string(gz(t, a)))
			rm(d, "auth.log.1")
			mv(d, "auth.log", "auth.log.1")
			write(d, "auth.log", c)
		}, ""},
		{"copytruncate with the old content in .1", map[string]string{"auth.log": a}, func(d string) {
			write(d, "auth.log.1", a+b)
			truncate(d, "auth.log", c[:200])
		}, ""},
		{"dated rotation", map[string]string{"secure": b, "secure-20261201": a}, func(d string) {
			mv(d, "secure", "secure-20261202")
			write(d, "secure", c)
		}, ""},
		{"rotated out of retention", map[string]string{"auth.log": a}, func(d string) {
			write(d, "auth.log.1", c)
			write(d, "auth.log", c+c)
		}, ""},
		{"empty before", map[string]string{"auth.log": ""}, func(d string) { write(d, "auth.log", b) }, ""},
		{"tail cut in place", map[string]string{"auth.log": a + b}, func(d string) { truncate(d, "auth.log", a) }, "shrank"},
		{"rewritten shorter (sed -i)", map[string]string{"auth.log": a + b}, func(d string) {
			rm(d, "auth.log")
			write(d, "auth.log", a)
		}, "shrank"},
		{"emptied in place, then written", map[string]string{"auth.log": a + b}, func(d string) { truncate(d, "auth.log", c[:300]) }, "replaced"},
		{"rotated copy cut", map[string]string{"auth.log": b, "auth.log.1": a}, func(d string) { truncate(d, "auth.log.1", a[:500]) }, "shrank"},
		{"rotated copy of the last run deleted", map[string]string{"auth.log": b, "auth.log.1": a}, func(d string) {
			write(d, "auth.log.2", a)
			rm(d, "auth.log.1")
			rm(d, "auth.log")
			write(d, "auth.log", c)
		}, "replaced"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "var", "log")
			os.MkdirAll(filepath.Join(root, "etc"), 0o755)
			os.MkdirAll(dir, 0o755)
			os.MkdirAll(filepath.Join(root, "var", "lib", "dpkg"), 0o755)
			write(root, "var/lib/dpkg/status", "")
			write(root, "etc/passwd", "root:x:0:0::/root:/bin/sh\n")
			write(root, "etc/os-release", "ID=debian\n")
			for name, body := range tt.before {
				write(dir, name, body)
			}
			tg, err := target.OpenRoot(root)
			if err != nil {
				t.Fatal(err)
			}
			name := "/var/log/auth.log"
			if _, ok := tt.before["secure"]; ok {
				name = "/var/log/secure"
			}
			t0 := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
			src, _ := Rotated(tg, name, FormatAuth)
			prev := States(tg, src, t0)
			for i := range prev {
				prev[i].head, prev[i].Run = nil, "r1" // as the store gives them back
			}
			tt.between(dir)
			src, _ = Rotated(tg, name, FormatAuth)
			var kinds []string
			for _, ch := range Compare(prev, States(tg, src, t0.Add(24*time.Hour))) {
				kinds = append(kinds, ch.Kind)
				if ch.Before.Run != "r1" || ch.Before.Size == 0 {
					t.Errorf("evidence of %+v", ch)
				}
			}
			if got := strings.Join(kinds, ","); got != tt.want {
				t.Errorf("changes %q, want %q", got, tt.want)
			}
		})
	}
}

func write(dir, name, body string) {
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		panic(err)
	}
}

func appendTo(dir, name, body string) {
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		panic(err)
	}
	f.WriteString(body)
	f.Close()
}

// truncate empties the file in place (the same inode) and writes body.
func truncate(dir, name, body string) {
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_TRUNC|os.O_WRONLY, 0)
	if err != nil {
		panic(err)
	}
	f.WriteString(body)
	f.Close()
}

func mv(dir, from, to string) {
	if err := os.Rename(filepath.Join(dir, from), filepath.Join(dir, to)); err != nil {
		panic(err)
	}
}

func rm(dir, name string) { os.Remove(filepath.Join(dir, name)) }

// FuzzCompare: any pair of states (sizes, inodes, heads, rotations) is
// judged without a panic, and a log unchanged since is never a change.
func FuzzCompare(f *testing.F) {
	f.Add([]byte("Dec  1 00:00:00 web1 sshd[1]: x\n"), int64(100), int64(50), uint64(7), uint64(7), 0, 3)
	f.Fuzz(func(t *testing.T, head []byte, before, after int64, ino1, ino2 uint64, rot, cut int) {
		if len(head) > HeadMax {
			head = head[:HeadMax]
		}
		p := FileState{Log: "/l", Path: "/l", Rotation: rot, Ino: ino1, Size: before, Head: hashHead(head), HeadLen: len(head)}
		c := p
		c.head = head
		if same := Compare([]FileState{p}, []FileState{c}); len(same) != 0 {
			t.Fatalf("unchanged file judged: %+v", same)
		}
		c.Ino, c.Size = ino2, after
		if cut >= 0 && cut < len(head) {
			c.head = head[:cut]
		}
		Compare([]FileState{p}, []FileState{c, {Path: "/l.1", Rotation: 1, head: head[:len(head)/2]}})
	})
}
