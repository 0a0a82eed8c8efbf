package logs

import (
	"bytes"
	"strconv"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

// webAccessParser reads an access log in the Source's LogFormat (combined
// when empty; a line that does not fit is tried as common).
func webAccessParser(r *reader) error {
	if r.web == nil {
		lay := compileLayout(LayoutCombined)
		if r.src.LogFormat != "" {
			lay = compileLayout(r.src.LogFormat)
		}
		common := compileLayout(LayoutCommon)
		r.web = &[2]webLayout{lay, common}
	}
	return r.eachLine(FormatWebAccess, func(r *reader, line []byte, ev *model.Event) (bool, bool) {
		ok := false
		for i := range r.web {
			var req webRequest
			if r.web[i].match(line, req.set) && req.fill(ev, r.loc) {
				ok = true
				break
			}
			*ev = model.Event{Source: ev.Source, File: ev.File, Line: ev.Line, Host: ev.Host}
		}
		return ok, ok
	})
}

// webRequest holds the fields of one access log line.
type webRequest struct {
	client, user, timeLocal, timeApache, timeISO, msec, request, status, bytes []byte
	referer, ua, xff, vhost, method, uri, query, protocol                      []byte
}

func (w *webRequest) set(field string, v []byte) {
	switch field {
	case "client":
		w.client = v
	case "user":
		w.user = v
	case "time_local":
		w.timeLocal = v
	case "time_apache":
		w.timeApache = v
	case "time_iso":
		w.timeISO = v
	case "msec":
		w.msec = v
	case "request":
		w.request = v
	case "status":
		w.status = v
	case "bytes":
		w.bytes = v
	case "referer":
		w.referer = v
	case "user_agent":
		w.ua = v
	case "xff":
		w.xff = v
	case "vhost":
		w.vhost = v
	case "method":
		w.method = v
	case "uri":
		w.uri = v
	case "query":
		w.query = v
	case "protocol":
		w.protocol = v
	}
}

// fill makes the event; false when the line has no usable time or status.
func (w *webRequest) fill(ev *model.Event, loc *time.Location) bool {
	switch {
	case w.timeLocal != nil:
		ev.Time = parseCLF(w.timeLocal)
	case w.timeApache != nil:
		ev.Time = parseCLF(bytes.Trim(w.timeApache, "[]"))
	case w.timeISO != nil:
		ev.Time, _ = parseISO(w.timeISO, loc)
	case w.msec != nil:
		if f, err := strconv.ParseFloat(string(w.msec), 64); err == nil && f > 0 && f < 1e11 {
			ev.Time = time.Unix(int64(f), int64((f-float64(int64(f)))*1e9)).UTC()
		}
	}
	st := num(w.status)
	if ev.Time.IsZero() || st < 100 || st > 999 {
		return false
	}
	ev.Kind = "web.request"
	ev.SrcIP = string(w.client)
	if len(w.user) > 0 && string(w.user) != "-" {
		ev.Actor = string(w.user)
	}
	f := make(map[string]string, 8)
	ev.Fields = f
	f["status"] = string(w.status)
	if st < 400 {
		ev.Outcome = model.OutcomeSuccess
	} else {
		ev.Outcome = model.OutcomeFailure
	}
	method, target, proto := w.method, w.uri, w.protocol
	if w.request != nil {
		// "GET /path?q HTTP/1.1"; a request line that is not one (a TLS
		// handshake sent to port 80, "-") keeps the whole in Fields request.
		m, rest := word(w.request)
		t, p := word(rest)
		if len(m) > 0 && len(t) > 0 && (len(p) == 0 || hasPrefix(p, "HTTP/")) {
			method, target, proto = m, t, p
		} else {
			setField(ev, "request", w.request)
		}
	}
	path, q, _ := bytes.Cut(target, []byte("?"))
	if w.query != nil && len(q) == 0 && string(w.query) != "-" {
		q = w.query
	}
	ev.Object = string(path)
	setField(ev, "method", method)
	setField(ev, "query", q)
	setField(ev, "protocol", proto)
	setField(ev, "uri", target)
	for _, kv := range [...]struct {
		k string
		v []byte
	}{{"bytes", w.bytes}, {"referer", w.referer}, {"user_agent", w.ua}, {"xff", w.xff}, {"vhost", w.vhost}} {
		if len(kv.v) > 0 && string(kv.v) != "-" {
			f[kv.k] = string(kv.v)
		}
	}
	return true
}

// parseCLF parses "10/Oct/2000:13:55:36 -0700" to UTC (zero when it is not one).
func parseCLF(b []byte) time.Time {
	if len(b) < 26 || b[2] != '/' || b[6] != '/' || b[11] != ':' || b[20] != ' ' {
		return time.Time{}
	}
	d, mo, y := num(b[0:2]), month3(b[3:6]), num(b[7:11])
	h, mi, s := num(b[12:14]), num(b[15:17]), num(b[18:20])
	oh, om := num(b[22:24]), num(b[24:26])
	if d < 1 || d > 31 || mo == 0 || y < 1970 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60 || oh < 0 || om < 0 || oh > 14 {
		return time.Time{}
	}
	off := time.Duration(oh)*time.Hour + time.Duration(om)*time.Minute
	switch b[21] {
	case '-':
		off = -off
	case '+':
	default:
		return time.Time{}
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC).Add(-off)
}

// webErrorParser reads nginx and Apache error logs:
//
//	2024/01/02 15:04:05 [error] 1234#1234: *5 open() "/x" failed (2: ...), client: 1.2.3.4, server: _, request: "GET /x HTTP/1.1", host: "h"
//	[Tue Jan 02 15:04:05.123456 2024] [core:error] [pid 1234:tid 5678] [client 1.2.3.4:5555] AH00126: ...
//	[Tue Jan 02 15:04:05 2024] [error] [client 1.2.3.4] File does not exist: /var/www/x
func webErrorParser(r *reader) error {
	return r.eachLine(FormatWebError, func(r *reader, line []byte, ev *model.Event) (bool, bool) {
		ev.Kind = "web.error"
		if len(line) > 20 && line[4] == '/' && line[7] == '/' && line[13] == ':' {
			return nginxError(ev, line, r.loc), true
		}
		if len(line) > 26 && line[0] == '[' {
			return apacheError(ev, line, r.loc), true
		}
		return false, false
	})
}

func nginxError(ev *model.Event, line []byte, loc *time.Location) bool {
	y, mo, d := num(line[0:4]), num(line[5:7]), num(line[8:10])
	h, mi, s := num(line[11:13]), num(line[14:16]), num(line[17:19])
	if y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60 {
		return false
	}
	ev.Time = time.Date(y, time.Month(mo), d, h, mi, s, 0, loc).UTC()
	ev.Program = "nginx"
	rest := line[19:]
	if i := bytes.IndexByte(rest, '['); i >= 0 {
		if j := bytes.IndexByte(rest[i:], ']'); j > 0 {
			setField(ev, "level", rest[i+1:i+j])
			rest = rest[i+j+1:]
		}
	}
	pid, rest := word(bytes.TrimPrefix(rest, []byte(" ")))
	if p, _, ok := bytes.Cut(pid, []byte("#")); ok {
		ev.PID = max(num(p), 0)
	}
	if i := bytes.Index(rest, []byte(", client: ")); i >= 0 {
		c, _, _ := bytes.Cut(rest[i+10:], []byte(","))
		ev.SrcIP = string(c)
		setField(ev, "message", rest[:i])
	} else {
		setField(ev, "message", rest)
	}
	if i := bytes.Index(rest, []byte(`request: "`)); i >= 0 {
		req, _, _ := bytes.Cut(rest[i+10:], []byte(`"`))
		m, t := word(req)
		t, _ = word(t)
		setField(ev, "method", m)
		p, q, _ := bytes.Cut(t, []byte("?"))
		ev.Object = string(p)
		setField(ev, "query", q)
	}
	return true
}

func apacheError(ev *model.Event, line []byte, loc *time.Location) bool {
	end := bytes.IndexByte(line, ']')
	if end < 0 {
		return false
	}
	// "Tue Jan 02 15:04:05[.123456] 2024"
	ts := line[1:end]
	if len(ts) < 24 || ts[3] != ' ' || ts[7] != ' ' || ts[10] != ' ' {
		return false
	}
	mo, d := month3(ts[4:7]), num(bytes.TrimLeft(ts[8:10], " "))
	h, mi, s := num(ts[11:13]), num(ts[14:16]), num(ts[17:19])
	yb := ts[len(ts)-4:]
	y := num(yb)
	nsec := 0
	if ts[19] == '.' {
		_, nsec = fraction(ts, 20)
	}
	if mo == 0 || d < 1 || d > 31 || y < 1970 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60 {
		return false
	}
	ev.Time = time.Date(y, time.Month(mo), d, h, mi, s, nsec, loc).UTC()
	ev.Program = "apache"
	rest := line[end+1:]
	for len(rest) > 1 && rest[0] == ' ' && rest[1] == '[' {
		j := bytes.IndexByte(rest, ']')
		if j < 0 {
			break
		}
		tag := rest[2:j]
		switch {
		case hasPrefix(tag, "client "):
			c := tag[len("client "):]
			if k := bytes.LastIndexByte(c, ':'); k > 0 && bytes.Count(c, []byte(":")) == 1 {
				c = c[:k]
			}
			ev.SrcIP = string(c)
		case hasPrefix(tag, "pid "):
			p, _, _ := bytes.Cut(tag[4:], []byte(":"))
			ev.PID = max(num(p), 0)
		case bytes.IndexByte(tag, ' ') < 0:
			_, lvl, ok := bytes.Cut(tag, []byte(":"))
			if !ok {
				lvl = tag
			}
			setField(ev, "level", lvl)
		}
		rest = rest[j+1:]
	}
	setField(ev, "message", bytes.TrimPrefix(rest, []byte(" ")))
	return true
}
