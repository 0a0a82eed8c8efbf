package webroots

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
)

func TestLogFiles(t *testing.T) {
	dir := testutil.RootFromString(t, `
-- etc/nginx/nginx.conf --
http {
    log_format main '$remote_addr - $remote_user [$time_local] "$request" '
                    '$status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"';
    access_log /var/log/nginx/access.log main;
    error_log logs/error.log warn;
    server {
        root /var/www/html;
        access_log syslog:server=unix:/dev/log;
        access_log /srv/logs/shop.log combined buffer=32k;
    }
}
-- etc/apache2/apache2.conf --
LogFormat "%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"" vhost_combined
ErrorLog ${APACHE_LOG_DIR}/error.log
<VirtualHost *:80>
  DocumentRoot /var/www/site
  CustomLog ${APACHE_LOG_DIR}/site_access.log vhost_combined
  CustomLog "|/usr/bin/rotatelogs /x 86400" common
</VirtualHost>
-- var/www/html/index.html --
x
`)
	inv := Discover(target.NewUnchecked(dir, false), target.Discard{})
	type lf struct {
		Path   string
		Error  bool
		Format string
	}
	var got []lf
	for _, f := range inv.LogFiles() {
		got = append(got, lf{f.Path, f.Error, f.Format})
	}
	want := []lf{
		{"/etc/nginx/logs/error.log", true, ""},
		{"/srv/logs/shop.log", false, ""},
		{"/var/log/apache2/error.log", true, ""},
		{"/var/log/apache2/site_access.log", false, `%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"`},
		{"/var/log/nginx/access.log", false, `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"`},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("log files (-want +got):\n%s", d)
	}
}
