package rules

import (
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

// Rule ids of the login-record consistency rules (what utmpdump shows a
// reader by eye: wiped slots, time running backwards, logins lastlog
// remembers that wtmp no longer holds).
const (
	RuleUtmpZeroed    = "logs.tamper.utmp-zeroed"
	RuleUtmpBackwards = "logs.tamper.utmp-backwards"
	RuleUtmpRemoved   = "logs.tamper.utmp-removed"
)

const (
	// utmpBackSlack is how far a record may lie before the one above it
	// (processes that append at nearly the same moment) before the order
	// is judged.
	utmpBackSlack = 5 * time.Minute
	// lastlogSlack is how far apart lastlog's and wtmp's times of one
	// login may be (both are written by the login program at login).
	lastlogSlack = 2 * time.Minute
	// maxUtmpLogins bounds the wtmp login times kept for the lastlog
	// comparison.
	maxUtmpLogins = 1_000_000
)

type utmpFile struct {
	prev     evRef
	prevKind string
	zeroed   *fold // the open run of zeroed records, closed by the next valid one
}

type utmpState struct {
	files    map[string]*utmpFile
	logins   map[string][]time.Time // wtmp logins per account
	nLogins  int
	from, to time.Time // the span wtmp covers
	lastlog  []evRef
	lastUser []string
	db       loginDBState // wtmp against wtmpdb (logindb.go)
}

func (u *utmpState) init() {
	u.files = map[string]*utmpFile{}
	u.logins = map[string][]time.Time{}
}

// clockKinds are records at which a clock may be set anew (boot, run
// level, shutdown, an explicit time change): order is not judged across
// them.
func clockKind(kind string) bool {
	switch kind {
	case "utmp.boot", "utmp.runlevel", "utmp.shutdown", "utmp.time-change":
		return true
	}
	return false
}

// utmpEvent judges a wtmp or btmp record (utmp, a table of slots, and
// wtmpdb are not chronological files) and remembers lastlog's logins.
func (s *Set) utmpEvent(e *model.Event) {
	s.loginDB(e)
	if e.Source == "lastlog" {
		if e.Actor != "" && !strings.HasPrefix(e.Actor, "#") && !e.Time.IsZero() && len(s.tamper.utmp.lastlog) < s.cfg.MaxKeys {
			s.tamper.utmp.lastlog = append(s.tamper.utmp.lastlog, ref(e))
			s.tamper.utmp.lastUser = append(s.tamper.utmp.lastUser, e.Actor)
		}
		return
	}
	if e.Source != "wtmp" && e.Source != "btmp" {
		return
	}
	u := &s.tamper.utmp
	uf := u.files[e.File]
	if uf == nil {
		if s.capped(len(u.files), "login record files") {
			return
		}
		uf = &utmpFile{}
		u.files[e.File] = uf
	}
	if e.Kind == "utmp.zeroed" {
		if uf.zeroed == nil {
			uf.zeroed = s.once(RuleUtmpZeroed, e.File+"\x00"+itoa(e.Line), e.File, model.High, model.ConfHigh, e)
			if uf.zeroed != nil {
				uf.zeroed.extra = map[string]string{"before": uf.prev.loc(), "before_raw": uf.prev.Raw}
				if uf.prev.Line > 0 {
					uf.zeroed.extra["before_time"] = stamp(uf.prev.Time)
				}
			}
		} else {
			uf.zeroed.add(e)
		}
		return
	}
	if e.Kind == "utmp.garbled" || e.Time.IsZero() {
		return
	}
	if z := uf.zeroed; z != nil {
		z.extra["after"], z.extra["after_time"], z.extra["after_raw"] = e.File+":"+itoa(e.Line), stamp(e.Time), e.Raw
		z.note = model.Msg("logs.note.utmp-wiped", z.count, z.first.loc(), z.extra["before_time"], stamp(e.Time))
		uf.zeroed = nil
	}
	if uf.prev.Line > 0 && !clockKind(e.Kind) && !clockKind(uf.prevKind) && uf.prev.Time.Sub(e.Time) > utmpBackSlack {
		if f := s.once(RuleUtmpBackwards, e.File, e.File, model.Medium, model.ConfMedium, e); f != nil && f.count == 1 {
			back := uf.prev.Time.Sub(e.Time).Round(time.Second).String()
			f.note = model.Msg("logs.note.utmp-backwards", e.File+":"+itoa(e.Line), back, uf.prev.loc(), stamp(e.Time), stamp(uf.prev.Time))
			f.extra = map[string]string{"back": back, "before": uf.prev.loc(), "before_raw": uf.prev.Raw}
		}
	}
	uf.prev, uf.prevKind = ref(e), e.Kind
	if e.Source == "wtmp" {
		if u.from.IsZero() || e.Time.Before(u.from) {
			u.from = e.Time
		}
		if e.Time.After(u.to) {
			u.to = e.Time
		}
		if e.Kind == "utmp.login" && e.Actor != "" && u.nLogins < maxUtmpLogins {
			if _, ok := u.logins[e.Actor]; ok || !s.capped(len(u.logins), "accounts") {
				u.logins[e.Actor] = append(u.logins[e.Actor], e.Time)
				u.nLogins++
			}
		}
	}
}

// utmpFinish compares lastlog with wtmp: an account's last login that
// falls inside the span wtmp covers, with no wtmp login of that account
// near it, was removed from wtmp (lastlog keeps one record per account
// and is rarely edited along with it).
func (s *Set) utmpFinish() {
	s.loginDBFinish()
	u := &s.tamper.utmp
	if u.from.IsZero() {
		return
	}
	for i, l := range u.lastlog {
		user := u.lastUser[i]
		if l.Time.Before(u.from.Add(-lastlogSlack)) || l.Time.After(u.to.Add(lastlogSlack)) {
			continue
		}
		near := false
		for _, t := range u.logins[user] {
			if d := t.Sub(l.Time); d >= -lastlogSlack && d <= lastlogSlack {
				near = true
				break
			}
		}
		if near {
			continue
		}
		e := &model.Event{Time: l.Time, File: l.File, Line: l.Line, Raw: l.Raw, Actor: user}
		if f := s.once(RuleUtmpRemoved, user, user, model.High, model.ConfMedium, e); f != nil {
			f.user = user
			f.note = model.Msg("logs.note.utmp-removed", user, stamp(l.Time), stamp(u.from), stamp(u.to))
			f.extra = map[string]string{"wtmp_from": stamp(u.from), "wtmp_to": stamp(u.to)}
		}
	}
}
