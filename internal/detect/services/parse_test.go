package services

import (
	"reflect"
	"testing"
)

func TestParseUnit(t *testing.T) {
	src := "# comment\n; other comment\n[Unit]\nDescription = A unit \n[Service]\nExecStart=/usr/bin/foo \\\n  --a \\\n# dropped comment\n  --b\nExecStart=\nExecStart=-/bin/true\nEnvironment=\"LD_PRELOAD=/x.so\" B=c\nnoequals\n[Install]\nWantedBy=multi-user.target\r\n"
	u := ParseUnit([]byte(src))
	got := []UnitEntry{}
	for _, e := range u.Entries {
		got = append(got, UnitEntry{Section: e.Section, Key: e.Key, Value: e.Value, Line: e.Line})
	}
	want := []UnitEntry{
		{"Unit", "Description", "A unit", 4, ""},
		{"Service", "ExecStart", "/usr/bin/foo  --a  --b", 6, ""},
		{"Service", "ExecStart", "", 10, ""},
		{"Service", "ExecStart", "-/bin/true", 11, ""},
		{"Service", "Environment", "\"LD_PRELOAD=/x.so\" B=c", 12, ""},
		{"Install", "WantedBy", "multi-user.target", 15, ""},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entries:\n got %+v\nwant %+v", got, want)
	}
	if u.Bad != 1 {
		t.Errorf("bad = %d, want 1", u.Bad)
	}
	if v := u.Values("Service", "ExecStart"); len(v) != 1 || v[0].Value != "-/bin/true" {
		t.Errorf("Values reset: %+v", v)
	}
	if a := EnvAssignments(u.Entries[4].Value); !reflect.DeepEqual(a, []string{"LD_PRELOAD=/x.so", "B=c"}) {
		t.Errorf("EnvAssignments = %q", a)
	}
}

func TestExecCommand(t *testing.T) {
	for in, want := range map[string]string{
		"-/bin/true":                        "/bin/true",
		"@/usr/bin/foo argv0 --x":           "/usr/bin/foo --x",
		"+!!/usr/sbin/x -D":                 "/usr/sbin/x -D",
		":/bin/echo 100%%":                  "/bin/echo 100%",
		"%h/.local/bin/syncthing serve":     "/home/ops/.local/bin/syncthing serve",
		"@/bin/sh \"my shell\" -c 'echo x'": "/bin/sh -c 'echo x'",
	} {
		if got := ExecCommand(in, "/home/ops"); got != want {
			t.Errorf("ExecCommand(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNames(t *testing.T) {
	if template("getty@tty1.service") != "getty@.service" || template("getty@.service") != "" || template("x.service") != "" {
		t.Error("template")
	}
	if !prefixMatch("foo-.service", "foo-bar.service") || prefixMatch("foo-.service", "foo.service") || !prefixDropin("foo-.service") {
		t.Error("prefix drop-ins")
	}
	for name, want := range map[string]bool{
		"systemd-journal-sync.service": true, "crond.service": true, "kworker.service": true,
		"dbus-helper.service": true, "network-up.service": true, "sshd.service": true,
		"nginx.service": false, "myapp.service": false, "systemdx.service": false, "docker.service": false,
	} {
		if masquerade(name) != want {
			t.Errorf("masquerade(%q) = %v", name, !want)
		}
	}
}

func TestParseInetdXinetd(t *testing.T) {
	s := ParseInetd([]byte("# c\n#<off># ftp stream tcp nowait root /usr/sbin/tcpd /usr/sbin/in.ftpd\nx stream tcp nowait root.root /bin/sh sh -i\nshort line\n"))
	if len(s) != 1 || s[0].User != "root" || s[0].Server != "/bin/sh" || !reflect.DeepEqual(s[0].Args, []string{"sh", "-i"}) || s[0].Line != 3 {
		t.Errorf("inetd: %+v", s)
	}
	x := ParseXinetd([]byte("defaults\n{\n instances = 60\n}\nincludedir /etc/xinetd.d\nservice a # c\n{\n server = /bin/x\n server_args = -a\n server_args += -b\n disable = no\n}\n"))
	if len(x.Services) != 1 || x.Services[0].Name != "a" || x.Services[0].Attrs["server_args"] != "-a -b" || x.Services[0].Lines["server"] != 8 || len(x.IncludeDir) != 1 {
		t.Errorf("xinetd: %+v", x)
	}
}

func FuzzParseUnit(f *testing.F) {
	f.Add([]byte("[Service]\nExecStart=@/bin/x y \\\n z\n;c\n[Install]\nWantedBy=a\n"))
	f.Add([]byte("[\n]\n=\n\\\n\\"))
	f.Fuzz(func(t *testing.T, b []byte) {
		u := ParseUnit(b)
		for _, e := range u.Entries {
			if e.Line < 1 || e.Section == "" {
				t.Fatalf("bad entry %+v", e)
			}
			ExecCommand(e.Value, "/root")
			EnvAssignments(e.Value)
		}
	})
}

func FuzzParseXinetd(f *testing.F) {
	f.Add([]byte("service x\n{\n server = /bin/sh\n server_args += -i\n}\n"))
	f.Add([]byte("x stream tcp nowait root /bin/sh sh -i\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseXinetd(b)
		ParseInetd(b)
	})
}
