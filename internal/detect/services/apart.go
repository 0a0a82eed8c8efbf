package services

import (
	"io/fs"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/vigil-ir/vigil/internal/grade/cmdscan"
	"github.com/vigil-ir/vigil/internal/grade/places"
)

// Change times of /etc/systemd: a unit file written long after everything
// else there was configured stands apart (an intruder's unit, or a
// timestomped one whose ctime still tells).

// apartGap is how far a unit's change must follow the rest of
// /etc/systemd to stand apart; companionWindow is how close other files
// (its .wants link, its drop-ins) may be and still count as its own.
const (
	apartGap        = 30 * 24 * time.Hour
	companionWindow = 24 * time.Hour
	etcSystemdFiles = 5000
)

// fileTimes are the change and modification times of the files under
// /etc/systemd, sorted.
type fileTimes struct {
	ctimes, mtimes []time.Time
}

func (r *run) etcSystemdTimes() *fileTimes {
	if r.times != nil {
		return r.times
	}
	r.times = &fileTimes{}
	n := 0
	_ = r.t.Walk("/etc/systemd", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if n++; n > etcSystemdFiles {
			return fs.SkipAll
		}
		if fi, err := d.Info(); err == nil {
			c, m := changeTimes(fi)
			r.times.ctimes = append(r.times.ctimes, c)
			r.times.mtimes = append(r.times.mtimes, m)
		}
		return nil
	})
	for _, s := range [][]time.Time{r.times.ctimes, r.times.mtimes} {
		sort.Slice(s, func(i, j int) bool { return s[i].Before(s[j]) })
	}
	return r.times
}

// changeTimes returns a file's ctime (its mtime when unknown) and mtime.
func changeTimes(fi fs.FileInfo) (time.Time, time.Time) {
	m := fi.ModTime()
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return time.Unix(st.Ctim.Sec, st.Ctim.Nsec), m
	}
	return m, m
}

// standsApart says whether t follows every other file's time in sorted
// (companions within a day excluded) by more than apartGap; it returns
// the latest such other time.
func standsApart(t time.Time, sorted []time.Time) (time.Time, bool) {
	cut := t.Add(-companionWindow)
	i := sort.Search(len(sorted), func(i int) bool { return !sorted[i].Before(cut) })
	if i == 0 {
		return time.Time{}, false // nothing else, or nothing older
	}
	prev := sorted[i-1]
	return prev, t.Sub(prev) > apartGap
}

// unitApart reports whether a unit file's change time stands apart from
// the rest of /etc/systemd: which time ("ctime" or "mtime"), the unit's,
// and the latest of the others.
func (r *run) unitApart(p string) (kind string, at, others time.Time, ok bool) {
	fi, err := r.t.Lstat(p)
	if err != nil {
		return "", time.Time{}, time.Time{}, false
	}
	c, m := changeTimes(fi)
	ft := r.etcSystemdTimes()
	if prev, ok := standsApart(c, ft.ctimes); ok {
		return "ctime", c, prev, true
	}
	if prev, ok := standsApart(m, ft.mtimes); ok {
		return "mtime", m, prev, true
	}
	return "", time.Time{}, time.Time{}, false
}

// oddWrite returns the first temporary or hidden place the Exec lines of
// f write to ("" when none).
func oddWrite(f UnitFile, home string) string {
	for _, e := range f.Entries {
		var targets []string
		switch {
		case execKeys[e.Key]:
			targets = cmdscan.WriteTargets(ExecCommand(e.Value, home))
		case e.Key == "StandardOutput" || e.Key == "StandardError":
			if _, p, ok := strings.Cut(e.Value, ":"); ok && strings.HasPrefix(p, "/") {
				targets = []string{p}
			}
		}
		for _, p := range targets {
			if places.Temporary(p) || hiddenPath(p, home) {
				return p
			}
		}
	}
	return ""
}
