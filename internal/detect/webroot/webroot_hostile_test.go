package webroot

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
)

// TestHostileInput: hostile versions of the web server configuration and
// of files in upload directories leave a .htaccess that runs images as
// PHP reported.
func TestHostileInput(t *testing.T) {
	const up = "/var/www/wordpress/wp-content/uploads/2024/03/"
	enginetest.Hostile{
		Detector: New(),
		Root: func(t testing.TB) string {
			return fixture(t, "-- "+up[1:]+".htaccess --\nAddType application/x-httpd-php .jpg\n")
		},
		Trace: []enginetest.Want{{Rule: ruleExecImage, Subject: up + ".htaccess", Severity: model.High}},
		Files: []string{up + ".htaccess", up, "/etc/nginx/nginx.conf", "/etc/nginx/conf.d/", "/etc/nginx/sites-enabled/", "/etc/apache2/apache2.conf",
			"/etc/apache2/sites-enabled/", "/var/www/wordpress/wp-config.php", "/var/www/wordpress/index.php"},
		Needs: []string{up + ".htaccess"},
		Extra: map[string]string{"include-loop": "include /etc/nginx/nginx.conf;\ninclude /etc/nginx/conf.d/*;\nInclude /etc/apache2/apache2.conf\nIncludeOptional sites-enabled/*\nserver { root /; }}}}\n"},
	}.Run(t)
}
