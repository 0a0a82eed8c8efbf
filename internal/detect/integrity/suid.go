package integrity

import (
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// skipTrees are not walked: kernel and runtime state (never holds
// persistent files; reading can block), and trees of other root
// filesystems whose files this target's package database cannot vouch for
// (containers, snaps). The latter are recorded as gaps, with the message
// id of their reason (rules/messages/detect.yaml).
var skipTrees = map[string]string{
	"/proc": "", "/sys": "", "/run": "", "/dev": "",
	"/snap":                      "integrity.gap.snap",
	"/var/lib/snapd/snap":        "integrity.gap.snapd",
	"/var/lib/docker":            "integrity.gap.container-storage",
	"/var/lib/containers":        "integrity.gap.container-storage",
	"/var/lib/containerd":        "integrity.gap.container-storage",
	"/var/lib/lxc":               "integrity.gap.container-roots",
	"/var/lib/lxd":               "integrity.gap.container-roots",
	"/var/lib/incus":             "integrity.gap.container-roots",
	"/var/lib/machines":          "integrity.gap.container-roots",
	"/var/lib/kubelet/pods":      "integrity.gap.pod-volumes",
	"/var/lib/rancher/k3s/agent": "integrity.gap.container-storage",
}

// walkRoots are walked in order; /dev/shm is the one part of /dev where
// intruders drop files.
var walkRoots = []string{"/", "/dev/shm"}

type walker struct {
	*run
	shells  map[string]map[string]string // algo -> raw digest -> packaged path
	dirMode map[string]fs.FileMode       // memo of parent directory modes
	dirMu   sync.Mutex                   // guards dirMode: subtrees are walked in parallel
	homes   []string                     // home directories of people (not services)
}

// userHomes are the home directories of root and of human accounts:
// service accounts' homes (/usr/sbin, /var/www, /nonexistent) are not
// places where a setuid file is out of place by itself.
func (r *run) userHomes() []string {
	var out []string
	for _, h := range r.users.Homes() {
		if h.Dir == "/" || binDirs[h.Dir] || isLibRoot(h.Dir) || strings.HasPrefix(h.Dir, "/usr/") || h.Dir == "/usr" {
			continue
		}
		for _, name := range h.Users {
			if u, ok := r.users.ByName(name); ok && (u.UID == 0 || !r.users.IsSystem(u)) {
				out = append(out, h.Dir)
				break
			}
		}
	}
	return out
}

func isLibRoot(p string) bool {
	for _, r := range libRoots {
		if p == r {
			return true
		}
	}
	return false
}

// otherRoot reports whether directory p holds a root filesystem of its own
// (a chroot, container rootfs or mounted image): its setuid files belong to
// its own packages.
func otherRoot(t *target.Target, p string) bool {
	if strings.Count(p, "/") > 6 {
		return false
	}
	if fi, err := t.Lstat(p + "/etc/passwd"); err != nil || !fi.Mode().IsRegular() {
		return false
	}
	for _, db := range []string{"/var/lib/dpkg/status", "/var/lib/rpm", "/usr/lib/sysimage/rpm", "/lib/apk/db/installed"} {
		if _, err := t.Lstat(p + db); err == nil {
			return true
		}
	}
	return false
}

// setuid grades a setuid or setgid regular file.
func (w *walker) setuid(p string, fi fs.FileInfo) {
	var uid, gid uint32
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		uid, gid = st.Uid, st.Gid
	}
	m := fi.Mode()
	rootPriv := (m&os.ModeSetuid != 0 && uid == 0) || (m&os.ModeSetgid != 0 && gid == 0)
	known := w.db.Format() != ""
	owner, owned := w.db.Owner(p)
	shell := shellNames.MatchString(path.Base(p))
	copyOf := ""
	if !owned {
		copyOf = w.copyOf(p)
	}
	if owned && (!shell || !rootPriv) {
		// The package installed it (verifyPackages checks its content);
		// a packaged shell-capable tool setgid to utmp or the like is a
		// distribution choice, not an escalation to root.
		return
	}

	inds := []string{indSetuid}
	loc := w.locationIndicators(p)
	suspicious := len(loc) > 0

	var rule string
	sev, conf := model.High, model.ConfMedium
	switch {
	case shell || copyOf != "":
		rule = ruleSuidShell
		if copyOf != "" {
			inds = append(inds, indShellCopy)
		} else {
			inds = append(inds, indShellBinary)
		}
		sev, conf = model.High, model.ConfHigh
		if rootPriv {
			sev = model.Critical
		}
	case !known && !suspicious:
		return // without a package database every setuid file looks unowned
	default:
		rule = ruleSuidUnowned
		if suspicious {
			sev, conf = model.Critical, model.ConfHigh
		}
	}
	if !owned && known {
		inds = append(inds, indNotPackaged)
	}
	inds = append(inds, loc...)

	ev := w.facts(p, nil).evidence(p, packageField(owner, owned, known))
	// The account the program runs as, whoever starts it.
	if m&os.ModeSetuid != 0 {
		ev.User = w.users.UserName(int(uid))
	} else {
		ev.Extra["runs_as_group"] = strconv.Itoa(int(gid))
		if g, ok := w.users.GroupByGID(int(gid)); ok {
			ev.Extra["runs_as_group"] = g.Name
		}
	}
	if copyOf != "" {
		ev.Extra["copy_of"] = copyOf
	}
	w.env.Emit(model.Finding{
		RuleID:     rule,
		Subject:    p,
		Indicators: inds,
		Evidence:   ev,
		Key:        p,
	}.WithSeverity(sev).WithConfidence(conf))
}

// locationIndicators names what makes p's location a hiding or staging
// place: world-writable directories, home directories, dot directories.
func (w *walker) locationIndicators(p string) []string {
	var out []string
	dir := path.Dir(p)
	if isTempPath(dir) || w.worldWritableDir(dir) {
		out = append(out, indWritable)
	}
	home := dir == "/root" || strings.HasPrefix(dir, "/root/") || strings.HasPrefix(dir, "/home/")
	for _, h := range w.homes {
		home = home || dir == h || strings.HasPrefix(dir, h+"/")
	}
	if home {
		out = append(out, indHome)
	}
	for _, c := range strings.Split(dir, "/") {
		if len(c) > 1 && c[0] == '.' {
			out = append(out, indHidden)
			break
		}
	}
	return out
}

func isTempPath(dir string) bool { return places.Temporary(dir) }

// worldWritableDir reports whether dir (or an ancestor) lets every user
// create files in it.
func (w *walker) worldWritableDir(dir string) bool {
	w.dirMu.Lock()
	defer w.dirMu.Unlock()
	for d := dir; ; d = path.Dir(d) {
		m, ok := w.dirMode[d]
		if !ok {
			if fi, err := w.t.Lstat(d); err == nil {
				m = fi.Mode()
			}
			w.dirMode[d] = m
		}
		if m.IsDir() && m.Perm()&0o002 != 0 {
			return true
		}
		if d == "/" {
			return false
		}
	}
}

// shellDigests indexes the recorded digests of packaged shells and
// interpreters, to recognise a renamed copy (cp /bin/bash /tmp/.x; chmod
// u+s) whatever its name.
func (r *run) shellDigests() map[string]map[string]string {
	out := map[string]map[string]string{}
	for f := range r.db.Files() {
		if !inBinDir(f.Path) || !shellNames.MatchString(path.Base(f.Path)) {
			continue
		}
		if out[f.Algo] == nil {
			out[f.Algo] = map[string]string{}
		}
		out[f.Algo][string(f.Digest)] = f.Path
	}
	return out
}

// copyOf returns the packaged shell p is a byte-for-byte copy of, if any.
func (w *walker) copyOf(p string) string {
	for algo, sums := range w.shells {
		sum, err := pkgdb.HashFile(w.t, p, algo, nil)
		if err != nil {
			target.Record(w.env, p, err)
			return ""
		}
		if orig, ok := sums[string(sum)]; ok {
			return orig
		}
	}
	return ""
}

// worldWritable reports a file or directory every user can change where
// commands and libraries live.
func (w *walker) worldWritable(p string, fi fs.FileInfo) {
	if fi.IsDir() && fi.Mode()&os.ModeSticky != 0 && !binDirs[p] {
		return
	}
	conf := model.ConfHigh
	if !fi.IsDir() && !inBinDir(p) {
		conf = model.ConfMedium
	}
	pkg := ""
	if w.db.Format() != "" {
		pkg = w.db.OwnerOrNone(p)
	}
	ff := fileFacts{mode: fi.Mode(), mtime: fi.ModTime()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		ff.uid, ff.gid = st.Uid, st.Gid
	}
	if fi.Mode().IsRegular() {
		ff = w.facts(p, nil)
	}
	w.env.Emit(model.Finding{
		RuleID:     ruleWorldWritable,
		Subject:    p,
		Indicators: []string{indWorldWritable},
		Evidence:   ff.evidence(p, pkg),
		Key:        p,
	}.WithSeverity(model.High).WithConfidence(conf))
}
