package users

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
)

type gapRec struct{ target.GapLog }

func (g *gapRec) paths() []string {
	var out []string
	for _, x := range g.Gaps {
		out = append(out, x.Path)
	}
	return out
}

func hostileRoot(t testing.TB) string {
	t.Helper()
	dir := testutil.RootFromTxtar(t, "testdata/hostile.txtar")
	// txtar cannot hold a CR: add one to the crlf line.
	p := filepath.Join(dir, "etc/passwd")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b = []byte(strings.Replace(string(b), "crlf:x:1002:1002::/home/crlf:/bin/bash\n", "crlf:x:1002:1002::/home/crlf:/bin/bash\r\n", 1))
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadHostile(t *testing.T) {
	rec := &gapRec{}
	db := Load(target.NewUnchecked(hostileRoot(t), false), rec)
	var names []string
	for _, u := range db.Users {
		names = append(names, u.Name)
	}
	if got := strings.Join(names, ","); got != "root,daemon,wrap,ops,crlf" {
		t.Fatalf("users = %s", got)
	}
	wantGaps := []string{"/etc/passwd:5", "/etc/passwd:6", "/etc/passwd:7", "/etc/passwd:13", "/etc/shadow:4", "/etc/group:3"}
	if got := rec.paths(); !slices.Equal(got, wantGaps) {
		t.Fatalf("gaps = %v, want %v", got, wantGaps)
	}
	if len(db.Compat) != 2 || db.Compat[0].Line != 9 || db.Compat[1].Text != "-@badguys" {
		t.Fatalf("compat = %+v", db.Compat)
	}
	w, _ := db.ByName("wrap")
	if w.UID != 0 || w.RawUID != "4294967296" {
		t.Fatalf("uid truncation: %+v", w)
	}
	c, _ := db.ByName("crlf")
	if c.Shell != "/bin/bash" || c.Line != 12 {
		t.Fatalf("crlf user: %+v", c)
	}
	if u, ok := db.ByUID(0); !ok || u.Name != "root" {
		t.Fatalf("ByUID(0) = %+v", u)
	}
	if s, ok := db.ShadowOf("ghost"); !ok || s.Hash != "" || s.LastChange != 20770 || s.Line != 5 {
		t.Fatalf("ghost shadow: %+v", s)
	}
	if g, ok := db.Group("sudo"); !ok || !slices.Equal(g.Members, []string{"ops", "crlf"}) {
		t.Fatalf("sudo group: %+v", g)
	}
	if got := db.GroupsOf("ops"); !slices.Equal(got, []string{"ops", "sudo"}) {
		t.Fatalf("GroupsOf(ops) = %v", got)
	}
	if got := db.HomeDirs(); !slices.Equal(got, []string{"/home/ops", "/root"}) {
		t.Fatalf("HomeDirs = %v", got)
	}
	if len(db.GShadow) != 1 || db.GShadow[0].Members[0] != "ops" {
		t.Fatalf("gshadow = %+v", db.GShadow)
	}
	if !db.PasswdRead || !db.ShadowRead || db.PasswdMTime.IsZero() {
		t.Fatal("read flags / mtime not set")
	}
	root, _ := db.ByName("root")
	ops, _ := db.ByName("ops")
	d, _ := db.ByName("daemon")
	for _, tc := range []struct {
		u    *User
		want PasswordState
	}{{root, PwHash}, {ops, PwLocked}, {d, PwLocked}, {w, PwUnknown}} {
		if got, _ := db.PasswordState(tc.u); got != tc.want {
			t.Errorf("PasswordState(%s) = %v, want %v", tc.u.Name, got, tc.want)
		}
	}
}

func TestHostileFiles(t *testing.T) {
	dir := testutil.RootFromString(t, `
-- etc/passwd fifo --
-- etc/shadow -> shadow --
-- etc/group/ --
-- home/a/ --
`)
	rec := &gapRec{}
	db := Load(target.NewUnchecked(dir, false), rec)
	if db.PasswdRead || db.ShadowRead || db.GroupRead {
		t.Fatalf("read flags set on unreadable files: %+v", db)
	}
	if len(rec.Gaps) != 3 {
		t.Fatalf("gaps = %+v", rec.Gaps)
	}
	// passwd unreadable: home directories fall back to /home/*.
	if got := db.HomeDirs(); !slices.Equal(got, []string{"/home/a"}) {
		t.Fatalf("fallback HomeDirs = %v", got)
	}
}

func TestTooManyMalformedLines(t *testing.T) {
	rec := &gapRec{}
	ParsePasswd("/etc/passwd", []byte(strings.Repeat("garbage\n", 1000)), rec)
	if len(rec.Gaps) != maxGapsPerFile+1 {
		t.Fatalf("%d gaps", len(rec.Gaps))
	}
}

func TestRedacted(t *testing.T) {
	us, _ := ParsePasswd("/etc/passwd", []byte("a:$6$s$h:0:0::/:/bin/sh\nb:x:1:1::/:/bin/sh\n"), target.Discard{})
	if us[0].Redacted() != "a:<hash>:0:0::/:/bin/sh" || us[1].Redacted() != us[1].Text {
		t.Fatalf("passwd redaction: %q %q", us[0].Redacted(), us[1].Redacted())
	}
	sh, _ := ParseShadow("/etc/shadow", []byte("a:!$y$j9T$x$y:20000:0:99999:7:::\nb::20000::::::\n"), target.Discard{})
	if sh[0].Redacted() != "a:!<hash>:20000:..." || sh[1].Redacted() != "b::20000:..." {
		t.Fatalf("shadow redaction: %q %q", sh[0].Redacted(), sh[1].Redacted())
	}
}

func TestLoginShell(t *testing.T) {
	for shell, want := range map[string]bool{
		"/bin/bash": true, "/usr/sbin/nologin": false, "/sbin/nologin": false, "/bin/false": false,
		"/bin/sync": false, "/sbin/shutdown": false, "/sbin/halt": false, "/usr/bin/true": false,
		"/dev/null": false, "": true, "/tmp/nologin": true, "/home/x/.cache/false": true, "/bin/zsh": true,
	} {
		if got := LoginShell(shell); got != want {
			t.Errorf("LoginShell(%q) = %v, want %v", shell, got, want)
		}
	}
}

func TestHashState(t *testing.T) {
	for h, want := range map[string]PasswordState{
		"": PwEmpty, "!": PwLocked, "*": PwLocked, "!!": PwLocked, "!*": PwLocked, "!$6$a$b": PwLocked,
		"$6$salt$hash": PwHash, "$y$j9T$a$b": PwHash, "abcdefghijklm": PwHash, "LK": PwLocked, "x": PwLocked, "$$": PwLocked,
	} {
		if got := HashState(h); got != want {
			t.Errorf("HashState(%q) = %v, want %v", h, got, want)
		}
	}
}

func FuzzParsePasswd(f *testing.F) {
	f.Add([]byte("root:x:0:0:root:/root:/bin/bash\n+::0:0:::\nbad\n\r\n"))
	f.Add([]byte("a:x:99999999999999999999:1::/:\x00\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		us, _ := ParsePasswd("/etc/passwd", b, target.Discard{})
		db := New(us, nil, nil)
		for i := range db.Users {
			db.PasswordState(&db.Users[i])
			LoginShell(db.Users[i].Shell)
		}
	})
}

func FuzzParseShadow(f *testing.F) {
	f.Add([]byte("root:$6$a$b:20000:0:99999:7:::\nx\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		sh, _ := ParseShadow("/etc/shadow", b, target.Discard{})
		for _, s := range sh {
			HashState(s.Hash)
		}
	})
}

func FuzzParseGroup(f *testing.F) {
	f.Add([]byte("sudo:x:27:a,b,,c\nbad:x:y:\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		gs, _ := ParseGroup("/etc/group", b, target.Discard{})
		New(nil, nil, gs).GroupsOf("a")
	})
}

func FuzzParseGShadow(f *testing.F) {
	f.Add([]byte("sudo:*:adm:a,b\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseGShadow("/etc/gshadow", b, target.Discard{})
	})
}

func BenchmarkParsePasswd(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 5000; i++ {
		sb.WriteString("user" + itoa(i) + ":x:" + itoa(1000+i) + ":100:User,,,:/home/u" + itoa(i) + ":/bin/bash\n")
	}
	data := []byte(sb.String())
	b.ResetTimer()
	for b.Loop() {
		ParsePasswd("/etc/passwd", data, target.Discard{})
	}
}

func BenchmarkLoad(b *testing.B) {
	tg := target.NewUnchecked(hostileRoot(b), false)
	for b.Loop() {
		Load(tg, target.Discard{})
	}
}

func TestHashScheme(t *testing.T) {
	tests := map[string]string{
		"$y$j9T$abc$def": SchemeYescrypt, "$6$salt$hash": SchemeSHA512, "$5$s$h": SchemeSHA256,
		"$1$salt$hash": SchemeMD5, "!$1$salt$hash": SchemeMD5, "abcdefghijklm": SchemeDES, "_abcdefghijklmnopqrs": SchemeBSDiDES,
		"$2b$10$x": SchemeBlowfish, "$9$x$y": SchemeUnknown, "*": "", "!": "", "": "", "x": "",
	}
	for h, want := range tests {
		if got := HashScheme(h); got != want {
			t.Errorf("HashScheme(%q) = %q, want %q", h, got, want)
		}
	}
}

func TestDefaultScheme(t *testing.T) {
	dir := testutil.RootFromString(t, `
-- etc/pam.d/common-password --
password	[success=1 default=ignore]	pam_unix.so obscure yescrypt
-- etc/login.defs --
ENCRYPT_METHOD SHA512
`)
	if s, src := DefaultScheme(target.NewUnchecked(dir, false)); s != SchemeYescrypt || src != "/etc/pam.d/common-password" {
		t.Errorf("pam: %q %q", s, src)
	}
	dir = testutil.RootFromString(t, "-- etc/login.defs --\n# ENCRYPT_METHOD DES\nENCRYPT_METHOD SHA512\n")
	if s, src := DefaultScheme(target.NewUnchecked(dir, false)); s != SchemeSHA512 || src != "/etc/login.defs" {
		t.Errorf("login.defs: %q %q", s, src)
	}
}

func FuzzSchemes(f *testing.F) {
	f.Add([]byte("password [success=1 default=ignore] pam_unix.so obscure yescrypt\n"), "$1$salt$hash")
	f.Add([]byte("ENCRYPT_METHOD SHA512\n# x\n"), "ab01FAX.bQRSU")
	f.Fuzz(func(t *testing.T, b []byte, h string) {
		PAMScheme(b)
		LoginDefsScheme(b)
		if s := HashScheme(h); s != "" && !IsCryptHash(strings.TrimLeft(h, "!")) {
			t.Fatalf("scheme %q for a non-hash %q", s, h)
		}
	})
}
