package network

import (
	"os"
	"slices"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/collect/procs/proctest"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

func scan(t testing.TB, root string) enginetest.Result {
	t.Helper()
	return enginetest.RunTarget(t, &Detector{RecheckDelay: time.Millisecond}, target.NewUnchecked(root, true), engine.Options{})
}

// The clean host yields its listening ports as info, nothing else.
func TestCleanHost(t *testing.T) {
	res := scan(t, proctest.Host(t))
	want := map[string]bool{
		"tcp/22 /usr/sbin/sshd": true, "tcp/80 /usr/sbin/nginx": true, "udp/323 /usr/sbin/chronyd": true,
		"udp/68 /usr/sbin/dhclient": true,
	}
	got := map[string]bool{}
	for _, f := range res.Findings {
		if f.RuleID != ruleListen {
			t.Errorf("finding on the clean host: %s %s %v", f.RuleID, f.Subject, f.Indicators)
			continue
		}
		got[f.Subject] = true
		if f.Severity != model.Info {
			t.Errorf("%s: severity %s", f.Subject, f.Severity)
		}
	}
	for s := range want {
		if !got[s] {
			t.Errorf("listening port %q not inventoried; got %v", s, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("inventory = %v (the ephemeral UDP client socket must not be listed)", got)
	}
	if f := res.Find(ruleListen); len(f) > 0 {
		for _, x := range f {
			if x.Subject == "tcp/22 /usr/sbin/sshd" && (x.Evidence.Package != "openssh-server" || x.Evidence.Extra["addresses"] != "0.0.0.0, ::") {
				t.Errorf("sshd evidence: %+v", x.Evidence)
			}
		}
	}
	for _, g := range res.Gaps {
		t.Errorf("gap on the clean host: %+v", g)
	}
}

func TestCompromisedHost(t *testing.T) {
	res := scan(t, proctest.Host(t, proctest.Compromised))
	tests := []struct {
		rule string
		pid  int // 0: no owner
		sev  model.Severity
		ind  string
	}{
		{rulePoolPort, 4242, model.High, indPoolPort},
		{rulePoolPort, 4400, model.High, indWritable},
		{ruleReverseShell, 4500, model.Critical, indSocketStdio},
		{ruleListenOdd, 4800, model.Medium, indNotPackaged},
		{ruleRawSocket, 5000, model.Critical, indWritable},
		{ruleNoOwner, 0, model.Medium, indNoOwner},
		{ruleNoOwner, 0, model.High, indNoOwner},
		{rulePromisc, 0, model.Medium, ""},
		{ruleIPForward, 0, model.Low, ""},
	}
	for _, tc := range tests {
		found := false
		for _, f := range res.Find(tc.rule) {
			if f.Evidence.PID != tc.pid || f.Severity != tc.sev {
				continue
			}
			found = true
			if tc.ind != "" && !slices.Contains(f.Indicators, tc.ind) {
				t.Errorf("%s pid %d: indicators %v, want %s", tc.rule, tc.pid, f.Indicators, tc.ind)
			}
		}
		if !found {
			t.Errorf("no %s (%s) finding for pid %d", tc.rule, tc.sev, tc.pid)
		}
	}
	// The web server's reverse shell targets port 4444, a pool port too:
	// bash is packaged, so it is a reverse shell, not a miner.
	for _, f := range res.Find(rulePoolPort) {
		if f.Evidence.PID == 4500 {
			t.Error("packaged bash reported as a pool connection")
		}
	}
	// dhclient's packet socket stays quiet; the hidden process's port has
	// its owner in the fds (the rootkit hides the listing, not the fds).
	for _, f := range res.Find(ruleRawSocket) {
		if f.Evidence.PID == 900 {
			t.Error("dhclient's packet socket reported")
		}
	}
	for _, f := range res.Find(ruleNoOwner) {
		if f.Evidence.Extra["inode"] == "35001" {
			t.Error("a socket with an owner reported as owner-less")
		}
	}
}

func TestExclusions(t *testing.T) {
	tests := []struct {
		name, fixture string
		rule          string // must not fire
	}{
		{"bridge port promiscuous by design", "-- sys/class/net/veth1a2b/flags --\n0x1103\n-- sys/class/net/veth1a2b/master -> ../docker0 --\n", rulePromisc},
		{"docker host forwards", "-- proc/sys/net/ipv4/ip_forward --\n1\n-- sys/class/net/docker0/flags --\n0x1003\n-- sys/class/net/docker0/uevent --\nDEVTYPE=bridge\n", ruleIPForward},
		{"forwarding software installed", "-- proc/sys/net/ipv4/ip_forward --\n1\n-- usr/sbin/openvpn --\nELF\n", ruleIPForward},
		{"kernel nfsd holds 2049", `-- proc/net/tcp --
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0801 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41001 1 0000000000000000 100 0 0 10 0
-- proc/77/stat --
77 (nfsd) S 2 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 500 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0
-- proc/77/status --
Name:	nfsd
Pid:	77
PPid:	2
Kthread:	1
`, ruleNoOwner},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := scan(t, proctest.Host(t, tc.fixture))
			for _, f := range res.Find(tc.rule) {
				t.Errorf("unexpected %s: %s", f.RuleID, f.Subject)
			}
		})
	}
}

// A socket whose owner appears during the re-check (the process opened it
// right after the fd scan) is not reported.
func TestNoOwnerRecheck(t *testing.T) {
	root := proctest.Host(t, `-- proc/net/tcp --
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1A0A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 42001 1 0000000000000000 100 0 0 10 0
`)
	tg := target.NewUnchecked(root, true)
	res := enginetest.RunTarget(t, &Detector{RecheckDelay: time.Millisecond}, tg, engine.Options{})
	if len(res.Find(ruleNoOwner)) != 1 {
		t.Fatalf("orphan listener not reported: %v", res.Rules())
	}
	// The snapshot sees no owner; the fd appears before the re-check.
	d := &Detector{RecheckDelay: time.Millisecond, beforeRecheck: func() {
		if err := os.Symlink("socket:[42001]", root+"/proc/601/fd/9"); err != nil {
			t.Error(err)
		}
	}}
	res = enginetest.RunTarget(t, d, tg, engine.Options{})
	if len(res.Find(ruleNoOwner)) != 0 {
		t.Fatalf("socket owned by the re-check reported: %v", res.Rules())
	}
}

// A miner inside a container: its socket lives in the container's network
// namespace, read through /proc/PID/net; its executable cannot be vouched
// for by the host's packages.
func TestContainerMiner(t *testing.T) {
	id := "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c"
	res := scan(t, proctest.Host(t, `-- proc/7000/stat --
7000 (python3) S 6990 7000 7000 0 -1 4194560 1 0 0 0 50000 100 0 0 20 0 8 0 80000000 0 1000 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0
-- proc/7000/status --
Name:	python3
State:	S (sleeping)
Tgid:	7000
Pid:	7000
PPid:	6990
Uid:	0	0	0	0
-- proc/7000/cmdline --
/usr/local/bin/python3
/app/worker.py
-- proc/7000/exe -> /usr/local/bin/python3.12 --
-- proc/7000/cgroup --
0::/system.slice/docker-`+id+`.scope
-- proc/7000/ns/net -> net:[4026532777] --
-- proc/7000/fd/0 -> /dev/null --
-- proc/7000/fd/7 -> socket:[40001] --
-- proc/7000/net/tcp --
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0200110A:A1B2 427100CB:386C 01 00000000:00000000 00:00000000 00000000     0        0 40001 1 0000000000000000 20 4 30 10 -1
`))
	fs := res.Find(rulePoolPort)
	if len(fs) != 1 || fs[0].Evidence.PID != 7000 || fs[0].Evidence.Extra["container"] != id || !slices.Contains(fs[0].Indicators, indContainer) {
		t.Fatalf("container pool connection: %+v", fs)
	}
	if fs[0].Evidence.Extra["remote"] != "203.0.113.66:14444" {
		t.Errorf("remote %q", fs[0].Evidence.Extra["remote"])
	}
}

func TestNotLiveIsNotApplicable(t *testing.T) {
	res := enginetest.Run(t, New(), proctest.Host(t), false)
	if res.Status.Status != "not-applicable" || len(res.Findings) != 0 {
		t.Fatalf("offline: %+v", res.Status)
	}
}

func TestLiveSmoke(t *testing.T) {
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("no /proc/net")
	}
	res := enginetest.RunTarget(t, &Detector{RecheckDelay: time.Millisecond}, target.Live(), engine.Options{})
	if res.Status.Status != "ok" {
		t.Fatalf("live scan: %+v", res.Status)
	}
}

func BenchmarkDetector(b *testing.B) {
	tg := target.NewUnchecked(proctest.Host(b, proctest.Compromised), true)
	d := &Detector{RecheckDelay: time.Millisecond}
	for b.Loop() {
		enginetest.RunTarget(b, d, tg, engine.Options{})
	}
}
