package logs

import (
	"database/sql"
	"fmt"
	"net/netip"
	"net/url"
	"time"

	_ "modernc.org/sqlite" // wtmpdb's database (already the store's driver)

	"github.com/vigil-ir/vigil/internal/model"
)

// wtmpdb record types (wtmpdb.h).
const (
	wtmpdbRunLevel = 1
	wtmpdbBootTime = 2
	wtmpdbUser     = 3
)

// wtmpdbParser reads /var/lib/wtmpdb/wtmp.db (openSUSE, Debian 13+: the
// y2038-safe wtmp): each row a login with its logout, as utmp.login (and
// utmp.logout when it has one) or utmp.boot events, in row order. The
// database is opened read-only and immutable (nothing is written beside
// it); rows still only in a write-ahead log are not read (a gap says so).
func wtmpdbParser(r *reader) error {
	if r.t == nil || r.file.Path == "-" {
		return nil
	}
	hp, err := r.t.HostPath(r.file.Path)
	if err != nil {
		r.readErr(err, 1)
		return nil
	}
	if fi, err := r.t.Stat(r.file.Path + "-wal"); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
		r.rec.GapMsg(model.GapSkipped, r.file.Path+"-wal", model.Msg("logparse.gap.wtmpdb-wal"))
	}
	u := url.URL{Scheme: "file", Path: hp, RawQuery: "mode=ro&immutable=1"}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		r.readErr(err, 1)
		return nil
	}
	defer db.Close()
	rows, err := db.Query("SELECT ID, Type, User, Login, Logout, TTY, RemoteHost, Service FROM wtmp ORDER BY ID")
	if err != nil {
		r.cov.Errors++
		r.rec.GapMsg(model.GapError, r.file.Path, model.Msg("logparse.gap.wtmpdb", err.Error()))
		return nil
	}
	defer rows.Close()
	for rows.Next() {
		var id, typ int64
		var user string
		var login, logout sql.NullInt64
		var tty, host, service sql.NullString
		r.cov.Lines++
		if err := rows.Scan(&id, &typ, &user, &login, &logout, &tty, &host, &service); err != nil {
			r.cov.Skipped++
			continue
		}
		r.cov.Parsed++
		base := model.Event{Source: FormatWtmpdb, File: r.file.Path, Line: int(id), Host: r.opts.Host,
			Actor: user, Object: tty.String, Fields: map[string]string{"type": fmt.Sprint(typ)}}
		if host.String != "" {
			base.Fields["host"] = host.String
			if a, err := netip.ParseAddr(host.String); err == nil {
				base.SrcIP = a.String()
			}
		}
		if service.String != "" {
			base.Fields["service"] = service.String
		}
		raw := fmt.Sprintf("%d|%d|%s|%d|%d|%s|%s|%s", id, typ, user, login.Int64, logout.Int64, tty.String, host.String, service.String)
		kind := "utmp.login"
		switch typ {
		case wtmpdbBootTime:
			kind = "utmp.boot"
		case wtmpdbRunLevel:
			kind = "utmp.runlevel"
		}
		ev := &r.ev
		*ev = base
		ev.Kind, ev.Time = kind, usec(login.Int64)
		if kind == "utmp.login" {
			ev.Outcome = model.OutcomeSuccess
		}
		if err := r.emit(ev, []byte(raw)); err != nil {
			return err
		}
		if logout.Valid && logout.Int64 > 0 && typ == wtmpdbUser {
			*ev = base
			ev.Kind, ev.Time = "utmp.logout", usec(logout.Int64)
			if err := r.emit(ev, []byte(raw)); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		r.cov.Errors++
		r.rec.GapMsg(model.GapError, r.file.Path, model.Msg("logparse.gap.wtmpdb", err.Error()))
	}
	return nil
}

// usec is a wtmpdb time (microseconds since the epoch) in UTC.
func usec(us int64) time.Time { return time.UnixMicro(us).UTC() }
