package loader

import (
	"path"
	"sort"
	"strings"
	"syscall"

	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/grade/rootkits"
	"github.com/vigil-ir/vigil/internal/model"
)

// PreloadEntry is one library named in /etc/ld.so.preload.
type PreloadEntry struct {
	Line int
	Text string // the whole line
	Lib  string
}

// ParsePreload reads /etc/ld.so.preload: names separated by white space or
// colons. glibc has no comment syntax; a line starting with # is reported
// as written (the loader tries to load it and fails), so it is skipped.
func ParsePreload(b []byte) []PreloadEntry {
	var out []PreloadEntry
	for i, l := range strings.Split(string(b), "\n") {
		if i >= 10000 {
			break
		}
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		for _, f := range strings.FieldsFunc(t, func(r rune) bool { return r == ' ' || r == '\t' || r == ':' || r == '\r' }) {
			out = append(out, PreloadEntry{Line: i + 1, Text: t, Lib: f})
		}
	}
	return out
}

// ConfDir is one library directory named in ld.so.conf or a file it
// includes.
type ConfDir struct {
	File string // the file that names it
	Line int
	Text string
	Dir  string
}

// ConfLine is one meaningful line of an ld.so.conf file.
type ConfLine struct {
	Line     int
	Text     string
	Includes []string // include patterns (as written)
	Dir      string   // a library directory
}

// ParseLdSoConf reads one ld.so.conf file: "include PATTERN..." lines,
// "hwcap" lines (ignored) and one directory per line ("dir=TYPE" accepted),
// # comments.
func ParseLdSoConf(b []byte) []ConfLine {
	var out []ConfLine
	for i, l := range strings.Split(string(b), "\n") {
		if i >= 10000 {
			break
		}
		raw := strings.TrimSpace(strings.TrimSuffix(l, "\r"))
		t := raw
		if k := strings.IndexByte(t, '#'); k >= 0 {
			t = strings.TrimSpace(t[:k])
		}
		if t == "" {
			continue
		}
		f := strings.Fields(t)
		switch f[0] {
		case "include":
			if len(f) > 1 {
				out = append(out, ConfLine{Line: i + 1, Text: raw, Includes: f[1:]})
			}
			continue
		case "hwcap":
			continue
		}
		dir, _, _ := strings.Cut(t, "=")
		out = append(out, ConfLine{Line: i + 1, Text: raw, Dir: strings.TrimSpace(dir)})
	}
	return out
}

// standardLibDirs are the toolchain's own library directories; ldconfig
// searches them anyway.
func standardLibDir(d string) bool {
	d = path.Clean(d)
	switch d {
	case "/lib", "/lib64", "/lib32", "/libx32", "/usr/lib", "/usr/lib64", "/usr/lib32", "/usr/libx32", "/usr/local/lib", "/usr/local/lib64":
		return true
	}
	for _, pre := range []string{"/lib/", "/usr/lib/", "/usr/local/lib/"} {
		if rest, ok := strings.CutPrefix(d, pre); ok && !strings.Contains(rest, "/") && strings.Contains(rest, "-linux-gnu") {
			return true
		}
	}
	return false
}

// systemLibDirs returns the directories that hold the distribution's own
// libraries: what a look-alike library in another directory would shadow.
func (r *run) systemLibDirs() []string {
	var out []string
	for _, d := range []string{"/lib", "/lib64", "/usr/lib", "/usr/lib64"} {
		out = append(out, d)
	}
	out = append(out, r.t.Glob("/lib/*-linux-gnu*")...)
	out = append(out, r.t.Glob("/usr/lib/*-linux-gnu*")...)
	return out
}

// sensitiveLibs are libraries every login, password check or sshd loads:
// a look-alike of one of them is the classic user-land rootkit (Ebury's
// libkeyutils, trojaned libpam, libc hooks). libssl, libcrypto and zlib are
// left out: admins rebuild them into /usr/local by hand often enough.
var sensitiveLibs = []string{
	"libc.so", "libc-", "ld-linux", "libpam", "libcrypt.so", "libkeyutils", "libaudit", "libselinux",
	"libdl.so", "libdl-", "libpthread", "libnss_", "libutil.so", "libutil-", "libresolv", "libsystemd",
	"libcap.so", "liblzma", "libwrap", "libgcc_s",
}

func sensitiveLib(name string) bool {
	for _, s := range sensitiveLibs {
		if strings.HasPrefix(name, s) {
			return true
		}
	}
	return false
}

func isLibName(name string) bool {
	return (strings.HasPrefix(name, "lib") || strings.HasPrefix(name, "ld-")) && strings.Contains(name, ".so")
}

// ldso checks /etc/ld.so.preload and the ld.so.conf tree.
func (r *run) ldso() {
	r.preload()
	dirs := r.confDirs()
	r.shadowed(dirs)
}

// Known audit/logging preload libraries shipped by distributions.
var knownPreload = map[string]bool{"libsnoopy.so": true}

func (r *run) preload() {
	const p = "/etc/ld.so.preload"
	b, ok := r.read(p)
	if !ok {
		return
	}
	pkg := r.pk.Owner(p)
	entries := ParsePreload(b)
	if len(entries) == 0 {
		r.emit(model.Finding{RuleID: rulePreloadEmpty, Subject: p,
			Evidence: model.Evidence{Path: p, Package: pkg, When: "exec", User: "*"}})
		return
	}
	for _, e := range entries {
		lib := e.Lib
		sev, conf := model.High, model.ConfHigh
		var ind []string
		extra := map[string]string{"library": lib}
		raise := func(s model.Severity, c model.Confidence, id string) {
			if s > sev {
				sev = s
			}
			conf = c
			if id != "" {
				ind = append(ind, id)
			}
		}
		st, err := r.t.Stat(lib)
		switch {
		case !strings.HasPrefix(lib, "/"):
			raise(model.Critical, model.ConfMedium, "")
		case err != nil:
			// The named library is gone: a removed (or hidden) rootkit,
			// and the loader prints an error in every program.
			raise(model.High, model.ConfHigh, indMissing)
		case !st.Mode().IsRegular():
			raise(model.Critical, model.ConfMedium, "")
		}
		if places.Temporary(lib) || r.worldWritable(lib) {
			raise(model.Critical, model.ConfHigh, indWritable)
		}
		if hid := places.Hidden(lib) != ""; hid {
			raise(model.Critical, model.ConfHigh, indHidden)
		}
		if rk, ok := rootkits.ByFile(lib); ok {
			raise(model.Critical, model.ConfHigh, indKnownRootkit)
			extra["rootkit"], extra["source"] = rk.Name, rk.Source
		}
		if err == nil {
			switch own := r.pk.Owner(lib); own {
			case model.NoPackage:
				raise(model.Critical, model.ConfHigh, indNotPackaged)
			case "":
				raise(model.Critical, model.ConfMedium, "")
			default:
				extra["library_package"] = own
				if knownPreload[path.Base(lib)] && sev == model.High {
					sev, conf = model.Medium, model.ConfMedium
				}
			}
			if h, ok := r.hash(lib); ok {
				extra["sha256"] = h
			}
		}
		f := model.Finding{RuleID: rulePreload, Subject: p + " (" + lib + ")", Indicators: sorted(append(ind, "ld-preload")),
			Evidence: model.Evidence{Path: p, Line: e.Line, Text: e.Text, Package: pkg, When: "exec", User: "*", Extra: extra}}
		r.emit(f.WithSeverity(sev).WithConfidence(conf))
	}
}

// confDirs walks /etc/ld.so.conf and its includes, grading each library
// directory, and returns them in search order.
func (r *run) confDirs() []ConfDir {
	var out []ConfDir
	seen := map[string]bool{}
	var visit func(file string, depth int)
	visit = func(file string, depth int) {
		if seen[file] || depth > 8 || len(seen) > 512 {
			return
		}
		seen[file] = true
		b, ok := r.read(file)
		if !ok {
			return
		}
		for _, cl := range ParseLdSoConf(b) {
			for _, pat := range cl.Includes {
				if !strings.HasPrefix(pat, "/") {
					pat = path.Join(path.Dir(file), pat)
				}
				for _, inc := range r.t.Glob(pat) {
					visit(inc, depth+1)
				}
			}
			if cl.Dir != "" {
				out = append(out, ConfDir{File: file, Line: cl.Line, Text: cl.Text, Dir: cl.Dir})
			}
		}
	}
	visit("/etc/ld.so.conf", 0)
	pristine := map[string]bool{}
	for _, d := range out {
		if _, ok := pristine[d.File]; !ok {
			own := r.pk.Owner(d.File)
			pristine[d.File] = own != "" && own != model.NoPackage && r.pk.Pristine(d.File)
		}
		r.gradeDir(d, pristine[d.File])
	}
	return out
}

// gradeDir reports a library directory every program may load from.
// A temporary, hidden, world-writable or user-owned directory (or one on a
// way others may write) is high; a root-owned one that a configuration the
// packages did not ship adds (/opt/<vendor>/lib) is listed low.
func (r *run) gradeDir(d ConfDir, pristine bool) {
	if standardLibDir(d.Dir) {
		return
	}
	var ind []string
	sev, conf := model.Severity(-1), model.ConfMedium
	pl := places.Of(d.Dir)
	w, writable := places.NonRootWritable(r.t, d.Dir, r.rootUID())
	switch {
	case pl.Temporary || (writable && w.World):
		sev, conf, ind = model.High, model.ConfHigh, append(ind, indWritable)
	case pl.Hidden != "" || pl.Masquerade != "":
		sev, conf, ind = model.High, model.ConfHigh, append(ind, pl.Indicators()...)
	case writable:
		sev, conf, ind = model.High, model.ConfMedium, append(ind, places.IndNonRootWrite)
	case !pristine:
		if _, err := r.t.Stat(d.Dir); err != nil {
			return // nothing there to load
		}
		if r.pk.Owner(d.Dir) == model.NoPackage {
			sev, conf, ind = model.Low, model.ConfMedium, append(ind, indNotPackaged)
		}
	}
	if sev < 0 {
		return
	}
	extra := map[string]string{"directory": d.Dir}
	if writable {
		extra["writable_by"] = w.Dir
	}
	f := model.Finding{RuleID: ruleLibDir, Subject: d.File + " (" + d.Dir + ")", Indicators: sorted(ind),
		Evidence: model.Evidence{Path: d.File, Line: d.Line, Text: d.Text, Package: r.pk.Owner(d.File), When: "exec", User: "*",
			Extra: extra}}
	r.emit(f.WithSeverity(sev).WithConfidence(conf))
}

// rootUID is the owner of the target's "/": uid 0 on a real system, the
// unpacking user on an image unpacked without privileges.
func (r *run) rootUID() uint32 {
	if st, err := r.t.Stat("/"); err == nil {
		if s, ok := st.Sys().(*syscall.Stat_t); ok {
			return s.Uid
		}
	}
	return 0
}

// shadowed reports libraries in added directories (and /usr/local/lib,
// which Debian searches first) that carry the file name of a packaged
// system library: programs load the look-alike instead.
func (r *run) shadowed(dirs []ConfDir) {
	system := map[string]string{} // name -> system path
	for _, d := range r.systemLibDirs() {
		ents, err := r.t.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if isLibName(e.Name()) {
				if _, ok := system[e.Name()]; !ok {
					system[e.Name()] = path.Join(d, e.Name())
				}
			}
		}
	}
	cands := []ConfDir{{File: "/etc/ld.so.conf.d", Dir: "/usr/local/lib"}}
	cands = append(cands, dirs...)
	done := map[string]bool{}
	for _, d := range cands {
		dir := path.Clean(d.Dir)
		if done[dir] || (standardLibDir(dir) && dir != "/usr/local/lib" && dir != "/usr/local/lib64") {
			continue
		}
		done[dir] = true
		ents, err := r.t.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range ents {
			name := e.Name()
			sysPath, ok := system[name]
			if !ok || e.IsDir() {
				continue
			}
			p := path.Join(dir, name)
			if rp, err := r.t.Resolve(p); err == nil && rp == sysPath {
				continue // a link to the system copy itself
			}
			own := r.pk.Owner(p)
			if own != model.NoPackage && own != "" {
				continue // a packaged alternative (mesa, libfakeroot ...)
			}
			sev, conf := model.Medium, model.ConfMedium
			if sensitiveLib(name) {
				sev, conf = model.Critical, model.ConfHigh
				if own == "" {
					conf = model.ConfMedium
				}
			}
			extra := map[string]string{"shadows": sysPath, "directory": dir}
			if h, ok := r.hash(p); ok {
				extra["sha256"] = h
			}
			f := model.Finding{RuleID: ruleLibShadow, Subject: p, Indicators: []string{indLibShadow},
				Evidence: model.Evidence{Path: p, Text: name + " shadows " + sysPath, Package: own, When: "exec", User: "*",
					MTime: r.mtime(p), Extra: extra}}
			r.emit(f.WithSeverity(sev).WithConfidence(conf))
		}
	}
}

func sorted(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}
