package pamconf

import (
	"slices"
	"testing"

	"github.com/vigil-ir/vigil/internal/target"
)

type gapRec struct{ target.GapLog }

func TestParse(t *testing.T) {
	src := "# comment\n" +
		"auth\t[success=1 default=ignore]\tpam_unix.so nullok\n" +
		"auth\trequisite\t\t\tpam_deny.so\n" +
		"-session optional pam_systemd.so\n" +
		"@include common-account\n" +
		"session required pam_exec.so expose_authtok \\\n  /tmp/.x/log.sh # trailing\n" +
		"auth required pam_mysql.so [query=select x from y where a = b]\n" +
		"nonsense line here\n" +
		"auth sufficient\n" +
		"session optional pam_motd.so motd=/run/motd.dynamic\r\n"
	rec := &gapRec{}
	ls := Parse("/etc/pam.d/sshd", []byte(src), false, rec)
	if len(ls) != 7 {
		t.Fatalf("%d lines: %+v", len(ls), ls)
	}
	if a := ControlActions(ls[0].Control); a["success"] != "1" || a["default"] != "ignore" || ls[0].Module != "pam_unix.so" {
		t.Fatalf("bracket control: %+v", ls[0])
	}
	if !ls[2].Quiet || ls[2].Type != "session" {
		t.Fatalf("quiet: %+v", ls[2])
	}
	if !ls[3].IsInclude() || ls[3].Module != "common-account" {
		t.Fatalf("@include: %+v", ls[3])
	}
	if ls[4].Line != 6 || !slices.Equal(ls[4].Args, []string{"expose_authtok", "/tmp/.x/log.sh"}) {
		t.Fatalf("continuation: %+v", ls[4])
	}
	if ls[5].Args[0] != "[query=select x from y where a = b]" {
		t.Fatalf("bracket arg: %q", ls[5].Args)
	}
	if ls[6].Args[0] != "motd=/run/motd.dynamic" {
		t.Fatalf("CRLF: %q", ls[6].Args)
	}
	if len(rec.Gaps) != 2 || rec.Gaps[0].Path != "/etc/pam.d/sshd:9" {
		t.Fatalf("gaps = %+v", rec.Gaps)
	}
	conf := Parse("/etc/pam.conf", []byte("sshd auth sufficient pam_permit.so\nOTHER auth required pam_deny.so\n"), true, rec)
	if len(conf) != 2 || conf[0].Service != "sshd" || conf[1].Service != "other" || conf[0].Module != "pam_permit.so" {
		t.Fatalf("pam.conf: %+v", conf)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("auth [success=1 default=ignore] pam_unix.so nullok\n@include x\n-session optional pam_systemd.so\n"), false)
	f.Add([]byte("sshd auth [ \\] x\\\n"), true)
	f.Fuzz(func(t *testing.T, b []byte, conf bool) {
		for _, l := range Parse("/etc/pam.d/x", b, conf, target.Discard{}) {
			ControlActions(l.Control)
			l.IsInclude()
		}
	})
}
