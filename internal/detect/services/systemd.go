package services

import (
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/jobexec"
)

// scope is one systemd manager's view: the system manager, the user
// managers' shared directories, or one account's own user directories.
type scope struct {
	kind string // "system", "user-global" or "user"
	user string // for "user": the account
	home string
	dirs []string // unit directories, highest precedence first
}

// unit is one unit file (or symlink) found in a unit directory.
type unit struct {
	name   string
	path   string // target path in the unit directory
	real   string // resolved path (differs for linked units)
	dir    string
	prio   int // index of dir in the scope (0 = highest)
	masked bool
	alias  string // for a symlink to another unit name: that name
	file   UnitFile
	read   bool
	origin jobexec.Origin
}

// dropin is one *.conf file in a NAME.d directory.
type dropin struct {
	target string // unit name, type ("service") or prefix ("foo-.service")
	path   string
	prio   int
	file   UnitFile
	origin jobexec.Origin
}

// unitSet is everything found for one scope.
type unitSet struct {
	sc      scope
	byName  map[string][]*unit // fragments per name, highest precedence first
	names   []string           // sorted
	links   map[string]bool    // names enabled by *.wants, *.requires, *.upholds links
	dropins []*dropin
	enabled map[string]bool
	trigger map[string]string // unit -> "timer", "socket" or "path" that starts it
}

// systemDirs are the system manager's unit directories, highest
// precedence first (generator output is left out: the generators
// themselves are checked). live marks directories on /run, read only on a
// running host.
var systemDirs = []struct {
	dir  string
	live bool
}{
	{"/etc/systemd/system.control", false},
	{"/run/systemd/system.control", true},
	{"/run/systemd/transient", true},
	{"/etc/systemd/system", false},
	{"/etc/systemd/system.attached", false},
	{"/run/systemd/system", true},
	{"/run/systemd/system.attached", true},
	{"/usr/local/lib/systemd/system", false},
	{"/lib/systemd/system", false},
	{"/usr/lib/systemd/system", false},
}

var userGlobalDirs = []struct {
	dir  string
	live bool
}{
	{"/etc/systemd/user", false},
	{"/run/systemd/user", true},
	{"/usr/local/share/systemd/user", false},
	{"/usr/share/systemd/user", false},
	{"/usr/local/lib/systemd/user", false},
	{"/usr/lib/systemd/user", false},
	{"/lib/systemd/user", false},
}

// homeUnitDirs are an account's own unit directories.
var homeUnitDirs = []string{".config/systemd/user", ".local/share/systemd/user"}

// scopes lists the system scope, the shared user scope and one scope per
// home directory that has user units.
func (r *run) scopes() []scope {
	pick := func(list []struct {
		dir  string
		live bool
	}) []string {
		var out []string
		seen := map[string]bool{}
		for _, d := range list {
			if d.live && !r.t.IsLive() {
				continue
			}
			real, err := r.t.Resolve(d.dir)
			if err != nil || seen[real] {
				continue
			}
			seen[real] = true
			out = append(out, d.dir)
		}
		return out
	}
	out := []scope{{kind: "system", dirs: pick(systemDirs)}, {kind: "user-global", dirs: pick(userGlobalDirs)}}
	for _, h := range r.homes() {
		sc := scope{kind: "user", user: h.user, home: h.home}
		for _, d := range homeUnitDirs {
			p := path.Join(h.home, d)
			if fi, err := r.t.Stat(p); err == nil && fi.IsDir() {
				sc.dirs = append(sc.dirs, p)
			}
		}
		if len(sc.dirs) > 0 {
			out = append(out, sc)
		}
	}
	return out
}

// collect reads the unit files, enable links and drop-ins of a scope.
func (r *run) collect(sc scope) *unitSet {
	inv := &unitSet{sc: sc, byName: map[string][]*unit{}, links: map[string]bool{}}
	for prio, dir := range sc.dirs {
		for _, e := range r.listDir(dir) {
			name := e.Name()
			p := path.Join(dir, name)
			switch {
			case e.IsDir() && isLinkDir(name):
				for _, l := range r.listDir(p) {
					if !l.IsDir() && unitTypes[unitType(l.Name())] {
						inv.links[l.Name()] = true
					}
				}
			case e.IsDir() && strings.HasSuffix(name, ".d"):
				r.collectDropins(inv, p, strings.TrimSuffix(name, ".d"), prio)
			case !e.IsDir() && unitTypes[unitType(name)]:
				if u := r.loadUnit(p, dir, name, prio, e); u != nil {
					inv.byName[name] = append(inv.byName[name], u)
				}
			}
		}
	}
	for n := range inv.byName {
		inv.names = append(inv.names, n)
	}
	sort.Strings(inv.names)
	return inv
}

func isLinkDir(name string) bool {
	return strings.HasSuffix(name, ".wants") || strings.HasSuffix(name, ".requires") || strings.HasSuffix(name, ".upholds")
}

// loadUnit reads one entry of a unit directory: a file, a mask (symlink
// to /dev/null), an alias or a linked unit.
func (r *run) loadUnit(p, dir, name string, prio int, e fs.DirEntry) *unit {
	u := &unit{name: name, path: p, real: p, dir: dir, prio: prio}
	if e.Type()&fs.ModeSymlink != 0 {
		dest, err := r.t.Readlink(p)
		if err == nil && (dest == "/dev/null" || dest == "../../../dev/null") {
			u.masked = true
			return u
		}
		real, err := r.t.Resolve(p)
		if err != nil {
			r.record(p, err)
			return nil
		}
		if real == "/dev/null" {
			u.masked = true
			return u
		}
		u.real = real
		if b := path.Base(real); b != name {
			u.alias = b
		}
	}
	b, ok := r.read(p)
	if !ok {
		return nil
	}
	u.file, u.read = ParseUnit(b), true
	u.origin = r.x.OriginOf(u.real)
	return u
}

// collectDropins reads the *.conf files of a NAME.d directory.
func (r *run) collectDropins(inv *unitSet, dir, target string, prio int) {
	for _, e := range r.listDir(dir) {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".conf") {
			continue
		}
		p := path.Join(dir, e.Name())
		real, err := r.t.Resolve(p)
		if err != nil {
			r.record(p, err)
			continue
		}
		if real == "/dev/null" {
			continue // a masked drop-in
		}
		b, ok := r.read(p)
		if !ok {
			continue
		}
		inv.dropins = append(inv.dropins, &dropin{target: target, path: p, prio: prio, file: ParseUnit(b), origin: r.x.OriginOf(real)})
	}
}

// effective returns the unit file systemd loads for name (nil when masked
// or absent); instances fall back to their template.
func (inv *unitSet) effective(name string) *unit {
	list := inv.byName[name]
	if len(list) == 0 {
		if t := template(name); t != "" {
			list = inv.byName[t]
		}
	}
	if len(list) == 0 || list[0].masked {
		return nil
	}
	return list[0]
}

// alwaysStarted are targets the boot transaction pulls in whatever is
// enabled.
var alwaysStarted = []string{
	"default.target", "multi-user.target", "graphical.target", "basic.target", "sysinit.target",
	"sockets.target", "timers.target", "paths.target", "local-fs.target", "remote-fs.target",
	"network.target", "network-online.target", "getty.target", "emergency.target", "rescue.target",
}

// depKeys name the units a unit pulls in or starts.
var depKeys = [][2]string{
	{"Unit", "Wants"}, {"Unit", "Requires"}, {"Unit", "Requisite"}, {"Unit", "BindsTo"},
	{"Unit", "Upholds"}, {"Unit", "OnFailure"}, {"Unit", "OnSuccess"},
}

// resolveEnabled computes which units are started: those enabled by a
// link, the standard targets, and everything they pull in or trigger.
func (inv *unitSet) resolveEnabled() {
	inv.enabled = map[string]bool{}
	inv.trigger = map[string]string{}
	var queue []string
	push := func(n string) {
		if n != "" && !inv.enabled[n] {
			inv.enabled[n] = true
			queue = append(queue, n)
		}
	}
	for n := range inv.links {
		push(n)
	}
	for _, n := range alwaysStarted {
		push(n)
	}
	if inv.sc.kind != "system" {
		push("default.target")
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		u := inv.effective(n)
		if u == nil {
			continue
		}
		if u.alias != "" {
			push(u.alias)
		}
		for _, k := range depKeys {
			for _, d := range u.file.Names(k[0], k[1]) {
				push(d)
			}
		}
		for _, d := range inv.dropinsFor(n) {
			for _, k := range depKeys {
				for _, dn := range d.file.Names(k[0], k[1]) {
					push(dn)
				}
			}
		}
		if t := inv.triggers(n, u); t != "" {
			if _, ok := inv.trigger[t]; !ok {
				inv.trigger[t] = unitType(n)
			}
			push(t)
		}
	}
}

// triggers returns the unit a timer, socket or path unit starts.
func (inv *unitSet) triggers(n string, u *unit) string {
	base := strings.TrimSuffix(n, "."+unitType(n))
	switch unitType(n) {
	case "timer":
		if e, ok := u.file.Last("Timer", "Unit"); ok {
			return e.Value
		}
		return base + ".service"
	case "path":
		if e, ok := u.file.Last("Path", "Unit"); ok {
			return e.Value
		}
		return base + ".service"
	case "socket":
		if e, ok := u.file.Last("Socket", "Service"); ok {
			return e.Value
		}
		if e, ok := u.file.Last("Socket", "Accept"); ok && isYes(e.Value) {
			return base + "@.service"
		}
		return base + ".service"
	}
	return ""
}

// dropinsFor returns the drop-ins that apply to unit n: its own NAME.d,
// its template's, prefix drop-ins (foo-.service.d for foo-bar.service) and
// type-wide ones (service.d).
func (inv *unitSet) dropinsFor(n string) []*dropin {
	var out []*dropin
	typ := unitType(n)
	tmpl := template(n)
	for _, d := range inv.dropins {
		if d.target == n || (tmpl != "" && d.target == tmpl) || d.target == typ || prefixMatch(d.target, n) {
			out = append(out, d)
		}
	}
	return out
}

// prefixMatch reports whether a drop-in directory for "foo-.service"
// applies to n (foo-bar.service).
func prefixMatch(target, n string) bool {
	i := strings.LastIndexByte(target, '.')
	if i <= 0 || target[i-1] != '-' {
		return false
	}
	prefix, typ := target[:i], target[i:]
	return strings.HasSuffix(n, typ) && strings.HasPrefix(n, prefix) && n != target
}

// prefixDropin reports whether a drop-in directory name is a prefix one
// ("foo-.service").
func prefixDropin(target string) bool {
	i := strings.LastIndexByte(target, '.')
	return i > 0 && target[i-1] == '-'
}

func isYes(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "true", "1", "on":
		return true
	}
	return false
}
