// Package authgen writes a realistic auth.log of any length for the
// benchmarks of the log parsers and rules (bench/logs.sh, the Go
// benchmarks): an Internet-facing Debian server under SSH brute force.
//
// The mix follows real auth logs of such hosts: most lines are sshd
// (failed passwords, invalid users, pre-authentication disconnects and
// PAM failures from a few hundred sources), with some accepted logins,
// sessions, sudo, su, cron and systemd-logind. Deterministic for a seed.
package authgen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// Options of a generated log.
type Options struct {
	Lines int       // lines to write
	Seed  uint64    // the same seed writes the same log
	Start time.Time // time of the first line (the zone is the log's)
	Host  string    // the hostname on every line ("web1" when empty)
}

var users = []string{"root", "admin", "test", "ubuntu", "oracle", "postgres", "git", "user", "guest", "pi", "ftpuser", "deploy", "a b"}

// Write writes o.Lines lines to w in the RFC 3164 format of rsyslog's
// traditional template, times ascending (a few seconds apart).
func Write(w io.Writer, o Options) error {
	if o.Host == "" {
		o.Host = "web1"
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	bw := bufio.NewWriterSize(w, 1<<20)
	t := o.Start
	pid := 10000
	n := 0
	line := func(prog string, p int, format string, args ...any) {
		if n >= o.Lines {
			return
		}
		n++
		stamp := t.Format(time.Stamp)
		if p > 0 {
			fmt.Fprintf(bw, "%s %s %s[%d]: ", stamp, o.Host, prog, p)
		} else {
			fmt.Fprintf(bw, "%s %s %s: ", stamp, o.Host, prog)
		}
		fmt.Fprintf(bw, format, args...)
		bw.WriteByte('\n')
	}
	ip := func() string {
		// A few hundred attacking sources, some busier than others.
		k := rng.IntN(400)
		if rng.IntN(3) == 0 {
			k = rng.IntN(10)
		}
		return fmt.Sprintf("%d.%d.%d.%d", 45+k%150, 10+k%200, (k*7)%256, 1+k%254)
	}
	for n < o.Lines {
		t = t.Add(time.Duration(rng.IntN(3000)) * time.Millisecond)
		pid++
		port := 1024 + rng.IntN(60000)
		switch r := rng.IntN(1000); {
		case r < 560: // a password guess
			src, u := ip(), users[rng.IntN(len(users))]
			if u != "root" && rng.IntN(2) == 0 {
				line("sshd", pid, "Invalid user %s from %s port %d", u, src, port)
				line("sshd", pid, "pam_unix(sshd:auth): check pass; user unknown")
				line("sshd", pid, "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s", src)
				line("sshd", pid, "Failed password for invalid user %s from %s port %d ssh2", u, src, port)
				line("sshd", pid, "Connection closed by invalid user %s %s port %d [preauth]", u, src, port)
			} else {
				line("sshd", pid, "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=%s", src, u)
				line("sshd", pid, "Failed password for %s from %s port %d ssh2", u, src, port)
				line("sshd", pid, "Received disconnect from %s port %d:11: Bye Bye [preauth]", src, port)
				line("sshd", pid, "Disconnected from authenticating user %s %s port %d [preauth]", u, src, port)
			}
		case r < 700: // scanners
			src := ip()
			switch rng.IntN(3) {
			case 0:
				line("sshd", pid, "Connection closed by %s port %d [preauth]", src, port)
			case 1:
				line("sshd", pid, "error: kex_exchange_identification: Connection closed by remote host")
				line("sshd", pid, "Connection closed by %s port %d", src, port)
			default:
				line("sshd", pid, "Unable to negotiate with %s port %d: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1 [preauth]", src, port)
			}
		case r < 760: // too many failures
			src := ip()
			line("sshd", pid, "error: maximum authentication attempts exceeded for root from %s port %d ssh2 [preauth]", src, port)
			line("sshd", pid, "Disconnecting authenticating user root %s port %d: Too many authentication failures [preauth]", src, port)
			line("sshd", pid, "PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=root", src)
		case r < 800: // an administrator logs in
			line("sshd", pid, "Accepted publickey for deploy from 198.51.100.%d port %d ssh2: ED25519 SHA256:Xb2Xq0l1m9wWq3r2n8PcV7fE1tL0aZ0b0c0d0e0f0g0", 1+rng.IntN(20), port)
			line("sshd", pid, "pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)")
			line("systemd-logind", 612, "New session %d of user deploy.", pid)
		case r < 840:
			line("sshd", pid, "Received disconnect from 198.51.100.%d port %d:11: disconnected by user", 1+rng.IntN(20), port)
			line("sshd", pid, "pam_unix(sshd:session): session closed for user deploy")
			line("systemd-logind", 612, "Session %d logged out. Waiting for processes to exit.", pid-40)
		case r < 880:
			line("sudo", 0, "  deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx")
			line("sudo", 0, "pam_unix(sudo:session): session opened for user root(uid=0) by deploy(uid=1000)")
			line("sudo", 0, "pam_unix(sudo:session): session closed for user root")
		case r < 980:
			line("CRON", pid, "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)")
			line("CRON", pid, "pam_unix(cron:session): session closed for user root")
		case r < 990:
			line("su", pid, "(to postgres) deploy on pts/0")
			line("su", pid, "pam_unix(su:session): session opened for user postgres(uid=111) by deploy(uid=1000)")
		default:
			line("systemd-logind", 612, "Removed session %d.", pid-100)
		}
	}
	return bw.Flush()
}
