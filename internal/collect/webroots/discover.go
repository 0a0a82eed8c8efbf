package webroots

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Root is one directory a web server serves files from.
type Root struct {
	Path     string // as configured (cleaned)
	Resolved string // after symlinks inside the target
	Server   string // nginx, apache, default
	Source   string // configuration file, "" for a usual location
	Line     int
	Text     string // the defining directive
	Active   bool   // defined by a configuration the server loads
	Walk     bool   // walked by content checks (false: inside another root, or too broad)
}

// Inventory is what Discover found: roots and the parsed configurations.
type Inventory struct {
	Roots  []Root
	Nginx  []*NginxDirective // expanded trees of every nginx file read (includes inlined)
	Apache []ApacheEntry     // directives of every Apache file read (includes inlined)
	// Broad lists configured roots too broad to walk ("/", "/usr").
	Broad []string
}

// ApacheEntry is an Apache directive with the file it came from.
type ApacheEntry struct {
	File   string
	Active bool
	D      ApacheDirective
}

// WalkRoots returns the resolved roots to walk: existing, not nested in
// another, not too broad. Sorted.
func (inv *Inventory) WalkRoots() []string {
	var out []string
	for _, r := range inv.Roots {
		if r.Walk {
			out = append(out, r.Resolved)
		}
	}
	return out
}

// Bounds of discovery: configurations are small, includes may loop.
const (
	confReadLimit   = 4 << 20
	maxConfFiles    = 2000
	maxIncludeDepth = 16
)

// Main configurations and where they resolve relative paths.
var nginxMains = []string{
	"/etc/nginx/nginx.conf", "/usr/local/nginx/conf/nginx.conf", "/usr/local/openresty/nginx/conf/nginx.conf",
	"/www/server/nginx/conf/nginx.conf", "/usr/local/tengine/conf/nginx.conf", "/opt/nginx/conf/nginx.conf",
}

// nginxExtras are files that may be active through an include the main file
// does not show (or stale copies worth reading anyway).
var nginxExtras = []string{
	"/etc/nginx/conf.d/*.conf", "/etc/nginx/sites-enabled/*", "/etc/nginx/sites-available/*",
	"/www/server/panel/vhost/nginx/*.conf", "/usr/local/nginx/conf/vhost/*.conf", "/usr/local/nginx/conf/conf.d/*.conf",
}

type apacheMain struct{ conf, serverRoot string }

var apacheMains = []apacheMain{
	{"/etc/apache2/apache2.conf", "/etc/apache2"}, {"/etc/httpd/conf/httpd.conf", "/etc/httpd"},
	{"/usr/local/apache2/conf/httpd.conf", "/usr/local/apache2"}, {"/www/server/apache/conf/httpd.conf", "/www/server/apache"},
	{"/opt/lampp/etc/httpd.conf", "/opt/lampp"},
}

var apacheExtras = []string{
	"/etc/apache2/sites-enabled/*", "/etc/apache2/sites-available/*.conf", "/etc/apache2/conf-enabled/*.conf",
	"/etc/httpd/conf.d/*.conf", "/www/server/panel/vhost/apache/*.conf",
}

// defaultRoots are the usual places web content lives without a
// configuration naming them.
var defaultRoots = []string{
	"/var/www/*", "/srv/www/*", "/srv/http", "/usr/share/nginx/html", "/home/*/public_html",
	"/opt/lampp/htdocs", "/www/wwwroot/*", "/home/wwwroot/*", "/data/wwwroot/*", "/usr/local/nginx/html",
	"/usr/local/apache2/htdocs", "/var/lib/tomcat*/webapps", "/opt/tomcat*/webapps", "/usr/share/tomcat*/webapps",
	"/usr/local/tomcat*/webapps", "/opt/apache-tomcat*/webapps",
}

// tooBroad are directories a (mistaken or hostile) root may name that must
// not be walked as web content.
var tooBroad = map[string]bool{
	"/": true, "/usr": true, "/usr/share": true, "/usr/lib": true, "/usr/local": true, "/var": true, "/var/lib": true,
	"/etc": true, "/home": true, "/opt": true, "/srv": true, "/root": true, "/tmp": true, "/data": true, "/www": true,
	"/bin": true, "/sbin": true, "/lib": true, "/boot": true, "/proc": true, "/sys": true, "/dev": true, "/run": true,
}

type discoverer struct {
	t      *target.Target
	rec    target.Recorder
	parsed map[string][]*NginxDirective
	read   int
	roots  []Root
	inv    *Inventory
}

// Discover finds the web roots of the target from nginx and Apache
// configurations and the usual locations, and keeps the parsed
// configurations for the checks.
func Discover(t *target.Target, rec target.Recorder) *Inventory {
	d := &discoverer{t: t, rec: rec, parsed: map[string][]*NginxDirective{}, inv: &Inventory{}}
	d.nginx()
	d.apache()
	d.defaults()
	d.finish()
	return d.inv
}

func (d *discoverer) readConf(p string) ([]byte, bool) {
	if d.read >= maxConfFiles {
		return nil, false
	}
	st, err := d.t.Stat(p)
	if err != nil || !st.Mode().IsRegular() {
		if err != nil {
			target.Record(d.rec, p, err)
		}
		return nil, false
	}
	d.read++
	return d.t.ReadFileRec(d.rec, p, confReadLimit)
}

// ---- nginx

func (d *discoverer) nginxFile(p string) ([]*NginxDirective, bool) {
	if ds, ok := d.parsed[p]; ok {
		return ds, true
	}
	b, ok := d.readConf(p)
	if !ok {
		d.parsed[p] = nil
		return nil, false
	}
	ds := ParseNginx(b)
	setFile(ds, p)
	d.parsed[p] = ds
	return ds, true
}

func setFile(ds []*NginxDirective, p string) {
	for _, x := range ds {
		x.File = p
		setFile(x.Block, p)
	}
}

func (d *discoverer) nginx() {
	reached := map[string]bool{}
	for _, main := range nginxMains {
		ds, ok := d.nginxFile(main)
		if !ok {
			continue
		}
		confDir := path.Dir(main)
		tree := d.expandNginx(ds, confDir, 0, reached, map[string]bool{main: true})
		reached[main] = true
		d.inv.Nginx = append(d.inv.Nginx, tree...)
		d.nginxRoots(tree, nginxPrefix(confDir), true)
	}
	// Files no main configuration reaches: read as inactive.
	var extras []string
	for _, g := range nginxExtras {
		extras = append(extras, d.t.Glob(g)...)
	}
	extras = append(extras, d.confUnder("/etc/nginx", ".conf")...)
	sort.Strings(extras)
	for _, p := range extras {
		if reached[p] || isNginxData(p) {
			continue
		}
		if rp, err := d.t.Resolve(p); err == nil && reached[rp] {
			continue
		}
		ds, ok := d.nginxFile(p)
		if !ok {
			continue
		}
		reached[p] = true
		confDir := "/etc/nginx"
		if !strings.HasPrefix(p, "/etc/nginx/") {
			confDir = path.Dir(path.Dir(p))
		}
		tree := d.expandNginx(ds, confDir, 0, reached, map[string]bool{p: true})
		d.inv.Nginx = append(d.inv.Nginx, tree...)
		d.nginxRoots(tree, nginxPrefix(confDir), false)
	}
}

// isNginxData are files in the configuration directory that are not
// configuration (type maps, charsets, parameter lists hold no roots).
func isNginxData(p string) bool {
	b := path.Base(p)
	return b == "mime.types" || strings.HasSuffix(b, "_params") || strings.HasPrefix(b, "koi-") || b == "win-utf"
}

// nginxPrefix is where nginx resolves a relative root: the parent of the
// configuration directory, except Debian's packaged layout.
func nginxPrefix(confDir string) string {
	if confDir == "/etc/nginx" {
		return "/usr/share/nginx"
	}
	return path.Dir(confDir)
}

// expandNginx returns ds with include directives replaced by the included
// files' directives, recursively (bounded, loop-safe).
func (d *discoverer) expandNginx(ds []*NginxDirective, confDir string, depth int, reached, visiting map[string]bool) []*NginxDirective {
	out := make([]*NginxDirective, 0, len(ds))
	for _, x := range ds {
		if x.Name == "include" && len(x.Args) == 1 && depth < maxIncludeDepth {
			pat := x.Args[0]
			if !path.IsAbs(pat) {
				pat = path.Join(confDir, pat)
			}
			for _, f := range d.globFiles(pat) {
				if visiting[f] || isNginxData(f) && f != pat {
					continue
				}
				inc, ok := d.nginxFile(f)
				if !ok {
					continue
				}
				reached[f] = true
				if rp, err := d.t.Resolve(f); err == nil {
					reached[rp] = true
				}
				visiting[f] = true
				out = append(out, d.expandNginx(inc, confDir, depth+1, reached, visiting)...)
				delete(visiting, f)
			}
			continue
		}
		if x.HasBlock {
			cp := *x
			cp.Block = d.expandNginx(x.Block, confDir, depth, reached, visiting)
			x = &cp
		}
		out = append(out, x)
	}
	return out
}

func (d *discoverer) nginxRoots(tree []*NginxDirective, prefix string, active bool) {
	WalkNginx(tree, nil, func(x *NginxDirective, parents []*NginxDirective) {
		if (x.Name != "root" && x.Name != "alias") || len(x.Args) != 1 || x.HasBlock {
			return
		}
		p := x.Args[0]
		if !path.IsAbs(p) && !strings.HasPrefix(p, "$") {
			p = path.Join(prefix, p)
		}
		d.addRoot(p, "nginx", x.File, x.Line, x.Text(), active)
	})
}

// WalkNginx calls fn for every directive with its enclosing blocks.
func WalkNginx(ds []*NginxDirective, parents []*NginxDirective, fn func(x *NginxDirective, parents []*NginxDirective)) {
	for _, x := range ds {
		fn(x, parents)
		if x.HasBlock {
			WalkNginx(x.Block, append(parents[:len(parents):len(parents)], x), fn)
		}
	}
}

// ---- roots

func (d *discoverer) defaults() {
	for _, g := range defaultRoots {
		for _, p := range d.t.Glob(g) {
			d.addRoot(p, "default", "", 0, "", false)
		}
	}
}

// addRoot records a candidate root, normalising variables away: a root
// like /var/www/$host stands for /var/www.
func (d *discoverer) addRoot(p, server, file string, line int, text string, active bool) {
	if i := strings.Index(p, "$"); i >= 0 {
		p = p[:i]
		if !strings.HasSuffix(p, "/") {
			p = path.Dir(p)
		}
	}
	if p == "" || !path.IsAbs(p) {
		return
	}
	p = path.Clean(p)
	d.roots = append(d.roots, Root{Path: p, Server: server, Source: file, Line: line, Text: text, Active: active})
}

// finish keeps existing directory roots, one per resolved path (a
// configuration beats a usual location, active beats inactive), and marks
// which to walk.
func (d *discoverer) finish() {
	best := map[string]Root{}
	rank := func(r Root) int {
		n := 0
		if r.Source != "" {
			n += 2
		}
		if r.Active {
			n++
		}
		return n
	}
	for _, r := range d.roots {
		st, err := d.t.Stat(r.Path)
		if err != nil || !st.IsDir() {
			continue
		}
		res, err := d.t.Resolve(r.Path)
		if err != nil {
			continue
		}
		r.Resolved = res
		if prev, ok := best[res]; !ok || rank(r) > rank(prev) {
			best[res] = r
		}
	}
	keys := make([]string, 0, len(best))
	for k := range best {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var walked []string
	for _, k := range keys {
		r := best[k]
		switch {
		case tooBroad[k]:
			d.inv.Broad = append(d.inv.Broad, k)
			d.rec.GapMsg(model.GapSkipped, k, model.Msg("webroots.gap.too-broad", k, where(r)))
		case !under(k, walked):
			r.Walk = true
			walked = append(walked, k)
		}
		d.inv.Roots = append(d.inv.Roots, r)
	}
}

func where(r Root) string {
	if r.Source == "" {
		return "-"
	}
	return fmt.Sprintf("%s:%d", r.Source, r.Line)
}

// under reports whether p is inside one of dirs.
func under(p string, dirs []string) bool {
	for _, d := range dirs {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}
