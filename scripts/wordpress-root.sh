#!/usr/bin/env bash
# Build (once) a Debian 12 WordPress server root with debootstrap — nginx,
# PHP-FPM, MariaDB and Debian's wordpress package, set up the way the
# package's README.Debian says — for the end-to-end test that a lived-in
# web server root keeps zero findings at medium or above. Cached outside the
# repository; prints the root's path.
#
#   scripts/wordpress-root.sh [DIR]   (default: /var/cache/vigil-e2e/wordpress)
#
# The debootstrap itself is scripts/debian-root.sh with more packages; this
# script adds the site (run by it as ROOT_SETUP, with --setup DIR).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ "${1:-}" != --setup ]; then
  EXTRA_PACKAGES=php-fpm,php-mysql,wordpress,mariadb-server \
    ROOT_SETUP="$here/wordpress-root.sh --setup" \
    exec "$here/debian-root.sh" "${1:-${VIGIL_E2E_WP_ROOT:-/var/cache/vigil-e2e/wordpress}}"
fi
dir=$2

# The site, as README.Debian of wordpress describes it for nginx.
cat >"$dir/etc/nginx/sites-available/wordpress" <<'CONF'
server {
	listen 80;
	server_name blog.example.org;
	root /usr/share/wordpress;
	index index.php;
	location / {
		try_files $uri $uri/ /index.php?$args;
	}
	location ~ \.php$ {
		include snippets/fastcgi-php.conf;
		fastcgi_pass unix:/run/php/php8.2-fpm.sock;
	}
	location ~ /\.ht {
		deny all;
	}
}
CONF
ln -sf ../sites-available/wordpress "$dir/etc/nginx/sites-enabled/wordpress"
rm -f "$dir/etc/nginx/sites-enabled/default"
cat >"$dir/etc/wordpress/config-blog.example.org.php" <<'CONF'
<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'wordpress');
define('DB_PASSWORD', 'change-me');
define('DB_HOST', 'localhost');
define('WP_CONTENT_DIR', '/var/lib/wordpress/wp-content');
?>
CONF
chmod 640 "$dir/etc/wordpress/config-blog.example.org.php"
