package logs

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

// utmpKinds are the event kinds of utmp record types (wtmp and utmp; btmp
// records are failed logins whatever their type).
var utmpKinds = map[int16]string{
	UtRunLevel:     "utmp.runlevel",
	UtBootTime:     "utmp.boot",
	UtNewTime:      "utmp.time-change",
	UtOldTime:      "utmp.time-change",
	UtInitProcess:  "utmp.init",
	UtLoginProcess: "utmp.login-process",
	UtUserProcess:  "utmp.login",
	UtDeadProcess:  "utmp.logout",
}

// utmpParser streams the records of a wtmp, btmp or utmp file (gzip
// rotations included): one event per record, in file order. A zeroed
// record (a wiped slot) or a garbled one is an event too, flagged in
// Fields, placed at the time of the record before it.
func utmpParser(source string) parseFunc {
	return func(r *reader) error {
		rc, ok := r.open()
		if !ok {
			return nil
		}
		defer rc.Close()
		br := bufio.NewReaderSize(rc, 64*RecordSize)
		buf := make([]byte, RecordSize)
		var prev time.Time
		for i := 0; ; i++ {
			n, err := io.ReadFull(br, buf)
			if n == 0 && (err == io.EOF || err == nil) {
				return nil
			}
			if err != nil {
				if errors.Is(err, io.ErrUnexpectedEOF) && n > 0 {
					// A short tail: a record cut off (truncation, or a
					// file written by a different ABI).
					r.cov.Errors++
					r.cov.cut(r.file.Path)
					r.rec.GapMsg(model.GapError, r.file.Path, model.Msg("logparse.gap.utmp-tail", n, RecordSize))
					return nil
				}
				r.readErr(err, i+1)
				return nil
			}
			r.cov.Lines++
			rec := decodeRecord(i, buf)
			ev := &r.ev
			*ev = model.Event{Source: source, File: r.file.Path, Line: i + 1, Host: r.opts.Host, Time: rec.Time}
			utmpEvent(ev, rec, source, prev)
			if rec.Valid() {
				prev = rec.Time
				r.cov.Parsed++
			} else {
				r.cov.Skipped++
			}
			if err := r.emit(ev, nil); err != nil {
				return err
			}
		}
	}
}

// utmpEvent fills ev from rec.
func utmpEvent(ev *model.Event, rec Record, source string, prev time.Time) {
	ev.Raw = utmpRaw(rec)
	switch {
	case rec.Zeroed:
		ev.Kind, ev.Time = "utmp.zeroed", prev
		ev.Fields = map[string]string{"zeroed": "true"}
		return
	case rec.Garbled:
		ev.Kind, ev.Time = "utmp.garbled", prev
		ev.Fields = map[string]string{"garbled": "true", "type": strconv.Itoa(int(rec.Type))}
		return
	}
	ev.Kind = utmpKinds[rec.Type]
	if source == FormatBtmp {
		ev.Kind, ev.Outcome = "utmp.login.failed", model.OutcomeFailure
	} else if rec.Type == UtUserProcess {
		ev.Outcome = model.OutcomeSuccess
	}
	if rec.Type == UtRunLevel && rec.User == "shutdown" {
		ev.Kind = "utmp.shutdown"
	}
	ev.PID = int(max(rec.PID, 0))
	ev.Actor = rec.User
	ev.Object = rec.Line
	ev.SrcIP = rec.Addr
	if ev.SrcIP == "" {
		if a, err := netip.ParseAddr(rec.Host); err == nil {
			ev.SrcIP = a.String()
		}
	}
	ev.Fields = map[string]string{"type": strconv.Itoa(int(rec.Type))}
	if rec.Host != "" {
		ev.Fields["host"] = rec.Host
	}
	if rec.ID != "" {
		ev.Fields["id"] = rec.ID
	}
}

// utmpRaw renders a record as utmpdump does.
func utmpRaw(rec Record) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return '?'
			}
			return r
		}, s)
	}
	return fmt.Sprintf("[%d] [%05d] [%-4.4s] [%-8s] [%-12s] [%-20s] [%-15s] [%s]",
		rec.Type, rec.PID, clean(rec.ID), clean(rec.User), clean(rec.Line), clean(rec.Host), rec.Addr,
		rec.Time.Format("2006-01-02T15:04:05,000000Z07:00"))
}

// lastlogParser reads /var/log/lastlog (its data extents only): one
// lastlog.login event per account that ever logged in, Actor its name
// (from the target's /etc/passwd) or "#UID".
func lastlogParser(r *reader) error {
	if r.t == nil || r.file.Path == "-" {
		return errors.New("logs: lastlog is read from a file of the target, not stdin")
	}
	entries, err := ReadLastlog(r.t, r.file.Path)
	if err != nil {
		r.readErr(err, len(entries)+1)
	}
	names := passwdNames(r)
	for _, e := range entries {
		r.cov.Lines++
		r.cov.Parsed++
		ev := &r.ev
		uid := strconv.FormatUint(uint64(e.UID), 10)
		*ev = model.Event{Source: FormatLastlog, File: r.file.Path, Line: int(e.UID), Host: r.opts.Host, Time: e.Time,
			Kind: "lastlog.login", Outcome: model.OutcomeSuccess, Object: e.Line, Fields: map[string]string{"uid": uid}}
		ev.Actor = names[uid]
		if ev.Actor == "" {
			ev.Actor = "#" + uid
		}
		if a, err := netip.ParseAddr(e.Host); err == nil {
			ev.SrcIP = a.String()
		}
		if e.Host != "" {
			ev.Fields["host"] = e.Host
		}
		raw := fmt.Sprintf("uid %s %s %s %s", uid, e.Line, e.Host, e.Time.Format(time.RFC3339))
		ev.Raw = raw
		if err := r.emit(ev, nil); err != nil {
			return err
		}
	}
	return nil
}

// passwdNames maps uids to names from the target's /etc/passwd (only the
// two fields needed: the account inventory lives above this layer).
func passwdNames(r *reader) map[string]string {
	out := map[string]string{}
	if r.t == nil {
		return out
	}
	b, err := r.t.ReadFile("/etc/passwd", 16<<20)
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.SplitN(line, ":", 4)
		if len(f) == 4 && f[0] != "" {
			if _, dup := out[f[2]]; !dup {
				out[f[2]] = f[0]
			}
		}
	}
	return out
}
