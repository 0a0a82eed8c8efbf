package procs

import (
	"strings"
	"testing"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		in      string
		comm    string
		ppid    int
		start   uint64
		kthread bool
		bad     bool
	}{
		{"1 (systemd) S 0 1 1 0 -1 4194560 58814 29178113 0 1472 331 1757 17808 9042 20 0 1 0 24 51531776 4661 18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0", "systemd", 0, 24, false, false},
		{"35 (kworker/0:1-events) I 2 0 0 0 -1 69238880 0 0 0 0 0 12 0 0 20 0 1 0 120 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0", "kworker/0:1-events", 2, 120, true, false},
		// A command name with spaces and parentheses: fields count from the last ')'.
		{"4242 (a) b (c)) R 1 4242 4242 0 -1 4194560 1 0 0 0 5 5 0 0 20 0 1 0 900 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0", "a) b (c)", 1, 900, false, false},
		{"12 (x) S 1", "", 0, 0, false, true},
		{"(x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20", "", 0, 0, false, true},
		{"", "", 0, 0, false, true},
		{"12 x) S", "", 0, 0, false, true},
	}
	for _, tc := range tests {
		s, err := ParseStat([]byte(tc.in))
		if (err != nil) != tc.bad {
			t.Errorf("ParseStat(%q) err = %v", tc.in, err)
			continue
		}
		if tc.bad {
			continue
		}
		if s.Comm != tc.comm || s.PPID != tc.ppid || s.StartTime != tc.start || (s.Flags&pfKthread != 0) != tc.kthread {
			t.Errorf("ParseStat(%q) = %+v", tc.in, s)
		}
	}
}

func TestParseStatus(t *testing.T) {
	in := "Name:\tbad\\nname\\\\x\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t77\nPid:\t78\nPPid:\t1\nUid:\t1000\t0\t0\t0\nThreads:\t3\nVmRSS:\t    2048 kB\nKthread:\t0\n"
	s, err := ParseStatus([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "bad\nname\\x" || s.Tgid != 77 || s.PID != 78 || s.UID != [4]int{1000, 0, 0, 0} || s.Threads != 3 || s.RSSKB != 2048 || s.State != "S" || s.Kthread != 0 {
		t.Errorf("ParseStatus = %+v", s)
	}
	if _, err := ParseStatus([]byte("garbage\n")); err == nil {
		t.Error("status without Name/Pid accepted")
	}
}

func TestSplitNULAndEnviron(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"/sbin/init\x00", []string{"/sbin/init"}},
		{"a\x00b c\x00\x00d\x00", []string{"a", "b c", "", "d"}},
		{"nginx: worker process\x00\x00\x00\x00", []string{"nginx: worker process"}},
		{"no-terminator", []string{"no-terminator"}},
	}
	for _, tc := range tests {
		got := SplitNUL([]byte(tc.in))
		if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("SplitNUL(%q) = %q", tc.in, got)
		}
	}
	env := ParseEnviron([]byte("PATH=/bin\x00LD_PRELOAD=/x.so\x00SSH_CONNECTION=1 2 3 4\x00LD_AUDIT\x00"))
	if len(env) != 2 || env["LD_PRELOAD"] != "/x.so" || env["SSH_CONNECTION"] != "1 2 3 4" {
		t.Errorf("ParseEnviron = %v", env)
	}
}

func TestParseCgroup(t *testing.T) {
	id := strings.Repeat("ab12", 16)
	tests := []struct{ in, cgroup, container string }{
		{"0::/init.scope\n", "/init.scope", ""},
		{"0::/system.slice/docker-" + id + ".scope\n", "/system.slice/docker-" + id + ".scope", id},
		{"12:pids:/docker/" + id + "\n1:name=systemd:/docker/" + id + "\n0::/\n", "/docker/" + id, id},
		{"0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice/cri-containerd-" + id + ".scope\n", "", id},
		{"0::/kubepods/besteffort/pod0f0e/" + id + "\n", "", id},
		{"0::/machine.slice/libpod-" + id + ".scope/container\n", "", id},
		{"0::/machine.slice/libpod-conmon-" + id + ".scope\n", "", ""},
		{"0::/lxc.payload.web01/system.slice/nginx.service\n", "", "lxc:web01"},
		{"0::/user.slice/user-1000.slice/session-3.scope\n", "/user.slice/user-1000.slice/session-3.scope", ""},
		{"garbage", "", ""},
	}
	for _, tc := range tests {
		cg, c := ParseCgroup([]byte(tc.in))
		if c != tc.container || (tc.cgroup != "" && cg != tc.cgroup) {
			t.Errorf("ParseCgroup(%q) = %q, %q", tc.in, cg, c)
		}
	}
}

func TestParseExeLink(t *testing.T) {
	tests := []struct {
		in, exe        string
		deleted, memfd bool
	}{
		{"/usr/sbin/sshd", "/usr/sbin/sshd", false, false},
		{"/tmp/.x/kworker (deleted)", "/tmp/.x/kworker", true, false},
		{"/memfd: (deleted)", "/memfd:", true, true},
		{"/memfd:runc_cloned:/proc/self/exe (deleted)", "/memfd:runc_cloned:/proc/self/exe", true, true},
		{"/usr/bin/a (deleted) (deleted)", "/usr/bin/a (deleted)", true, false},
	}
	for _, tc := range tests {
		exe, d, m := ParseExeLink(tc.in)
		if exe != tc.exe || d != tc.deleted || m != tc.memfd {
			t.Errorf("ParseExeLink(%q) = %q %v %v", tc.in, exe, d, m)
		}
	}
}

func TestParseMaps(t *testing.T) {
	in := `55d0c0a00000-55d0c0a2b000 r-xp 00002000 fe:01 1311234                    /usr/bin/cat
7f3a1c000000-7f3a1c021000 rwxp 00000000 00:00 0 
7f3a1c100000-7f3a1c101000 r-xp 00000000 00:1a 77                         /dev/shm/.x/lib sys.so (deleted)
7f3a1c200000-7f3a1c201000 rw-s 00000000 00:05 1                          /SYSV00000000 (deleted)
7f3a1c300000-7f3a1c301000 r-xp 00000000 00:01 2                          /memfd:libffi (deleted)
7ffd5c7da000-7ffd5c7dc000 r-xp 00000000 00:00 0                          [vdso]
7ffd5c5e2000-7ffd5c603000 rwxp 00000000 00:00 0                          [stack]
not a map line
zz-1 r-xp 0 0 0
`
	ms, bad := ParseMaps([]byte(in))
	if bad != 2 || len(ms) != 7 {
		t.Fatalf("ParseMaps: %d maps, %d bad", len(ms), bad)
	}
	if !ms[1].Anonymous() || !ms[1].Exec() || !ms[1].Writable() {
		t.Errorf("anonymous rwx: %+v", ms[1])
	}
	if ms[2].Path != "/dev/shm/.x/lib sys.so" || !ms[2].Deleted {
		t.Errorf("path with a space, deleted: %+v", ms[2])
	}
	for _, i := range []int{3, 4, 5} {
		if !ms[i].Pseudo() {
			t.Errorf("%q should be a pseudo mapping", ms[i].Path)
		}
	}
	if ms[6].Pseudo() || !ms[6].Anonymous() {
		t.Errorf("[stack] is anonymous memory: %+v", ms[6])
	}
}

func TestPlaces(t *testing.T) {
	scripts := []struct {
		exe  string
		argv []string
		want string
	}{
		{"/usr/bin/python3.11", []string{"python3", "-u", "/tmp/x.py"}, "/tmp/x.py"},
		{"/usr/bin/python3.11", []string{"python3", "-c", "import os"}, ""},
		{"/usr/bin/perl", []string{"perl", "x.pl"}, "x.pl"},
		{"/usr/bin/bash", []string{"-bash"}, ""},
		{"/usr/sbin/nginx", []string{"nginx", "/tmp/x"}, ""},
	}
	for _, tc := range scripts {
		if got := Script(tc.exe, tc.argv); got != tc.want {
			t.Errorf("Script(%q, %q) = %q", tc.exe, tc.argv, got)
		}
	}
}

func FuzzParseStat(f *testing.F) {
	f.Add([]byte("1 (systemd) S 0 1 1 0 -1 4194560 58814 29178113 0 1472 331 1757 17808 9042 20 0 1 0 24 51531776 4661"))
	f.Add([]byte("1 ()) S"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseStat(b)
	})
}

func FuzzParseStatus(f *testing.F) {
	f.Add([]byte("Name:\tx\nPid:\t1\nUid:\t0 0 0 0 0 0\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseStatus(b)
		ParseCgroup(b)
		ParseEnviron(b)
	})
}

func FuzzParseMaps(f *testing.F) {
	f.Add([]byte("55d0c0a00000-55d0c0a2b000 r-xp 00002000 fe:01 1311234   /usr/bin/cat (deleted)\n"))
	f.Add([]byte("- rwxp 0 0 0"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ms, _ := ParseMaps(b)
		for _, m := range ms {
			m.Pseudo()
			m.Anonymous()
		}
	})
}
