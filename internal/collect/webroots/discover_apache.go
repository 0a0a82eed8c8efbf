package webroots

import (
	"io/fs"
	"path"
	"sort"
	"strings"
)

// ---- Apache

func (d *discoverer) apache() {
	reached := map[string]bool{}
	for _, m := range apacheMains {
		b, ok := d.readConf(m.conf)
		if !ok {
			continue
		}
		reached[m.conf] = true
		sr := m.serverRoot
		d.expandApache(m.conf, ParseApache(b), nil, &sr, true, 0, reached, map[string]bool{m.conf: true})
	}
	var extras []string
	for _, g := range apacheExtras {
		extras = append(extras, d.t.Glob(g)...)
	}
	sort.Strings(extras)
	for _, p := range extras {
		rp, _ := d.t.Resolve(p)
		if reached[p] || reached[rp] {
			continue
		}
		b, ok := d.readConf(p)
		if !ok {
			continue
		}
		reached[p] = true
		sr := path.Dir(path.Dir(p))
		d.expandApache(p, ParseApache(b), nil, &sr, false, 0, reached, map[string]bool{p: true})
	}
}

func (d *discoverer) expandApache(file string, ds []ApacheDirective, outer []ApacheSection, serverRoot *string, active bool, depth int, reached, visiting map[string]bool) {
	for _, x := range ds {
		if len(outer) > 0 {
			secs := make([]ApacheSection, 0, len(outer)+len(x.Sections))
			x.Sections = append(append(secs, outer...), x.Sections...)
		}
		switch {
		case x.Is("ServerRoot") && len(x.Args) == 1:
			*serverRoot = path.Clean(x.Args[0])
		case (x.Is("Include") || x.Is("IncludeOptional")) && len(x.Args) == 1 && depth < maxIncludeDepth:
			pat := x.Args[0]
			if !path.IsAbs(pat) {
				pat = path.Join(*serverRoot, pat)
			}
			for _, f := range d.globFiles(pat) {
				if visiting[f] {
					continue
				}
				b, ok := d.readConf(f)
				if !ok {
					continue
				}
				reached[f] = true
				if rp, err := d.t.Resolve(f); err == nil {
					reached[rp] = true
				}
				visiting[f] = true
				d.expandApache(f, ParseApache(b), x.Sections, serverRoot, active, depth+1, reached, visiting)
				delete(visiting, f)
			}
			continue
		case (x.Is("DocumentRoot") || x.Is("Alias") || x.Is("ScriptAlias")) && len(x.Args) >= 1:
			p := x.Args[len(x.Args)-1]
			if !path.IsAbs(p) && !strings.HasPrefix(p, "$") {
				p = path.Join(*serverRoot, p)
			}
			d.addRoot(p, "apache", file, x.Line, x.Raw, active)
		}
		d.inv.Apache = append(d.inv.Apache, ApacheEntry{File: file, Active: active, D: x})
	}
}

// globFiles expands an include pattern (a glob, a file or a directory,
// whose files are all included) into regular files, sorted.
func (d *discoverer) globFiles(pat string) []string {
	var cands []string
	if strings.ContainsAny(pat, "*?[") {
		cands = d.t.Glob(pat)
	} else {
		cands = []string{path.Clean(pat)}
	}
	var out []string
	for _, c := range cands {
		st, err := d.t.Stat(c)
		if err != nil {
			continue
		}
		if st.IsDir() {
			out = append(out, d.confUnder(c, "")...)
			continue
		}
		if st.Mode().IsRegular() {
			out = append(out, c)
		}
	}
	return out
}

// confUnder lists regular files under dir (depth 4) whose name ends in
// suffix ("" for all).
func (d *discoverer) confUnder(dir, suffix string) []string {
	var out []string
	n := 0
	_ = d.t.Walk(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		n++
		if n > maxConfFiles {
			return fs.SkipAll
		}
		if e.IsDir() && strings.Count(strings.TrimPrefix(p, dir), "/") > 4 {
			return fs.SkipDir
		}
		if e.Type().IsRegular() && strings.HasSuffix(p, suffix) {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out
}
