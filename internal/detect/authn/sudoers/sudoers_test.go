package sudoers

import (
	"slices"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
)

type gapRec struct{ target.GapLog }

func TestParseStatements(t *testing.T) {
	src := `# comment
Defaults	env_reset
Defaults	secure_path="/usr/local/sbin:/usr/sbin:/usr/bin"
Defaults:%devs, bob  !authenticate, env_keep += "LD_PRELOAD PYTHONPATH"
Defaults>root !env_reset # trailing comment
User_Alias ADMINS = alice, \
    bob : WEB = www-data
Cmnd_Alias SHELLS = /bin/sh, /bin/bash
Cmd_Alias RESTART = /usr/bin/systemctl restart nginx
root	ALL=(ALL:ALL) ALL
%sudo	ALL=(ALL:ALL) ALL
ADMINS ALL = (root) NOPASSWD: SHELLS, /usr/bin/id, PASSWD: /usr/bin/vim
WEB ALL=(ALL) NOPASSWD:SETENV: /opt/app/run.sh arg\,1, !/bin/su : db1 = (postgres) /usr/bin/psql
#1001 ALL=(#0) NOPASSWD: ALL
deploy host1,host2 = CWD=/srv sha256:abcd /usr/bin/make install
this line is garbage
`
	pol := &Policy{}
	rec := &gapRec{}
	Parse(pol, "/etc/sudoers", []byte(src), rec)
	if len(rec.Gaps) != 1 || rec.Gaps[0].Path != "/etc/sudoers:16" {
		t.Fatalf("gaps = %+v", rec.Gaps)
	}
	if len(pol.Defaults) != 4 {
		t.Fatalf("defaults = %+v", pol.Defaults)
	}
	d := pol.Defaults[2]
	if d.Scope != ":%devs,bob" || len(d.Params) != 2 || !d.Params[0].Negated || d.Params[0].Name != "authenticate" ||
		d.Params[1].Op != "+=" || d.Params[1].Value != "LD_PRELOAD PYTHONPATH" {
		t.Fatalf("scoped defaults = %+v", d)
	}
	if p := pol.Defaults[3]; p.Scope != ">root" || !p.Params[0].Negated || p.Params[0].Name != "env_reset" {
		t.Fatalf("runas defaults = %+v", p)
	}
	if m, _ := pol.AliasMembers("User_Alias", "ADMINS"); !slices.Equal(m, []string{"alice", "bob"}) {
		t.Fatalf("continued alias = %v", m)
	}
	if m, _ := pol.AliasMembers("Cmnd_Alias", "RESTART"); len(m) != 1 {
		t.Fatalf("Cmd_Alias = %v", m)
	}
	if len(pol.Specs) != 6 {
		t.Fatalf("%d specs", len(pol.Specs))
	}
	admins := pol.Specs[2]
	if admins.Line != 12 || len(admins.Cmnds) != 3 || !admins.Cmnds[0].NoPasswd || !admins.Cmnds[1].NoPasswd || admins.Cmnds[2].NoPasswd {
		t.Fatalf("tag carry-over: %+v", admins.Cmnds)
	}
	if got := pol.ExpandCmnds(admins.Cmnds[0]); len(got) != 2 || got[1].Command != "/bin/bash" || !got[1].NoPasswd {
		t.Fatalf("ExpandCmnds = %+v", got)
	}
	web := pol.Specs[3]
	if len(web.Cmnds) != 3 || web.Cmnds[0].Command != "/opt/app/run.sh arg,1" || !web.Cmnds[0].SetEnv ||
		!web.Cmnds[1].Negated || web.Cmnds[2].RunasUsers[0] != "postgres" || web.Cmnds[2].NoPasswd {
		t.Fatalf("host sections: %+v", web.Cmnds)
	}
	if u := pol.Specs[4]; u.Users[0] != "#1001" || u.Cmnds[0].RunasUsers[0] != "#0" || !u.Cmnds[0].NoPasswd {
		t.Fatalf("uid spec: %+v", u)
	}
	if dp := pol.Specs[5]; dp.Cmnds[0].Command != "/usr/bin/make install" || len(dp.Hosts) != 2 {
		t.Fatalf("option and digest: %+v", dp)
	}
	if got := pol.Expand("User_Alias", []string{"!ADMINS", "carol"}); !slices.Equal(got, []string{"!alice", "!bob", "carol"}) {
		t.Fatalf("Expand = %v", got)
	}
}

func TestLoadIncludes(t *testing.T) {
	dir := testutil.RootFromString(t, `
-- etc/sudoers --
root ALL=(ALL:ALL) ALL
@includedir /etc/sudoers.d
#include extra
@include /etc/sudoers
@include /etc/sudo-%h
-- etc/sudoers.d/README --
# only comments
-- etc/sudoers.d/10-ops --
ops ALL=(ALL) NOPASSWD: ALL
-- etc/sudoers.d/old~ --
bad ALL=(ALL) NOPASSWD: ALL
-- etc/sudoers.d/x.dpkg-old --
bad ALL=(ALL) NOPASSWD: ALL
-- etc/sudoers.d/pipe fifo --
-- etc/sudoers.d/sub/ --
-- etc/extra --
#includedir /etc/more.d
-- etc/more.d/zz --
deep ALL=(ALL) ALL
@include zz
`)
	rec := &gapRec{}
	pol := Load(target.NewUnchecked(dir, false), rec)
	want := []string{"/etc/sudoers", "/etc/sudoers.d/10-ops", "/etc/sudoers.d/README", "/etc/extra", "/etc/more.d/zz"}
	if !slices.Equal(pol.Files, want) {
		t.Fatalf("files = %v", pol.Files)
	}
	var users []string
	for _, s := range pol.Specs {
		users = append(users, s.Users...)
	}
	if strings.Join(users, ",") != "root,ops,deep" {
		t.Fatalf("users = %v", users)
	}
	var paths []string
	for _, g := range rec.Gaps {
		paths = append(paths, g.Path)
	}
	if !slices.Equal(paths, []string{"/etc/sudoers.d/pipe", "/etc/sudoers:5"}) {
		t.Fatalf("gaps = %+v", rec.Gaps)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("root ALL=(ALL:ALL) ALL\n%sudo ALL=(ALL) NOPASSWD: ALL\nDefaults !env_reset\n"))
	f.Add([]byte("User_Alias A = b, \\\nc\nA ALL = (root) NOPASSWD:SETENV: /bin/x : h = (#0) !/y\n#1 ALL=(:g) ALL\n"))
	f.Add([]byte("Defaults:\"\" x=\"\\\n((((:::===,,,\\"))
	f.Fuzz(func(t *testing.T, b []byte) {
		pol := &Policy{}
		Parse(pol, "/etc/sudoers", b, target.Discard{})
		for _, s := range pol.Specs {
			pol.Expand("User_Alias", s.Users)
			for _, c := range s.Cmnds {
				pol.ExpandCmnds(c)
			}
		}
	})
}
