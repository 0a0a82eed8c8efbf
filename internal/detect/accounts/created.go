package accounts

import (
	"io/fs"
	"path"
	"strconv"
	"syscall"
	"time"

	"github.com/vigil-ir/vigil/internal/collect/users"
	"github.com/vigil-ir/vigil/internal/model"
)

// standApartDays is how much newer than every other account's password
// change an account's must be to stand apart: an account added long after
// the system and its users settled.
const standApartDays = 30

// togetherWindow is how close in time a home's start-up files and a
// persistence file must be to count as written in one go.
const togetherWindow = 10 * time.Minute

// passwdEmpty reports a passwd file without one entry: no account resolves,
// not even root. It is one finding, however many shadow lines there are.
func (r *run) passwdEmpty() bool {
	if len(r.db.Users) > 0 {
		return false
	}
	for _, c := range r.db.Compat {
		if c.Path == users.PasswdPath {
			return false // NIS compat lines only: judged by compat
		}
	}
	ev := model.Evidence{Path: users.PasswdPath, Extra: map[string]string{"shadow_entries": strconv.Itoa(len(r.db.Shadow))}}
	if !r.db.PasswdMTime.IsZero() {
		m := r.db.PasswdMTime.UTC()
		ev.MTime = &m
	}
	r.env.Emit(model.Finding{RuleID: rulePasswdEmpty, Subject: users.PasswdPath, Key: users.PasswdPath, Evidence: ev}.
		WithSeverity(model.High).WithConfidence(model.ConfHigh))
	return true
}

// legacyHashes: a hash in a scheme the system no longer writes (MD5-crypt,
// DES) was set by hand ("openssl passwd -1", "useradd -p") or copied from
// another machine, and cracks in hours.
func (r *run) legacyHashes() {
	def, src := r.defScheme, r.defSource
	for i := range r.db.Users {
		u := &r.db.Users[i]
		h, where, line, text := u.Password, users.PasswdPath, u.Line, u.Redacted()
		if u.Password == "x" {
			s, ok := r.db.ShadowOf(u.Name)
			if !ok {
				continue
			}
			h, where, line, text = s.Hash, users.ShadowPath, s.Line, s.Redacted()
		}
		scheme := users.HashScheme(h)
		if !users.LegacyScheme(scheme) || scheme == def {
			continue
		}
		sev := model.Medium
		if users.HashState(h) == users.PwHash && u.CanLogIn() {
			sev = model.High
		}
		if users.LegacyScheme(def) {
			sev = model.Low // the system itself writes weak hashes
		}
		f := userFinding(ruleLegacyHash, u, "legacy-hash")
		f.Evidence.Path, f.Evidence.Line, f.Evidence.Text = where, line, text
		f.Evidence.Extra["scheme"] = scheme
		if def != "" {
			f.Evidence.Extra["system_default"] = def + " (" + src + ")"
		}
		r.env.Emit(f.WithSeverity(sev).WithConfidence(model.ConfHigh))
	}
}

// created: a regular login account whose password was set long after every
// other account's stands apart (added after the fact); written together
// with persistence (its key, its crontab, a cron file or unit within
// minutes of its home's start-up files) it is an intruder's account.
func (r *run) created() {
	if !r.db.ShadowRead {
		return
	}
	today := int(r.now.Unix() / 86400)
	// The two newest dates (and how many hold the newest), so that each
	// account is compared with the newest of the others in one pass.
	first, second, nFirst := -1, -1, 0
	for j := range r.db.Shadow {
		switch d := r.db.Shadow[j].LastChange; {
		case d > today:
		case d > first:
			first, second, nFirst = d, first, 1
		case d == first:
			nFirst++
		case d > second:
			second = d
		}
	}
	for i := range r.db.Users {
		u := &r.db.Users[i]
		if u.UID == 0 || r.isService(u) || !u.CanLogIn() {
			continue
		}
		s, ok := r.db.ShadowOf(u.Name)
		if !ok || s.LastChange < 0 || s.LastChange > today {
			continue
		}
		newest := first
		if s.LastChange == first && nFirst == 1 {
			newest = second
		}
		if newest < 0 || s.LastChange-newest < standApartDays {
			continue
		}
		sev, conf := model.Low, model.ConfLow
		state := users.HashState(s.Hash)
		if state == users.PwHash && today-s.LastChange <= standApartDays {
			sev = model.Medium
		}
		f := userFinding(ruleCreated, u, "created")
		f.Evidence.Path, f.Evidence.Line, f.Evidence.Text = users.ShadowPath, s.Line, s.Redacted()
		f.Evidence.Extra["last_change"] = daysToTime(s.LastChange).Format("2006-01-02")
		f.Evidence.Extra["others_newest"] = daysToTime(newest).Format("2006-01-02")
		if hc, ok := r.ctime(u.Home); ok {
			f.Evidence.Extra["home_ctime"] = hc.UTC().Format(time.RFC3339)
		}
		if p, kind, ok := r.persistenceTogether(u); ok {
			f.Evidence.Extra["written_with"] = p
			f.Indicators = []string{"created-with-persistence"}
			conf = model.ConfMedium
			if kind == "key" {
				sev = max(sev, model.Medium)
			} else {
				sev = model.High
			}
		}
		r.env.Emit(f.WithSeverity(sev).WithConfidence(conf))
	}
}

// startupFiles are what useradd -m writes into a new home (from /etc/skel).
var startupFiles = []string{"", ".bashrc", ".profile", ".bash_profile", ".bash_logout", ".zshrc"}

// persistenceTogether returns a persistence file written within minutes of
// the account's home or start-up files: "key" for its authorized_keys,
// "job" for its crontab, a cron.d file, a systemd unit or a sudoers drop-in.
// Times are modification times (a home's directory entries and files
// written by hand) and inode change times (what useradd copied from
// /etc/skel keeps the skeleton's mtime), the latter only when they are not
// the time the whole root was copied or unpacked.
func (r *run) persistenceTogether(u *users.User) (string, string, bool) {
	if !r.homeExists(u) {
		return "", "", false
	}
	bulk := r.bulkCtimes()
	var born []time.Time
	for _, f := range startupFiles {
		born = append(born, r.times(path.Join(u.Home, f), bulk)...)
	}
	type cand struct{ p, kind string }
	var cands []cand
	for _, k := range []string{".ssh/authorized_keys", ".ssh/authorized_keys2"} {
		cands = append(cands, cand{path.Join(u.Home, k), "key"})
	}
	for _, p := range []string{"/var/spool/cron/crontabs/" + u.Name, "/var/spool/cron/" + u.Name} {
		cands = append(cands, cand{p, "job"})
	}
	for _, g := range []string{"/etc/cron.d/*", "/etc/systemd/system/*.service", "/etc/systemd/system/*.timer", "/etc/sudoers.d/*"} {
		for _, p := range r.t.Glob(g) {
			cands = append(cands, cand{p, "job"})
		}
	}
	for _, c := range cands {
		for _, t := range r.times(c.p, bulk) {
			for _, b := range born {
				if d := t.Sub(b); d <= togetherWindow && d >= -togetherWindow {
					return c.p, c.kind, true
				}
			}
		}
	}
	return "", "", false
}

// referenceFiles are written once at installation and never again: when
// their inode change time is that of the files compared, the ctimes tell
// when the root was copied or unpacked, not when anything was created.
var referenceFiles = []string{"/etc/hostname", "/etc/fstab", "/etc/debian_version", "/etc/issue", "/usr/bin/env"}

// bulkCtimes returns the change times of the reference files.
func (r *run) bulkCtimes() []time.Time {
	var out []time.Time
	for _, p := range referenceFiles {
		if t, ok := r.ctime(p); ok {
			out = append(out, t)
		}
	}
	return out
}

// times returns the modification time of p and, unless it falls together
// with a reference file's, its change time.
func (r *run) times(p string, bulk []time.Time) []time.Time {
	st, err := r.t.Lstat(p)
	if err != nil {
		return nil
	}
	out := []time.Time{st.ModTime()}
	c, ok := ctimeOf(st)
	if !ok {
		return out
	}
	for _, b := range bulk {
		if d := c.Sub(b); d <= togetherWindow && d >= -togetherWindow {
			return out
		}
	}
	return append(out, c)
}

// ctime returns the inode change time of p: for a file useradd copied from
// /etc/skel (which keeps the skeleton's mtime) it is when it was written.
func (r *run) ctime(p string) (time.Time, bool) {
	st, err := r.t.Lstat(p)
	if err != nil {
		return time.Time{}, false
	}
	return ctimeOf(st)
}

func ctimeOf(st fs.FileInfo) (time.Time, bool) {
	s, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(s.Ctim.Sec, s.Ctim.Nsec), true
}
