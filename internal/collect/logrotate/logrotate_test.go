package logrotate

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// debian is Debian 12's logrotate.conf and rsyslog's file, with a web
// server's, a dpkg backup file logrotate skips, and an hourly block.
const debian = `
-- etc/logrotate.conf --
# see "man logrotate" for details
weekly
rotate 4
create
#dateext
include /etc/logrotate.d
-- etc/logrotate.d/rsyslog --
/var/log/syslog
/var/log/mail.log
/var/log/kern.log
/var/log/auth.log
/var/log/user.log
/var/log/cron.log
{
	rotate 4
	weekly
	missingok
	notifempty
	compress
	delaycompress
	sharedscripts
	postrotate
		/usr/lib/rsyslog/rsyslog-rotate
	endscript
}
-- etc/logrotate.d/nginx --
/var/log/nginx/*.log {
	daily
	missingok
	rotate 14
	compress
	prerotate
		if [ -d /etc/logrotate.d/httpd-prerotate ]; then \
			run-parts /etc/logrotate.d/httpd-prerotate; \
		fi \
	endscript
}
-- etc/logrotate.d/nginx.dpkg-old --
/var/log/nginx/*.log {
	rotate 9999
}
-- etc/logrotate.d/btmp --
"/var/log/btmp" {
    missingok
    monthly
    rotate 1
}
-- etc/logrotate.d/app --
maxage 30
/srv/app/*.log /srv/app/audit/*.log {
	size 100M
	rotate 5
}
/srv/keep.log {
	rotate -1
	daily
}
/srv/hourly.log {
	hourly
	rotate 48
}
`

func TestRead(t *testing.T) {
	root := testutil.RootFromString(t, debian)
	var gaps target.GapLog
	c, ok := Read(target.NewUnchecked(root, false), &gaps)
	if !ok {
		t.Fatal("no configuration read")
	}
	tests := []struct {
		log     string
		file    string
		days    float64
		known   bool
		forever bool
	}{
		{"/var/log/auth.log", "/etc/logrotate.d/rsyslog", 28, true, false},
		{"/var/log/nginx/access.log", "/etc/logrotate.d/nginx", 14, true, false},
		{"/var/log/btmp", "/etc/logrotate.d/btmp", 30, true, false},
		// size only, but the global maxage set before the block bounds it
		{"/srv/app/audit/x.log", "/etc/logrotate.d/app", 30, true, false},
		// rotate -1 keeps every copy, but maxage 30 (global) applies
		{"/srv/keep.log", "/etc/logrotate.d/app", 30, true, false},
		{"/srv/hourly.log", "/etc/logrotate.d/app", 2, true, false},
	}
	for _, tt := range tests {
		b, ok := c.Match(tt.log)
		if !ok {
			t.Errorf("%s: no block", tt.log)
			continue
		}
		if b.File != tt.file {
			t.Errorf("%s: block of %s, want %s", tt.log, b.File, tt.file)
		}
		days, known, forever := b.Retention()
		if days != tt.days || known != tt.known || forever != tt.forever {
			t.Errorf("%s: retention %v %v %v, want %v %v %v", tt.log, days, known, forever, tt.days, tt.known, tt.forever)
		}
	}
	if _, ok := c.Match("/var/log/dpkg.log"); ok {
		t.Error("a log no block names matched")
	}
	if len(gaps.Gaps) != 0 {
		t.Errorf("gaps: %v", gaps.Gaps)
	}
}

func TestRetention(t *testing.T) {
	tests := []struct {
		s       Settings
		days    float64
		known   bool
		forever bool
	}{
		{Settings{Period: "weekly", Rotate: 4}, 28, true, false},
		{Settings{Period: "daily", Rotate: 180}, 180, true, false},
		{Settings{Period: "monthly", Rotate: 12, MaxAge: 90}, 90, true, false},
		{Settings{Period: "daily", Rotate: -1}, 0, true, true},
		{Settings{Rotate: 5}, 0, false, false},
		{Settings{Period: "yearly", Rotate: 0}, 0, true, false},
	}
	for _, tt := range tests {
		days, known, forever := tt.s.Retention()
		if days != tt.days || known != tt.known || forever != tt.forever {
			t.Errorf("%+v: %v %v %v, want %v %v %v", tt.s, days, known, forever, tt.days, tt.known, tt.forever)
		}
	}
}

func TestNoConfig(t *testing.T) {
	root := testutil.RootFromString(t, "-- etc/hostname --\nh\n")
	if _, ok := Read(target.NewUnchecked(root, false), &target.GapLog{}); ok {
		t.Error("a root without logrotate.conf read as configured")
	}
}

// TestIncludeLoop: a file that includes itself or its directory ends.
func TestIncludeLoop(t *testing.T) {
	root := testutil.RootFromString(t, `
-- etc/logrotate.conf --
include /etc/logrotate.conf
include /etc/logrotate.d
-- etc/logrotate.d/a --
include /etc/logrotate.d
/var/log/a.log {
	daily
	rotate 3
}
`)
	c, _ := Read(target.NewUnchecked(root, false), &target.GapLog{})
	if len(c.Blocks) != 1 {
		t.Errorf("%d blocks, want 1", len(c.Blocks))
	}
}

func FuzzParse(f *testing.F) {
	f.Add("weekly\nrotate 4\n/var/log/a {\n daily\n rotate 7\n postrotate\n x\n endscript\n}\n")
	f.Add("\"/var/log/a b\" /x {\nsize 1\nmaxage -3\nrotate -9\n}")
	f.Add("/a\n/b\n{\n")
	f.Fuzz(func(t *testing.T, s string) {
		r := &reader{seen: map[string]bool{}}
		r.parse("/etc/logrotate.conf", s, maxDepth+1) // no includes followed
		for _, b := range r.c.Blocks {
			days, _, _ := b.Retention()
			if days < 0 {
				t.Fatalf("negative retention %v for %+v", days, b.Settings)
			}
		}
	})
}
