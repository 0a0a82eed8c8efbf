package webroots

import (
	"path"
	"sort"
	"strings"
)

// LogFile is an access or error log a web server configuration names.
type LogFile struct {
	Path   string // target path (relative paths resolved, ${APACHE_LOG_DIR} expanded)
	Error  bool   // an error log (ErrorLog, error_log), else an access log
	Format string // the access log's layout: an nginx log_format or Apache LogFormat string; "" for combined
	Server string // nginx or apache
	Source string // configuration file
	Line   int
}

// nginxPrefixes resolve nginx's relative log paths, by main configuration.
const nginxDefaultPrefix = "/etc/nginx"

// apacheLogDir is Debian's ${APACHE_LOG_DIR} (/etc/apache2/envvars).
const apacheLogDir = "/var/log/apache2"

// LogFiles lists the access and error logs of the configurations read, each
// path once (the first naming wins), sorted by path. Logs sent to syslog, a
// pipe or switched off are left out.
func (inv *Inventory) LogFiles() []LogFile {
	var out []LogFile
	seen := map[string]bool{}
	add := func(lf LogFile) {
		if lf.Path == "" || seen[lf.Path] {
			return
		}
		seen[lf.Path] = true
		out = append(out, lf)
	}
	formats := map[string]string{}
	WalkNginx(inv.Nginx, nil, func(x *NginxDirective, _ []*NginxDirective) {
		if x.Name == "log_format" && len(x.Args) >= 2 {
			i := 1
			if strings.HasPrefix(x.Args[1], "escape=") {
				i = 2
			}
			formats[x.Args[0]] = strings.Join(x.Args[i:], "")
		}
	})
	WalkNginx(inv.Nginx, nil, func(x *NginxDirective, _ []*NginxDirective) {
		if (x.Name != "access_log" && x.Name != "error_log") || len(x.Args) == 0 {
			return
		}
		p := nginxLogPath(x.Args[0])
		lf := LogFile{Path: p, Error: x.Name == "error_log", Server: "nginx", Source: x.File, Line: x.Line}
		if !lf.Error && len(x.Args) > 1 && x.Args[1] != "combined" && !strings.Contains(x.Args[1], "=") {
			lf.Format = formats[x.Args[1]]
		}
		add(lf)
	})
	nick := map[string]string{}
	for _, e := range inv.Apache {
		if e.D.Is("LogFormat") && len(e.D.Args) >= 2 {
			nick[e.D.Args[1]] = e.D.Args[0]
		}
	}
	for _, e := range inv.Apache {
		d := e.D
		switch {
		case (d.Is("CustomLog") || d.Is("TransferLog")) && len(d.Args) >= 1:
			lf := LogFile{Path: apacheLogPath(d.Args[0]), Server: "apache", Source: e.File, Line: d.Line}
			if f := d.Arg(1); f != "" && f != "combined" {
				if s, ok := nick[f]; ok {
					lf.Format = s
				} else if strings.Contains(f, "%") {
					lf.Format = f
				}
			}
			if lf.Format == "" && d.Is("CustomLog") && d.Arg(1) == "common" {
				lf.Format = `%h %l %u %t "%r" %>s %b`
			}
			add(lf)
		case d.Is("ErrorLog") && len(d.Args) == 1:
			add(LogFile{Path: apacheLogPath(d.Args[0]), Error: true, Server: "apache", Source: e.File, Line: d.Line})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func nginxLogPath(p string) string {
	switch {
	case p == "off" || p == "stderr" || strings.HasPrefix(p, "syslog:") || strings.HasPrefix(p, "memory:") || strings.Contains(p, "$"):
		return ""
	case !strings.HasPrefix(p, "/"):
		return path.Join(nginxDefaultPrefix, p)
	}
	return path.Clean(p)
}

func apacheLogPath(p string) string {
	p = strings.ReplaceAll(p, "${APACHE_LOG_DIR}", apacheLogDir)
	switch {
	case strings.HasPrefix(p, "|") || strings.HasPrefix(p, "syslog") || strings.Contains(p, "${"):
		return ""
	case !strings.HasPrefix(p, "/"):
		return path.Join("/etc/httpd", p) // RHEL's ServerRoot; Debian's configurations use ${APACHE_LOG_DIR}
	}
	return path.Clean(p)
}
