package webroot

import (
	"bytes"
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/files/webshell"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// autoPrepend grades a PHP auto_prepend_file / auto_append_file setting:
// PHP then runs that file before (after) every script of the scope, the
// favourite persistence of PHP webshells.
func (r *run) autoPrepend(file string, ev model.Evidence, key, value, baseDir string) {
	value = strings.Trim(strings.TrimSpace(value), `"'`)
	if value == "" || strings.EqualFold(value, "none") {
		return
	}
	target := value
	if !path.IsAbs(target) {
		target = path.Join(baseDir, target)
	}
	if ev.Extra == nil {
		ev.Extra = map[string]string{}
	}
	ev.Extra["setting"] = key
	ev.Extra["runs"] = target
	sev, conf := model.High, model.ConfHigh
	b, err := r.t.ReadFile(target, scriptReadLimit)
	switch {
	case err != nil:
		ev.Extra["runs_readable"] = "no"
	case isWordfenceLoader(target, b):
		return // Wordfence's firewall loader, installed by its plugin
	default:
		if frag, ok := webshell.WebshellCode(b); ok {
			ev.Extra["runs_code"] = frag
			sev = model.Critical
		}
	}
	if writableOrHidden(target) {
		sev = model.Critical
		ev.Extra["runs_from"] = "writable or hidden location"
	}
	f := model.Finding{RuleID: ruleAutoPrepend, Subject: file, Evidence: ev, Key: file + ":" + key + ":" + target}
	r.env.Emit(f.WithSeverity(sev).WithConfidence(conf))
}

// isWordfenceLoader recognises wordfence-waf.php as the Wordfence plugin
// writes it: a guarded include of the plugin's firewall bootstrap, nothing
// else.
func isWordfenceLoader(p string, b []byte) bool {
	if path.Base(p) != "wordfence-waf.php" || len(b) > 4096 {
		return false
	}
	return bytes.Contains(b, []byte("wp-content/plugins/wordfence/waf/bootstrap.php")) && !webshell.WebshellRe.Match(b)
}

func writableOrHidden(p string) bool { return places.Temporary(p) || places.HiddenDir(p) != "" }

// PHP configuration: php.ini and its conf.d snippets, and FPM pools.
var phpIniGlobs = []string{
	"/etc/php.ini", "/etc/php.d/*.ini", "/etc/php/*/*/php.ini", "/etc/php/*/*/conf.d/*.ini", "/etc/php/*/mods-available/*.ini",
	"/usr/local/php/etc/php.ini", "/usr/local/php/etc/php.d/*.ini", "/usr/local/lib/php.ini", "/www/server/php/*/etc/php.ini",
	"/opt/lampp/etc/php.ini", "/etc/opt/remi/*/php.ini", "/etc/opt/remi/*/php.d/*.ini",
}

var fpmGlobs = []string{
	"/etc/php/*/fpm/pool.d/*.conf", "/etc/php/*/fpm/php-fpm.conf", "/etc/php-fpm.conf", "/etc/php-fpm.d/*.conf",
	"/usr/local/php/etc/php-fpm.conf", "/usr/local/php/etc/php-fpm.d/*.conf", "/www/server/php/*/etc/php-fpm.conf",
}

var fpmPrependRe = lazyre.New(`^\s*php_(?:admin_)?value\s*\[\s*(auto_prepend_file|auto_append_file)\s*\]\s*=\s*(.*)$`)

// phpConfig checks PHP's own configuration for prepended files.
func (r *run) phpConfig() {
	for _, g := range phpIniGlobs {
		for _, f := range r.t.Glob(g) {
			r.iniFile(f, path.Dir(f), false)
		}
	}
	for _, g := range fpmGlobs {
		for _, f := range r.t.Glob(g) {
			r.iniFile(f, path.Dir(f), true)
		}
	}
}

// iniFile reads an ini-style file (php.ini, .user.ini, FPM pool) and
// grades its prepend settings.
func (r *run) iniFile(f, baseDir string, fpm bool) {
	if r.pk.Owner(f) != "" && r.pk.Pristine(f) {
		return
	}
	b, ok := r.t.ReadFileRec(r.env, f, confReadLimit)
	if !ok {
		return
	}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == ';' || line[0] == '#' {
			continue
		}
		var key, val string
		if fpm {
			m := fpmPrependRe.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			key, val = m[1], m[2]
		} else {
			k, v, ok := strings.Cut(line, "=")
			key = strings.ToLower(strings.TrimSpace(k))
			if !ok || (key != "auto_prepend_file" && key != "auto_append_file") {
				continue
			}
			val = v
		}
		if j := strings.Index(val, " ;"); j >= 0 {
			val = val[:j]
		}
		r.autoPrepend(f, model.Evidence{Path: f, Line: i + 1, Text: textclip.Trim(line, 300)}, key, val, baseDir)
	}
}
