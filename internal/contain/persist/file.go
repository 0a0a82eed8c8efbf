package persist

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vigil-ir/vigil/internal/contain"
	"github.com/vigil-ir/vigil/internal/contain/quarantine"
)

// PlanFile plans disabling a whole file: a systemd unit or timer (with the
// enablement links in *.wants, *.requires and *.upholds that point at it),
// an init script (with its /etc/rc?.d links), or any other file (a cron
// file, a profile script) — all moved to the quarantine together, in one
// action, so that undo puts every piece back.
func PlanFile(t contain.Target, qdir, p string) (*contain.Action, error) {
	p = contain.Clean(p)
	paths := []string{p}
	switch {
	case isUnit(p):
		paths = append(paths, linksTo(t, p, unitLinkDirs(t))...)
	case strings.HasPrefix(p, "/etc/init.d/"):
		paths = append(paths, linksTo(t, p, rcDirs)...)
	}
	a, err := quarantine.Plan(t, qdir, paths...)
	if err != nil {
		return nil, err
	}
	switch {
	case isUnit(p) && t.IsLive():
		a.Note("contain.note.unit-live", path.Base(p))
	case isUnit(p):
		a.Note("contain.note.unit-root")
	case strings.HasPrefix(p, "/etc/init.d/") && t.IsLive():
		a.Note("contain.note.init-live", path.Base(p))
	}
	return a, nil
}

// unitLinkDirs are the *.wants / *.requires / *.upholds directories of the
// system's unit directories.
func unitLinkDirs(t contain.Target) []string {
	var out []string
	for _, d := range append(append([]string{}, unitDirs...), "/etc/systemd/user") {
		_, ents := readDir(t, d)
		for _, e := range ents {
			n := e.Name()
			if e.IsDir() && (strings.HasSuffix(n, ".wants") || strings.HasSuffix(n, ".requires") || strings.HasSuffix(n, ".upholds")) {
				out = append(out, d+"/"+n)
			}
		}
	}
	return out
}

// rcDirs are the SysV runlevel directories (Debian, and RHEL's rc.d).
var rcDirs = []string{"/etc/rc0.d", "/etc/rc1.d", "/etc/rc2.d", "/etc/rc3.d", "/etc/rc4.d", "/etc/rc5.d", "/etc/rc6.d", "/etc/rcS.d",
	"/etc/rc.d/rc0.d", "/etc/rc.d/rc1.d", "/etc/rc.d/rc2.d", "/etc/rc.d/rc3.d", "/etc/rc.d/rc4.d", "/etc/rc.d/rc5.d", "/etc/rc.d/rc6.d"}

// linksTo lists the symlinks in dirs that point at the target path p (by
// an absolute or a relative destination).
func linksTo(t contain.Target, p string, dirs []string) []string {
	var out []string
	for _, d := range dirs {
		hd, ents := readDir(t, d)
		for _, e := range ents {
			if e.Type()&fs.ModeSymlink == 0 {
				continue
			}
			dest, err := os.Readlink(filepath.Join(hd, e.Name()))
			if err != nil {
				continue
			}
			if !path.IsAbs(dest) {
				dest = path.Join(d, dest)
			}
			if path.Clean(dest) == p {
				out = append(out, d+"/"+e.Name())
			}
		}
	}
	sort.Strings(out)
	return out
}

// readDir lists the directory d of t (nothing when it is missing), with
// its host path.
func readDir(t contain.Target, d string) (string, []os.DirEntry) {
	hd, err := t.HostPath(d + "/x")
	if err != nil {
		return "", nil
	}
	hd = filepath.Dir(hd)
	ents, _ := os.ReadDir(hd)
	return hd, ents
}
