package rules

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

// Rule ids of the consistency of the two login histories a host may keep
// (Debian 13, newer util-linux: the classic wtmp and wtmpdb's database).
const (
	RuleLoginDBMismatch = "logs.tamper.login-db-mismatch"
	RuleWtmpdbRemoved   = "logs.tamper.wtmpdb-removed"
)

// Sources of the two login histories (logs.FormatWtmp, logs.FormatWtmpdb).
const (
	srcWtmp   = "wtmp"
	srcWtmpdb = "wtmpdb"
)

// dbLogin is an account's login as one history has it; judged marks a
// terminal login from a remote address (the ones compared, see loginDB).
type dbLogin struct {
	at       time.Time
	user, ip string
	judged   bool
	r        evRef
}

// loginDBState holds what the comparison of wtmp and wtmpdb needs: their
// terminal logins from remote addresses and the span each covers, and
// per wtmpdb file the last row id (wtmpdb numbers its rows in order).
type loginDBState struct {
	logins   map[string][]dbLogin // by source
	from, to map[string]time.Time
	n        int
	lastID   map[string]int
	lastRef  map[string]evRef
}

func (d *loginDBState) init() {
	d.logins = map[string][]dbLogin{}
	d.from, d.to = map[string]time.Time{}, map[string]time.Time{}
	d.lastID, d.lastRef = map[string]int{}, map[string]evRef{}
}

// terminal reports whether a login's line is a terminal (pts/N, ttyN).
// sshd writes wtmp only for sessions with one, while pam_wtmpdb records
// every session, and records sshd's under the tty PAM has when the session
// opens: "ssh", before the terminal exists. So a wtmp login is looked for
// among every wtmpdb session of its account, while a wtmpdb session is
// looked for in wtmp only when it names a terminal (sessions without one,
// scp or ansible, are in wtmpdb alone by design).
func terminal(line string) bool {
	return strings.HasPrefix(line, "pts/") || strings.HasPrefix(line, "tty")
}

// loginDB records a wtmp or wtmpdb event for the comparison at the end,
// and judges wtmpdb's rows as they come: a hole in the row ids (rows are
// never deleted but by wtmpdb rotate, which takes the oldest) or a login
// row blanked (no account or no time) is a removed record.
func (s *Set) loginDB(e *model.Event) {
	if e.Source != srcWtmp && e.Source != srcWtmpdb {
		return
	}
	d := &s.tamper.utmp.db
	if d.logins == nil {
		d.init()
	}
	if e.Source == srcWtmpdb && e.Kind != "utmp.logout" {
		s.wtmpdbRow(d, e)
	}
	if e.Time.Unix() <= 0 {
		return
	}
	if f, ok := d.from[e.Source]; !ok || e.Time.Before(f) {
		d.from[e.Source] = e.Time
	}
	if e.Time.After(d.to[e.Source]) {
		d.to[e.Source] = e.Time
	}
	if e.Kind == "utmp.login" && e.Actor != "" && d.n < maxUtmpLogins {
		judged := e.SrcIP != "" && terminal(e.Object)
		d.logins[e.Source] = append(d.logins[e.Source], dbLogin{at: e.Time, user: e.Actor, ip: e.SrcIP, judged: judged, r: ref(e)})
		d.n++
	}
}

// wtmpdbRow judges one wtmpdb row (e.Line is its id).
func (s *Set) wtmpdbRow(d *loginDBState, e *model.Event) {
	last, seen := d.lastID[e.File]
	if seen && e.Line > last+1 {
		missing := strconv.Itoa(last+1) + "-" + strconv.Itoa(e.Line-1)
		if e.Line == last+2 {
			missing = strconv.Itoa(last + 1)
		}
		if f := s.once(RuleWtmpdbRemoved, e.File+"\x00"+missing, e.File, model.High, model.ConfMedium, e); f != nil {
			before := d.lastRef[e.File]
			f.note = model.Msg("logs.note.wtmpdb-removed", missing, before.loc(), stamp(before.Time), stamp(e.Time))
			f.extra = map[string]string{"missing_ids": missing, "before": before.loc(), "before_raw": before.Raw, "before_time": stamp(before.Time)}
		}
	}
	if e.Kind == "utmp.login" && (e.Actor == "" || e.Time.Unix() <= 0) {
		if f := s.once(RuleWtmpdbRemoved, e.File+"\x00blank", e.File, model.High, model.ConfMedium, e); f != nil && f.count == 1 {
			f.note = model.Msg("logs.note.wtmpdb-blanked", e.File+":"+itoa(e.Line))
		}
	}
	if !seen || e.Line > last {
		d.lastID[e.File], d.lastRef[e.File] = e.Line, ref(e)
	}
}

// loginDBFinish compares the two histories over the period both cover: a
// terminal login from a remote address that one holds and the other does
// not (same account within lastlogSlack) was removed from the other — a
// log cleaner edits wtmp and forgets the database, or the reverse.
func (s *Set) loginDBFinish() {
	d := &s.tamper.utmp.db
	if d.logins == nil || len(d.logins[srcWtmp]) == 0 && len(d.logins[srcWtmpdb]) == 0 {
		return
	}
	if _, ok := d.from[srcWtmp]; !ok {
		return
	}
	if _, ok := d.from[srcWtmpdb]; !ok {
		return
	}
	from, to := later(d.from[srcWtmp], d.from[srcWtmpdb]), earlier(d.to[srcWtmp], d.to[srcWtmpdb])
	if !to.After(from) {
		return
	}
	for _, dir := range [][2]string{{srcWtmpdb, srcWtmp}, {srcWtmp, srcWtmpdb}} {
		have, other := d.logins[dir[0]], byUser(d.logins[dir[1]])
		for _, l := range have {
			if !l.judged || l.at.Before(from.Add(lastlogSlack)) || l.at.After(to.Add(-lastlogSlack)) || near(other[l.user], l.at) {
				continue
			}
			f := s.fold(RuleLoginDBMismatch, dir[0]+"\x00"+dir[1], dir[1], model.Medium, model.ConfMedium)
			if f == nil {
				return
			}
			f.addRef(l.r)
			f.sample(l.user + "@" + l.ip)
			f.note = model.Msg("logs.note.login-db-mismatch", f.count, dir[0], dir[1], stamp(from), stamp(to))
			f.extra = map[string]string{"in": dir[0], "missing_from": dir[1], "both_from": stamp(from), "both_to": stamp(to)}
		}
	}
}

func byUser(ls []dbLogin) map[string][]time.Time {
	out := map[string][]time.Time{}
	for _, l := range ls {
		out[l.user] = append(out[l.user], l.at)
	}
	for _, ts := range out {
		slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	}
	return out
}

// near reports whether a time of ts (sorted) lies within lastlogSlack of t.
func near(ts []time.Time, t time.Time) bool {
	i, _ := slices.BinarySearchFunc(ts, t.Add(-lastlogSlack), func(a, b time.Time) int { return a.Compare(b) })
	return i < len(ts) && !ts[i].After(t.Add(lastlogSlack))
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
