package webroot

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/vigil-ir/vigil/internal/collect/webroots"
	"github.com/vigil-ir/vigil/internal/files/webshell"
	"github.com/vigil-ir/vigil/internal/model"
)

// execHandler reports whether an Apache handler or MIME type makes the
// server run a file as code (PHP in any form, CGI, FastCGI, mod_perl...).
func execHandler(h string) bool {
	h = strings.ToLower(h)
	switch {
	case strings.Contains(h, "source"): // application/x-httpd-php-source shows code
		return false
	case strings.Contains(h, "php"), strings.Contains(h, "cgi-script"), strings.Contains(h, "fcgid-script"),
		strings.Contains(h, "perl-script"), strings.Contains(h, "python-program"), strings.Contains(h, "wsgi-script"):
		return true
	case strings.HasPrefix(h, "proxy:") && strings.Contains(h, "fcgi://"):
		return true
	}
	return false
}

// dataExts must never be mapped to a script handler. HTML is left out:
// running .html through PHP is an old but common site setup.
var dataExts = map[string]bool{
	"jpg": true, "jpeg": true, "png": true, "gif": true, "ico": true, "bmp": true, "webp": true, "svg": true,
	"txt": true, "css": true, "js": true, "pdf": true, "doc": true, "docx": true, "xls": true, "xlsx": true,
	"zip": true, "rar": true, "log": true, "xml": true, "json": true, "mp3": true, "mp4": true,
}

// judgeApache grades one Apache directive, from a server configuration
// (htDir "") or from the .htaccess file in directory htDir.
func (r *run) judgeApache(file string, active bool, d webroots.ApacheDirective, htDir string) {
	ev := model.Evidence{Path: file, Line: d.Line, Text: d.Raw, Extra: map[string]string{}}
	if !active && htDir == "" {
		ev.Extra["active"] = "no"
	}
	switch {
	case d.Is("AddType") || d.Is("AddHandler"):
		if !execHandler(d.Arg(0)) {
			return
		}
		var bad []string
		for _, e := range d.Args[1:] {
			e = strings.ToLower(strings.TrimPrefix(e, "."))
			if dataExts[e] {
				bad = append(bad, "."+e)
			}
		}
		if len(bad) > 0 {
			ev.Extra["extensions"] = strings.Join(bad, " ")
			r.execImage(file, ev, model.High, model.ConfHigh)
			return
		}
		if c, dir := webshell.ClassifyDir(htDir); htDir != "" && c >= webshell.DirImage {
			ev.Extra["directory"] = dir
			r.execImage(file, ev, model.High, model.ConfMedium)
		}
	case d.Is("SetHandler") || d.Is("ForceType"):
		h := d.Arg(0)
		if !execHandler(h) {
			return
		}
		if sec, ok := filesSection(d.Sections); ok {
			if matched, sample := sectionMatchesImages(sec); matched {
				ev.Extra["matches"] = sample
				r.execImage(file, ev, model.High, model.ConfHigh)
			}
			return
		}
		if htDir != "" {
			c, _ := webshell.ClassifyDir(htDir)
			php := strings.Contains(strings.ToLower(h), "php")
			if php || c >= webshell.DirImage {
				ev.Extra["scope"] = "every file in " + htDir
				r.execImage(file, ev, model.High, model.ConfMedium)
			}
			return
		}
		for _, s := range d.Sections {
			if (strings.EqualFold(s.Name, "Directory") || strings.EqualFold(s.Name, "Location")) && len(s.Args) > 0 {
				if c, dir := webshell.ClassifyDir(s.Args[len(s.Args)-1]); c >= webshell.DirImage {
					ev.Extra["scope"] = s.Name + " " + strings.Join(s.Args, " ")
					ev.Extra["directory"] = dir
					r.execImage(file, ev, model.High, model.ConfMedium)
					return
				}
			}
		}
	case d.Is("php_value") || d.Is("php_admin_value"):
		if k := strings.ToLower(d.Arg(0)); k == "auto_prepend_file" || k == "auto_append_file" {
			base := htDir
			if base == "" {
				base = path.Dir(file)
			}
			r.autoPrepend(file, ev, k, d.Arg(1), base)
		}
	}
}

func (r *run) execImage(file string, ev model.Evidence, sev model.Severity, conf model.Confidence) {
	if len(ev.Extra) == 0 {
		ev.Extra = nil
	}
	f := model.Finding{RuleID: ruleExecImage, Subject: file, Evidence: ev, Key: fmt.Sprintf("%s:%s", file, ev.Text)}
	r.env.Emit(f.WithSeverity(sev).WithConfidence(conf))
}

// filesSection returns the innermost <Files>/<FilesMatch> around a
// directive.
func filesSection(secs []webroots.ApacheSection) (webroots.ApacheSection, bool) {
	for i := len(secs) - 1; i >= 0; i-- {
		if strings.EqualFold(secs[i].Name, "Files") || strings.EqualFold(secs[i].Name, "FilesMatch") {
			return secs[i], true
		}
	}
	return webroots.ApacheSection{}, false
}

// sectionMatchesImages reports whether a Files/FilesMatch section applies
// to an image name.
func sectionMatchesImages(s webroots.ApacheSection) (bool, string) {
	args := s.Args
	isRegex := strings.EqualFold(s.Name, "FilesMatch")
	if len(args) > 1 && args[0] == "~" {
		isRegex, args = true, args[1:]
	}
	if len(args) == 0 {
		return false, ""
	}
	pat := args[0]
	if isRegex {
		re, err := regexp.Compile(pat)
		if err != nil {
			re, err = regexp.Compile(regexp.QuoteMeta(pat))
			if err != nil {
				return false, ""
			}
		}
		for _, smp := range webshell.ImageSamples {
			if re.MatchString(path.Base(smp)) {
				return true, smp
			}
		}
		return false, ""
	}
	for _, smp := range webshell.ImageSamples {
		if ok, _ := path.Match(pat, path.Base(smp)); ok {
			return true, smp
		}
	}
	return false, ""
}

// judgeNginx grades locations that send images or upload directories to
// a script interpreter, and PHP settings passed through FastCGI.
func (r *run) judgeNginx(tree []*webroots.NginxDirective) {
	webroots.WalkNginx(tree, nil, func(x *webroots.NginxDirective, parents []*webroots.NginxDirective) {
		switch {
		case x.Name == "location" && x.HasBlock && len(x.Args) > 0:
			r.nginxLocation(x)
		case x.Name == "fastcgi_param" && len(x.Args) >= 2 && (x.Args[0] == "PHP_VALUE" || x.Args[0] == "PHP_ADMIN_VALUE"):
			for _, kv := range strings.Split(x.Args[1], "\n") {
				k, v, ok := strings.Cut(kv, "=")
				k = strings.ToLower(strings.TrimSpace(k))
				if ok && (k == "auto_prepend_file" || k == "auto_append_file") {
					ev := model.Evidence{Path: x.File, Line: x.Line, Text: x.Text()}
					r.autoPrepend(x.File, ev, k, strings.TrimSpace(v), "/")
				}
			}
		}
	})
}

var uriSamples = []string{"/x.jpg", "/uploads/x.jpg", "/x.png", "/x.gif", "/x.ico", "/x.txt", "/images/x.jpeg"}

// scriptNameVars are the variables that make SCRIPT_FILENAME the requested
// file (as opposed to one fixed front controller).
var scriptNameVars = []string{"$fastcgi_script_name", "$uri", "$request_filename", "$document_uri", "$request_uri"}

func (r *run) nginxLocation(x *webroots.NginxDirective) {
	var pass *webroots.NginxDirective
	script := ""
	for _, c := range x.Block {
		switch c.Name {
		case "fastcgi_pass", "scgi_pass", "uwsgi_pass":
			pass = c
		case "fastcgi_param":
			if len(c.Args) >= 2 && c.Args[0] == "SCRIPT_FILENAME" {
				script = c.Args[1]
			}
		}
	}
	if pass == nil {
		return
	}
	if script != "" && !containsAny(script, scriptNameVars) {
		return // a fixed front controller handles every request
	}
	mod, pat := "", x.Args[len(x.Args)-1]
	if len(x.Args) > 1 {
		mod = x.Args[0]
	}
	ev := model.Evidence{Path: x.File, Line: x.Line, Text: x.Text(), Extra: map[string]string{"passes_to": pass.Text(), "passes_line": fmt.Sprint(pass.Line)}}
	switch mod {
	case "~", "~*":
		expr := pat
		if mod == "~*" {
			expr = "(?i)" + pat
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return
		}
		for _, s := range uriSamples {
			if re.MatchString(s) {
				ev.Extra["matches"] = s
				r.execImage(x.File, ev, model.High, model.ConfHigh)
				return
			}
		}
	default:
		if c, dir := webshell.ClassifyDir(strings.Trim(pat, "/")); c >= webshell.DirImage {
			ev.Extra["directory"] = dir
			r.execImage(x.File, ev, model.High, model.ConfMedium)
		}
	}
}

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}
