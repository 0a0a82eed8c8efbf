package logtamper

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/logs"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// usage is what shows that people used the system, so that an empty login
// record is a wipe and not a fresh image. Strong signs are written by the
// same login programs that write wtmp and auth.log (lastlog, faillog);
// weak ones by people and administrators (shell histories, files in homes,
// package changes after the install).
type usage struct {
	strong []string
	weak   []string
}

func (u usage) any() bool { return len(u.strong)+len(u.weak) > 0 }

func (u usage) text() string {
	return strings.Join(append(append([]string(nil), u.strong...), u.weak...), "; ")
}

// historyNames are the shell and tool histories people leave in a home.
var historyNames = []string{".bash_history", ".zsh_history", ".ash_history", ".sh_history", ".history",
	".local/share/fish/fish_history", ".python_history", ".mysql_history", ".psql_history", ".lesshst", ".viminfo"}

// Bounds of the look for signs of use.
const (
	dpkgLogLimit  = 16 << 20
	homeWalkLimit = 5000
	homeWalkDepth = 3
	afterInstall  = 24 * time.Hour
)

// signsOfUse collects the usage of the target once.
func (r *run) signsOfUse() usage {
	if r.used != nil {
		return *r.used
	}
	var u usage
	if entries, err := logs.ReadLastlog(r.t, "/var/log/lastlog"); err == nil && len(entries) > 0 {
		latest := entries[0].Time
		for _, e := range entries {
			if e.Time.After(latest) {
				latest = e.Time
			}
		}
		u.strong = append(u.strong, fmt.Sprintf("lastlog: %d accounts logged in, latest %s", len(entries), fmtTime(latest)))
	}
	if b, err := r.t.ReadFile("/var/log/faillog", utmpReadLimit); err == nil && len(bytes.Trim(b, "\x00")) > 0 {
		u.strong = append(u.strong, "faillog holds failed-login records")
	}
	for _, a := range inventory.Accounts(r.env) {
		for _, h := range historyNames {
			p := path.Join(a.Home, h)
			if st, err := r.t.Lstat(p); err == nil && st.Mode().IsRegular() && st.Size() > 0 {
				u.weak = append(u.weak, "shell or tool history "+p)
				break
			}
		}
	}
	installed, last, ok := r.dpkgLogSpan()
	if ok && last.Sub(installed) > afterInstall {
		u.weak = append(u.weak, fmt.Sprintf("dpkg.log: packages changed on %s, after the install on %s", last.Format("2006-01-02"), installed.Format("2006-01-02")))
	}
	if ok {
		if p, t := r.recentHomeFile(installed.Add(afterInstall)); p != "" {
			u.weak = append(u.weak, fmt.Sprintf("home file %s modified %s, after the install", p, fmtTime(t)))
		}
	}
	r.used = &u
	return u
}

// dpkgLogSpan returns the first and last times of /var/log/dpkg.log: the
// install, and the latest package change.
func (r *run) dpkgLogSpan() (first, last time.Time, ok bool) {
	f, err := r.t.Open("/var/log/dpkg.log")
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			target.Record(r.env, "/var/log/dpkg.log", err)
		}
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, dpkgLogLimit))
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for sc.Scan() {
		t, good := DpkgLogTime(sc.Text())
		if !good {
			continue
		}
		if !ok || t.Before(first) {
			first = t
		}
		if !ok || t.After(last) {
			last = t
		}
		ok = true
	}
	return first, last, ok
}

// recentHomeFile returns a file in a person's home (or root's) modified
// after since, other than the skeleton files useradd copies.
func (r *run) recentHomeFile(since time.Time) (string, time.Time) {
	skel := map[string]bool{}
	if ents, err := r.t.ReadDir("/etc/skel"); err == nil {
		for _, e := range ents {
			skel[e.Name()] = true
		}
	}
	n := 0
	for _, a := range inventory.Accounts(r.env) {
		if a.Home == "/" || !(a.Home == "/root" || strings.HasPrefix(a.Home, "/home/")) {
			continue
		}
		depth0 := strings.Count(a.Home, "/")
		var found string
		var when time.Time
		_ = r.t.Walk(a.Home, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if n++; n > homeWalkLimit {
				return fs.SkipAll
			}
			if d.IsDir() {
				if strings.Count(p, "/")-depth0 >= homeWalkDepth {
					return fs.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() || (path.Dir(p) == a.Home && skel[d.Name()]) {
				return nil
			}
			if st, err := d.Info(); err == nil && st.ModTime().After(since) {
				found, when = p, st.ModTime()
				return fs.SkipAll
			}
			return nil
		})
		if found != "" {
			return found, when
		}
	}
	return "", time.Time{}
}

// loginLogs are the files whose emptiness, on a used system, means the
// login records were wiped.
var loginLogs = []logSpec{{"/var/log/wtmp", "login"}, {"/var/log/auth.log", "syslog"}, {"/var/log/secure", "syslog"}}

// wipedLogs reports an empty wtmp, auth.log or secure on a system that
// shows it was used, with no rotated copy beside it that would explain a
// fresh file.
func (r *run) wipedLogs() {
	for _, spec := range loginLogs {
		p := spec.path
		st, err := r.t.Lstat(p)
		if err != nil || !st.Mode().IsRegular() || st.Size() != 0 || r.replacedByDB(p) || len(r.siblings(p)) > 0 {
			continue
		}
		if spec.writer == "syslog" && !r.syslogRan() {
			continue // no syslog daemon wrote anything here: nothing to wipe
		}
		r.judgeWiped(p, model.Msg("logtamper.note.login-empty", p), st.ModTime())
	}
}

// syslogRan reports whether a syslog daemon wrote logs on this system.
func (r *run) syslogRan() bool {
	for _, q := range []string{"/var/log/syslog", "/var/log/messages", "/var/log/kern.log"} {
		if r.booted[q] {
			return true
		}
	}
	return false
}

// judgeWiped emits the finding for an empty login record at p when the
// system shows use: high when login programs left traces elsewhere or the
// system ran and logged, low when only people's files show (an image,
// such as a container's, may never have booted). It reports whether it
// emitted.
func (r *run) judgeWiped(p string, what model.Message, mtime time.Time) bool {
	u := r.signsOfUse()
	if !u.any() {
		return false
	}
	extra := map[string]string{"signs_of_use": u.text()}
	sev, conf := model.High, model.ConfMedium
	by, ran := r.bootedOtherThan(p)
	switch {
	case len(u.strong) > 0:
		conf = model.ConfHigh
	case ran:
	default:
		sev, conf = model.Low, model.ConfLow
		what = model.Msg("logtamper.note.wiped-maybe-image", what.Args[0])
	}
	if ran {
		extra["system_ran"] = by
	}
	r.wiped[p] = true
	r.emit(ruleLoginWiped, p, model.Evidence{Note: what, MTime: timePtr(mtime), When: "login", Extra: extra}, sev, conf)
	return true
}

// DpkgLogTime returns the time a dpkg.log line starts with
// ("2026-11-20 10:00:00 status installed ...").
func DpkgLogTime(line string) (time.Time, bool) {
	if len(line) < 19 {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02 15:04:05", line[:19])
	return t, err == nil
}
