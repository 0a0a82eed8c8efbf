package process

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/collect/procs/proctest"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// scan runs the detector over a fixture root, hiding pids from the /proc
// listing like a rootkit would.
func scan(t testing.TB, root string, hide ...int) enginetest.Result {
	t.Helper()
	tg := target.NewUnchecked(root, true)
	d := &Detector{Lister: proctest.NewHiding(tg, hide...), RecheckDelay: time.Millisecond}
	return enginetest.RunTarget(t, d, tg, engine.Options{})
}

func TestCleanHostIsSilent(t *testing.T) {
	res := scan(t, proctest.Host(t))
	for _, f := range res.Findings {
		t.Errorf("finding on the clean host: %s %s %v %s", f.RuleID, f.Subject, f.Indicators, f.Evidence.Text)
	}
	for _, g := range res.Gaps {
		t.Errorf("gap on the clean host: %+v", g)
	}
}

func TestCompromisedHost(t *testing.T) {
	res := scan(t, proctest.Host(t, proctest.Compromised), proctest.HiddenPID)
	tests := []struct {
		rule string
		pid  int
		sev  model.Severity
		ind  string
	}{
		{ruleDeleted, 4242, model.Critical, indWritable},
		{ruleFakeKthread, 4242, model.Critical, indFakeKthread},
		{ruleMiner, 4242, model.Critical, indPoolPort},
		{ruleFileless, 4300, model.Critical, indMemfd},
		{ruleMiner, 4400, model.Critical, indMiner},
		{ruleOddPlace, 4400, model.High, indHidden},
		{ruleCmdline, 4501, model.Critical, "reverse-shell.dev-tcp"},
		{rulePreload, 4600, model.High, indWritable},
		{ruleMapFile, 4600, model.Medium, indHidden},
		{ruleRWX, 4700, model.Medium, indRWX},
		{ruleOrphan, 4800, model.Medium, indOrphan},
		{ruleHighCPU, 4900, model.Medium, indNotPackaged},
		{ruleDeleted, 5000, model.Critical, indWritable},
		{ruleHidden, proctest.HiddenPID, model.Critical, indHiddenProc},
	}
	for _, tc := range tests {
		found := false
		for _, f := range res.Find(tc.rule) {
			if f.Evidence.PID != tc.pid {
				continue
			}
			found = true
			if f.Severity != tc.sev {
				t.Errorf("%s pid %d: severity %s, want %s", tc.rule, tc.pid, f.Severity, tc.sev)
			}
			if !slices.Contains(f.Indicators, tc.ind) {
				t.Errorf("%s pid %d: indicators %v, want %s", tc.rule, tc.pid, f.Indicators, tc.ind)
			}
			if f.Evidence.When != "running" || f.Evidence.Extra["ppid"] == "" {
				t.Errorf("%s pid %d: evidence incomplete: %+v", tc.rule, tc.pid, f.Evidence)
			}
		}
		if !found {
			t.Errorf("no %s finding for pid %d", tc.rule, tc.pid)
		}
	}
	// Nothing about the clean host's processes.
	for _, f := range res.Findings {
		if f.Evidence.PID < 4000 {
			t.Errorf("finding about a clean process: %s %s", f.RuleID, f.Subject)
		}
	}
	// The reverse shell bash itself has a harmless command line ("bash -i"):
	// it is the network detector's business.
	for _, f := range res.Findings {
		if f.Evidence.PID == 4500 {
			t.Errorf("unexpected finding on the socket shell: %s", f.RuleID)
		}
	}
	// Not hidden when nothing hides it: the same fixture without the Lister.
	plain := scan(t, proctest.Host(t, proctest.Compromised))
	if len(plain.Find(ruleHidden)) != 0 {
		t.Error("hidden process reported without a hiding listing")
	}
}

// Fingerprints do not depend on pids: the same problem in a later scan,
// under another pid, is the same finding.
func TestFingerprintIgnoresPID(t *testing.T) {
	a := scan(t, proctest.Host(t, proctest.Compromised))
	moved := strings.ReplaceAll(proctest.Compromised, "proc/4400/", "proc/4401/")
	moved = strings.ReplaceAll(moved, "4400 (xmrig)", "4401 (xmrig)")
	moved = strings.ReplaceAll(moved, "Pid:\t4400", "Pid:\t4401")
	b := scan(t, proctest.Root(t, proctest.Clean, moved))
	fp := func(r enginetest.Result, pid int) string {
		for _, f := range r.Find(ruleMiner) {
			if f.Evidence.PID == pid {
				return f.Fingerprint
			}
		}
		return ""
	}
	if x, y := fp(a, 4400), fp(b, 4401); x == "" || x != y {
		t.Errorf("fingerprints %q vs %q", x, y)
	}
}

func TestGradesAndExclusions(t *testing.T) {
	proc := func(pid int, comm, exe, cmd string, extra string) string {
		return `-- proc/` + strconv.Itoa(pid) + `/stat --
` + strconv.Itoa(pid) + ` (` + comm + `) S 1 1 1 0 -1 4194560 1 0 0 0 100 10 0 0 20 0 1 0 8000000 0 1000 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0
-- proc/` + strconv.Itoa(pid) + `/status --
Name:	` + comm + `
State:	S (sleeping)
Tgid:	` + strconv.Itoa(pid) + `
Pid:	` + strconv.Itoa(pid) + `
PPid:	1
Uid:	0	0	0	0
-- proc/` + strconv.Itoa(pid) + `/exe -> ` + exe + ` --
-- proc/` + strconv.Itoa(pid) + `/cmdline --
` + strings.ReplaceAll(cmd, " ", "\n") + `
` + extra
	}
	tests := []struct {
		name    string
		fixture string
		rule    string // "" : nothing at all
	}{
		{"runc re-executing from memfd", proc(6001, "runc:[2:INIT]", "/memfd:runc_cloned:/proc/self/exe (deleted)", "runc init", ""), ""},
		{"upgraded daemon, file back in place", proc(6002, "nginx", "/usr/sbin/nginx (deleted)", "nginx: worker", ""), ""},
		{"deleted program, path empty", proc(6003, "agent", "/usr/bin/agent-x (deleted)", "/usr/bin/agent-x", ""), ruleDeleted},
		{"vscode server node", proc(6004, "node", "/home/admin/.vscode-server/bin/abc/node", "/home/admin/.vscode-server/bin/abc/node server.js", ""), ""},
		{"python script in /tmp", proc(6005, "python3", "/usr/bin/python3.11", "python3 /tmp/x.py", ""), ruleOddPlace},
		{"celery title with brackets and spaces", proc(6006, "celery", "/usr/bin/python3.11", "[celeryd: celery@web:MainProcess] -active-", ""), ""},
		{"watchdog daemon", proc(6007, "watchdog", "/usr/sbin/watchdog", "/usr/sbin/watchdog", ""), ""},
		{"admin kills a miner", proc(6008, "pkill", "/usr/bin/pkill", "pkill -f xmrig", ""), ""},
		{"sudo grep for a pool", proc(6009, "sudo", "/usr/bin/sudo", "sudo grep -r stratum+tcp:// /etc", ""), ""},
		{"nohup'd miner", proc(6010, "nohup", "/usr/bin/nohup", "nohup /opt/x/a -o stratum+tcp://198.51.100.2:14444", ""), ruleMiner},
		{"python rwx (JIT list)", proc(6011, "python3", "/usr/bin/python3.11", "python3 -m http.server", "-- proc/6011/maps --\n7f3a1a000000-7f3a1a001000 rwxp 00000000 00:00 0 \n"), ""},
		{"java native lib in /tmp", proc(6012, "java", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java", "java -jar app.jar", "-- proc/6012/maps --\n7f3a1a000000-7f3a1a001000 r-xp 00000000 fe:01 9 /tmp/libnetty_transport_native_epoll_x86_6412345.so (deleted)\n"), ""},
		{"pyinstaller one-file program", proc(6013, "docker-compose", "/usr/local/bin/docker-compose", "docker-compose up", "-- proc/6013/maps --\n7f3a1a000000-7f3a1a001000 r-xp 00000000 fe:01 9 /tmp/_MEIa1b2c3/libpython3.9.so.1.0\n"), ""},
		{"packaged jemalloc preload", proc(6014, "redis-server", "/usr/bin/redis-server", "redis-server *:6379", "-- proc/6014/environ --\nLD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2\n"), ""},
		{"preload of a missing library", proc(6015, "cron", "/usr/sbin/cron", "/usr/sbin/cron -f", "-- proc/6015/environ --\nLD_PRELOAD=/usr/lib/libgone.so\n"), rulePreload},
		{"root shell from session: nothing", proc(6016, "bash", "/usr/bin/bash", "-bash", ""), ""},
		{"setproctitle padded cmdline", proc(6017, "postgres", "/usr/lib/postgresql/15/bin/postgres", "postgres: 15/main: checkpointer  ", ""), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := scan(t, proctest.Host(t, tc.fixture))
			switch {
			case tc.rule == "" && len(res.Findings) > 0:
				for _, f := range res.Findings {
					t.Errorf("unexpected %s %s %v", f.RuleID, f.Subject, f.Indicators)
				}
			case tc.rule != "" && len(res.Find(tc.rule)) == 0:
				t.Errorf("no %s; got %v", tc.rule, res.Rules())
			}
		})
	}
}

func TestNotLiveIsNotApplicable(t *testing.T) {
	res := enginetest.Run(t, New(), proctest.Host(t), false)
	if res.Status.Status != "not-applicable" || len(res.Findings) != 0 {
		t.Fatalf("offline: %+v", res.Status)
	}
}

func TestLiveSmoke(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	d := &Detector{RecheckDelay: time.Millisecond}
	res := enginetest.RunTarget(t, d, target.Live(), engine.Options{})
	if res.Status.Status != "ok" {
		t.Fatalf("live scan: %+v", res.Status)
	}
}

func BenchmarkDetector(b *testing.B) {
	root := proctest.Host(b, proctest.Compromised)
	tg := target.NewUnchecked(root, true)
	d := &Detector{RecheckDelay: time.Millisecond}
	for b.Loop() {
		enginetest.RunTarget(b, d, tg, engine.Options{})
	}
}
