package logtamper

import (
	"errors"
	"io/fs"
	"sort"
	"strconv"
	"time"

	"github.com/vigil-ir/vigil/internal/logs"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// utmpFamily parses wtmp, btmp (and their rotated copies) and utmp, and
// flags partial records, wiped records and a wtmp whose time was set back.
func (r *run) utmpFamily() {
	for _, base := range []string{"/var/log/wtmp", "/var/log/btmp"} {
		files := r.siblings(base)
		// Oldest first: highest rotation number first, then the current file.
		sort.Slice(files, func(i, j int) bool {
			di, dj := logs.IsDated(files[i].num), logs.IsDated(files[j].num)
			if di != dj {
				return !di
			}
			if di {
				return files[i].num < files[j].num
			}
			return files[i].num > files[j].num
		})
		for _, s := range files {
			recs, ok := r.checkUtmpFile(s.path, s.compressed, false)
			if ok && base == "/var/log/wtmp" {
				r.wtmp = append(r.wtmp, recs...)
			}
		}
		recs, ok := r.checkUtmpFile(base, false, false)
		if ok && base == "/var/log/wtmp" {
			r.wtmp = append(r.wtmp, recs...)
			r.wtmpTime(recs)
		}
	}
	r.checkUtmpFile("/run/utmp", false, true)
}

// checkUtmpFile reads and judges one utmp-family file. It returns the
// valid records and whether the file was read.
func (r *run) checkUtmpFile(p string, compressed, live bool) ([]logs.Record, bool) {
	b, size, err := logs.ReadUtmp(r.t, p, compressed)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			target.Record(r.env, p, err)
		}
		return nil, false
	}
	u := logs.ParseUtmp(b)
	if u.Trailing != 0 && !compressed {
		r.emit(ruleTruncated, p, model.Evidence{
			Note:  model.Msg("logs.note.utmp-size", p, size, logs.RecordSize, u.Trailing),
			Extra: map[string]string{"size": strconv.FormatInt(size, 10), "records": strconv.Itoa(len(u.Records))},
		}, model.High, model.ConfMedium)
	}
	var valid []logs.Record
	var zeroed, garbled []logs.Record
	for _, rec := range u.Records {
		switch {
		case rec.Zeroed:
			zeroed = append(zeroed, rec)
		case rec.Garbled:
			garbled = append(garbled, rec)
		default:
			valid = append(valid, rec)
		}
	}
	if live {
		// utmp slots are reused and may legitimately be blank: only a
		// record no login program writes counts there.
		zeroed = nil
	}
	if bad := len(zeroed) + len(garbled); bad > 0 {
		sev, conf := model.High, model.ConfHigh
		if len(valid) == 0 {
			conf = model.ConfMedium // nothing left to compare with
		}
		if live {
			sev, conf = model.Medium, model.ConfMedium
		}
		first := u.Records[0]
		for _, rec := range u.Records {
			if !rec.Valid() {
				first = rec
				break
			}
		}
		before, after := bracket(u.Records, first.Index)
		extra := map[string]string{
			"records": strconv.Itoa(len(u.Records)), "zeroed": strconv.Itoa(len(zeroed)),
			"garbled": strconv.Itoa(len(garbled)), "first_bad_record": strconv.Itoa(first.Index),
			"valid_before": fmtTime(before), "valid_after": fmtTime(after),
		}
		r.emit(ruleWiped, p, model.Evidence{
			Note:  model.Msg("logs.note.utmp-zeroed", bad, len(u.Records), p, first.Index, orDash(before), orDash(after)),
			Extra: extra,
		}, sev, conf)
	}
	return valid, true
}

// bracket returns the times of the nearest valid records before and after
// index i.
func bracket(recs []logs.Record, i int) (before, after time.Time) {
	for j := i - 1; j >= 0; j-- {
		if recs[j].Valid() {
			before = recs[j].Time
			break
		}
	}
	for j := i + 1; j < len(recs); j++ {
		if recs[j].Valid() {
			after = recs[j].Time
			break
		}
	}
	return before, after
}

func orDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return fmtTime(t)
}

// wtmpTime flags a wtmp last modified before its newest record: every
// record is appended at the moment it describes.
func (r *run) wtmpTime(recs []logs.Record) {
	st, err := r.t.Stat("/var/log/wtmp")
	if err != nil || len(recs) == 0 {
		return
	}
	newest := recs[0].Time
	for _, rec := range recs {
		if rec.Time.After(newest) {
			newest = rec.Time
		}
	}
	if newest.After(st.ModTime().Add(slack)) && !newest.After(r.env.Now().Add(24*time.Hour)) {
		r.emit(ruleTimestamp, "/var/log/wtmp", model.Evidence{
			Note:  model.Msg("logs.note.wtmp-mtime", fmtTime(st.ModTime()), fmtTime(newest)),
			MTime: timePtr(st.ModTime()),
			Extra: map[string]string{"newest_record": fmtTime(newest)},
		}, model.Medium, model.ConfMedium)
	}
}

// lastlogVsWtmp compares each account's last login in lastlog with the
// login records of wtmp: the login programs write both at once, so a
// lastlog login that wtmp does not hold was removed from wtmp.
func (r *run) lastlogVsWtmp() {
	if r.replacedByDB("/var/log/lastlog") || r.replacedByDB("/var/log/wtmp") {
		return
	}
	var logins []logs.Record
	for _, rec := range r.wtmp {
		if rec.Type == logs.UtUserProcess {
			logins = append(logins, rec)
		}
	}
	if len(r.wtmp) == 0 {
		return // an empty or unreadable wtmp is judged on its own
	}
	earliest, latest := r.wtmp[0].Time, r.wtmp[0].Time
	for _, rec := range r.wtmp {
		if rec.Time.Before(earliest) {
			earliest = rec.Time
		}
		if rec.Time.After(latest) {
			latest = rec.Time
		}
	}
	entries, err := logs.ReadLastlog(r.t, "/var/log/lastlog")
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			target.Record(r.env, "/var/log/lastlog", err)
		}
		return
	}
	window := fmtTime(earliest) + " .. " + fmtTime(latest)
	for _, e := range entries {
		if e.Time.Before(earliest.Add(-slack)) || e.Time.After(r.env.Now().Add(24*time.Hour)) {
			continue // older than what wtmp still covers, or a wrong clock
		}
		if matchLogin(logins, e) {
			continue
		}
		name := r.names.name(e.UID)
		subject := "uid " + strconv.FormatUint(uint64(e.UID), 10)
		if name != "" {
			subject += " (" + name + ")"
		}
		ev := model.Evidence{
			Path: "/var/log/lastlog", User: name, When: "login",
			Extra: map[string]string{"lastlog_time": fmtTime(e.Time), "line": e.Line, "host": e.Host, "wtmp_covers": window},
		}
		conf := model.ConfLow
		if e.Time.After(latest.Add(slack)) {
			ev.Note = model.Msg("logs.note.lastlog-newer", fmtTime(e.Time), orDash2(e.Line), orDash2(e.Host), window)
			conf = model.ConfMedium
		} else {
			ev.Note = model.Msg("logs.note.lastlog-unmatched", fmtTime(e.Time), orDash2(e.Line), orDash2(e.Host), window)
		}
		r.emitKey(ruleLastlog, subject, "lastlog:uid:"+strconv.FormatUint(uint64(e.UID), 10), ev, model.Medium, conf)
	}
}

// loginMatchWindow is how far apart lastlog and wtmp may stamp one login.
const loginMatchWindow = 5 * time.Minute

func matchLogin(logins []logs.Record, e logs.LastlogEntry) bool {
	for _, rec := range logins {
		if absDur(rec.Time.Sub(e.Time)) > loginMatchWindow {
			continue
		}
		if e.Line != "" && rec.Line != "" && e.Line != rec.Line {
			continue
		}
		return true
	}
	return false
}

func orDash2(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
