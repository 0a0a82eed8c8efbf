package cmdscan

import (
	"slices"
	"testing"
)

func TestWriteTargets(t *testing.T) {
	for _, c := range []struct {
		line string
		want []string
	}{
		{`/usr/bin/curl -s http://x/a -o /tmp/.x/a`, []string{"/tmp/.x/a"}},
		{`/bin/sh -c 'echo 1 >> /dev/shm/.log'`, []string{"/dev/shm/.log"}},
		{`wget -q -O /var/tmp/k http://x/k`, []string{"/var/tmp/k"}},
		{`cp /usr/bin/bash /tmp/.b`, []string{"/tmp/.b"}},
		{`dd if=/dev/zero of=/var/tmp/x bs=1M count=1`, []string{"/var/tmp/x"}},
		{`mkdir -p /root/.cache/.s`, []string{"/root/.cache/.s"}},
		{`/usr/local/bin/app --config /etc/app.yml > /dev/null 2>&1`, nil},
		{`/usr/bin/rsync -a /srv/data/ /backup/data/`, []string{"/backup/data/"}},
		{`/usr/bin/node /srv/app/server.js`, nil},
		{`tar czf /var/tmp/.r/home.tgz /home/ops`, []string{"/var/tmp/.r/home.tgz"}},
		{`tar xzf /tmp/foo.tgz -C /opt`, nil},
		{`zip -qr /dev/shm/d.zip /var/www`, []string{"/dev/shm/d.zip"}},
	} {
		if got := WriteTargets(c.line); !slices.Equal(got, c.want) {
			t.Errorf("WriteTargets(%q) = %q, want %q", c.line, got, c.want)
		}
	}
}

func FuzzWriteTargets(f *testing.F) {
	f.Add(`curl -o /tmp/x http://a`)
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range WriteTargets(s) {
			if p == "" || p[0] != '/' {
				t.Fatalf("bad target %q", p)
			}
		}
	})
}
