// Package webroot finds the directories web servers serve and looks in
// them for the footholds of a web intrusion (ATT&CK T1505.003 web shell):
//
//   - web roots from nginx (root/alias, following include globs from the
//     main configuration, conf.d, sites-enabled, BT panel and LNMP vhost
//     directories) and Apache (DocumentRoot/Alias/ScriptAlias, following
//     Include/IncludeOptional from ServerRoot), plus the usual locations
//     (/var/www/*, /srv/www, /usr/share/nginx/html, ~/public_html, XAMPP,
//     /www/wwwroot, Tomcat webapps); each is listed as an info finding with
//     the file:line that defines it;
//   - configuration that runs images or upload directories as code:
//     AddType/AddHandler/SetHandler/ForceType in Apache files and
//     .htaccess, nginx locations matching images or upload paths that pass
//     to FastCGI/uWSGI/SCGI;
//   - auto_prepend_file/auto_append_file in .htaccess, .user.ini, php.ini,
//     FPM pools and nginx PHP_VALUE (Wordfence's own loader excepted);
//   - executable git hooks in repositories inside web roots.
//
// Web-root discovery lives in collect/webroots (shared as inventory.WebRoots) for the tools and changed
// detectors. Its part of the scan's one walk (engine.Walker) keeps the
// .htaccess and .user.ini files and the git repositories of the web roots;
// it is bounded (depth 12, 200,000 of them) and reports a gap when a bound
// cuts it; roots like "/" or "/usr" are listed
// but not walked. The content of the files in web roots (scripts in upload
// directories, code inside images, webshell heuristics, scripts newer than
// their neighbours) is judged by the file walk's matchers
// (internal/files/webshell, run by the files detector), which read each
// file once.
package webroot
