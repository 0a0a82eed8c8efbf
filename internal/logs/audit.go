package logs

import (
	"bytes"
	"encoding/hex"
	"sort"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

// Bounds of the audit parser: records kept per event, events waiting for
// their last record, and how many later serials close an event that never
// got an EOE record (single-record events have none).
const (
	auditMaxRecords = 64
	auditMaxPending = 256
	auditWindow     = 32
)

// auditRecord is one line of audit.log.
type auditRecord struct {
	typ    string
	serial uint64
	time   time.Time
	kv     map[string]string
	line   int
	raw    string
}

// auditEvent is the records of one serial.
type auditEvent struct {
	serial  uint64
	line    int // first record's line
	records []auditRecord
}

// auditState joins records by serial within one file.
type auditState struct {
	pending map[uint64]*auditEvent
	maxSeen uint64
	names   map[string]string // uid -> name (passwd)
}

// auditParser reads audit.log: records joined into one event per serial
// (SYSCALL + EXECVE + CWD + PATH + PROCTITLE ... until EOE), hex-encoded
// values decoded. Events come out in serial order; one with no EOE record
// waits for a later event to complete (at most auditWindow serials, and
// the end of the file).
func auditParser(r *reader) error {
	st := &auditState{pending: map[uint64]*auditEvent{}, names: passwdNames(r)}
	err := r.eachLine(FormatAudit, func(r *reader, line []byte, ev *model.Event) (bool, bool) {
		rec, ok := parseAuditRecord(line)
		if !ok {
			return false, false
		}
		rec.line = ev.Line
		rec.raw = string(line[:min(len(line), rawLen)])
		if err := st.add(r, rec); err != nil {
			r.stopErr = err
		}
		return true, false
	})
	if err != nil {
		return err
	}
	if r.stopErr != nil {
		return r.stopErr
	}
	return st.flush(r, func(*auditEvent) bool { return true })
}

func (st *auditState) add(r *reader, rec auditRecord) error {
	e := st.pending[rec.serial]
	if e == nil {
		e = &auditEvent{serial: rec.serial, line: rec.line}
		st.pending[rec.serial] = e
	}
	if len(e.records) < auditMaxRecords {
		e.records = append(e.records, rec)
	}
	st.maxSeen = max(st.maxSeen, rec.serial)
	eoe := rec.typ == "EOE"
	// Complete: an event whose EOE came; an earlier event without a
	// SYSCALL record (user-space records are single lines) once a later
	// one completes; anything auditWindow serials old; the oldest when too
	// many wait.
	return st.flush(r, func(p *auditEvent) bool {
		return p == e && eoe ||
			eoe && p.serial < e.serial && p.records[0].typ != "SYSCALL" ||
			p.serial+auditWindow < st.maxSeen || len(st.pending) > auditMaxPending
	})
}

// flush emits the pending events done says are complete, by serial.
func (st *auditState) flush(r *reader, done func(*auditEvent) bool) error {
	var ready []*auditEvent
	for _, e := range st.pending {
		if done(e) {
			ready = append(ready, e)
		}
	}
	sort.Slice(ready, func(i, j int) bool { return ready[i].serial < ready[j].serial })
	for _, e := range ready {
		delete(st.pending, e.serial)
		if err := st.emit(r, e); err != nil {
			return err
		}
	}
	return nil
}

// auxTypes are records that complete another (SYSCALL) record.
var auxTypes = map[string]bool{"EOE": true, "PROCTITLE": true, "PATH": true, "CWD": true, "EXECVE": true, "SOCKADDR": true, "BPRM_FCAPS": true}

// emit makes one event of the records of a serial.
func (st *auditState) emit(r *reader, e *auditEvent) error {
	primary := e.records[0]
	for _, rec := range e.records {
		if !auxTypes[rec.typ] {
			primary = rec
			break
		}
	}
	ev := &r.ev
	*ev = model.Event{Source: FormatAudit, File: r.file.Path, Line: e.line, Host: r.opts.Host, Time: primary.time}
	f := map[string]string{"type": primary.typ, "serial": primary.kv["msg_serial"]}
	ev.Fields = f
	for _, k := range []string{"auid", "uid", "euid", "pid", "ppid", "exe", "comm", "key", "syscall", "success", "ses", "tty", "op", "res", "acct", "terminal", "hostname", "addr", "id", "exit", "cmd"} {
		if v, ok := primary.kv[k]; ok && v != "" && v != "?" && v != "(null)" {
			f[k] = v
		}
	}
	if n := primary.kv["node"]; n != "" {
		ev.Host = n
	}
	var args []string
	for _, rec := range e.records {
		switch rec.typ {
		case "EXECVE":
			for i := 0; i < 256; i++ {
				v, ok := rec.kv["a"+itoa(i)]
				if !ok {
					break
				}
				args = append(args, v)
			}
		case "CWD":
			f["cwd"] = rec.kv["cwd"]
		case "PATH":
			if _, ok := f["name"]; !ok && rec.kv["name"] != "" {
				f["name"] = rec.kv["name"]
			}
		case "PROCTITLE":
			f["proctitle"] = strings.ReplaceAll(rec.kv["proctitle"], "\x00", " ")
		}
	}
	ev.Kind = "audit." + strings.ReplaceAll(strings.ToLower(primary.typ), "_", "-")
	if len(args) > 0 {
		ev.Kind = "audit.execve"
		f["command"] = strings.Join(args, " ")
	} else if c := f["cmd"]; c != "" && primary.typ == "USER_CMD" {
		f["command"] = c
	}
	ev.Object = f["exe"]
	if a := f["acct"]; a != "" {
		ev.Object = a
	}
	if id := f["auid"]; id != "" && id != "4294967295" && id != "unset" {
		ev.Actor = st.names[id]
		if ev.Actor == "" {
			ev.Actor = "#" + id
		}
	}
	if a := f["addr"]; a != "" {
		ev.SrcIP = a
	}
	switch strings.ToLower(f["success"] + f["res"]) {
	case "yes", "success", "1":
		ev.Outcome = model.OutcomeSuccess
	case "no", "failed", "0":
		ev.Outcome = model.OutcomeFailure
	}
	raw := make([]string, 0, len(e.records))
	for _, rec := range e.records {
		raw = append(raw, rec.raw)
	}
	return r.emit(ev, []byte(strings.Join(raw, "\n")))
}

// parseAuditRecord parses "[node=N ]type=T msg=audit(SEC.MS:SERIAL): k=v
// ..." (with the enriched part after 0x1d, and a msg='...' of user-space
// records, both read as more pairs).
func parseAuditRecord(line []byte) (auditRecord, bool) {
	var rec auditRecord
	rec.kv = map[string]string{}
	if n, ok := cut(line, "node="); ok {
		v, rest := word(n)
		rec.kv["node"] = string(v)
		line = rest
	}
	t, ok := cut(line, "type=")
	if !ok {
		return rec, false
	}
	typ, rest := word(t)
	rec.typ = string(typ)
	m, ok := cut(rest, "msg=audit(")
	if !ok {
		return rec, false
	}
	end := bytes.IndexByte(m, ')')
	if end < 0 {
		return rec, false
	}
	stamp := m[:end]
	dot := bytes.IndexByte(stamp, '.')
	colon := bytes.IndexByte(stamp, ':')
	if dot <= 0 || colon <= dot {
		return rec, false
	}
	sec, ms, serial := num(stamp[:dot]), num(stamp[dot+1:colon]), num(stamp[colon+1:])
	if sec <= 0 || ms < 0 || serial < 0 || len(rec.typ) == 0 {
		return rec, false
	}
	rec.time = time.Unix(int64(sec), int64(ms)*int64(time.Millisecond)).UTC()
	rec.serial = uint64(serial)
	rec.kv["msg_serial"] = string(stamp[colon+1:])
	body := bytes.TrimPrefix(m[end+1:], []byte(":"))
	body = bytes.ReplaceAll(body, []byte{0x1d}, []byte{' '})
	auditKV(rec.kv, body, 0)
	return rec, true
}

// hexFields are the fields auditd writes hex-encoded when the value holds
// a space, a quote or a control character (unquoted then).
var hexFields = map[string]bool{"proctitle": true, "cmd": true, "comm": true, "exe": true, "name": true, "cwd": true, "acct": true, "data": true, "path": true, "old-name": true, "new-name": true}

// auditKV reads "k=v k="v" k='...'" pairs into kv.
func auditKV(kv map[string]string, b []byte, depth int) {
	for len(b) > 0 {
		b = bytes.TrimLeft(b, " ")
		eq := bytes.IndexByte(b, '=')
		if eq <= 0 {
			return
		}
		k := string(b[:eq])
		if sp := strings.LastIndexByte(k, ' '); sp >= 0 {
			k = k[sp+1:]
		}
		b = b[eq+1:]
		if k == "" {
			continue
		}
		var v []byte
		quoted := false
		switch {
		case len(b) > 0 && (b[0] == '"' || b[0] == '\''):
			q := b[0]
			e := bytes.IndexByte(b[1:], q)
			if e < 0 {
				v, b = b[1:], nil
			} else {
				v, b = b[1:e+1], b[e+2:]
			}
			quoted = true
			if q == '\'' && depth == 0 && k == "msg" {
				auditKV(kv, v, depth+1)
				continue
			}
		default:
			v, b = word(b)
		}
		s := string(v)
		if !quoted && len(v) >= 2 && len(v)%2 == 0 && (hexFields[k] || k[0] == 'a' && num([]byte(k[1:])) >= 0) {
			if d, err := hex.DecodeString(s); err == nil {
				s = string(d)
			}
		}
		if _, dup := kv[k]; !dup || depth > 0 {
			// Enriched duplicates (AUID="alice") come in upper case: distinct keys.
			kv[k] = s
		}
	}
}
