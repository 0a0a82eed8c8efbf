package logs

import (
	"bytes"
	"io"
	"strconv"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

// syslogLine is the frame of a syslog line: when, which host, which
// program, and the message.
type syslogLine struct {
	time    time.Time
	host    []byte
	program []byte
	pid     int
	msg     []byte
}

// skipPRI drops a leading "<NN>" priority.
func skipPRI(b []byte) []byte {
	if len(b) > 2 && b[0] == '<' {
		if i := bytes.IndexByte(b[:min(len(b), 6)], '>'); i > 1 && num(b[1:i]) >= 0 {
			return b[i+1:]
		}
	}
	return b
}

// parseSyslog splits a syslog line: RFC 3164 ("Jan  2 15:04:05 host
// prog[pid]: msg", year from the tracker), rsyslog's high-precision RFC 3339
// form ("2024-01-02T15:04:05.123456+08:00 host prog[pid]: msg") and RFC 5424
// ("<34>1 2024-01-02T15:04:05Z host app procid msgid [sd] msg").
func (r *reader) parseSyslog(line []byte, sl *syslogLine) bool {
	b := skipPRI(line)
	if len(b) > 2 && b[0] == '1' && b[1] == ' ' && len(b) != len(line) {
		return r.parse5424(b[2:], sl)
	}
	var st stamp
	if n := parse3164Into(b, &st); n > 0 {
		sl.time = r.years.place(&st, r.loc)
		b = b[n:]
	} else if t, n := parseISO(b, r.loc); n > 0 {
		sl.time = t
		b = b[n:]
	} else {
		return false
	}
	if len(b) == 0 || b[0] != ' ' {
		return false
	}
	b = b[1:]
	sp := indexSpace(b)
	if sp <= 0 {
		sl.host, sl.msg = b, nil
		return len(b) > 0
	}
	sl.host = b[:sp]
	b = b[sp+1:]
	// The tag: "prog[pid]: ", "prog: ", or none (the message follows): a
	// ':' within 64 bytes with no space before it. One pass (it was three
	// searches of the same bytes), noting the first '['.
	end, br := -1, -1
	for i, lim := 0, min(len(b), 65); i < lim; i++ {
		c := b[i]
		if c == ':' {
			end = i
			break
		}
		if c == ' ' {
			break
		}
		if c == '[' && br < 0 {
			br = i
		}
	}
	if end <= 0 {
		sl.msg = b
		return true
	}
	tag := b[:end]
	sl.msg = b[end+1:]
	if len(sl.msg) > 0 && sl.msg[0] == ' ' {
		sl.msg = sl.msg[1:]
	}
	if br > 0 && tag[len(tag)-1] == ']' {
		sl.pid = num(tag[br+1 : len(tag)-1])
		tag = tag[:br]
	}
	sl.program = tag
	return true
}

// indexSpace is bytes.IndexByte(b, ' ') for a host name: a short word,
// looked at byte by byte before calling the vectorised search.
func indexSpace(b []byte) int {
	for i := 0; i < len(b) && i < 32; i++ {
		if b[i] == ' ' {
			return i
		}
	}
	if len(b) <= 32 {
		return -1
	}
	if i := bytes.IndexByte(b[32:], ' '); i >= 0 {
		return 32 + i
	}
	return -1
}

// parse5424 parses what follows "<PRI>1 " in an RFC 5424 line.
func (r *reader) parse5424(b []byte, sl *syslogLine) bool {
	f := func() []byte {
		i := bytes.IndexByte(b, ' ')
		if i < 0 {
			v := b
			b = nil
			return v
		}
		v := b[:i]
		b = b[i+1:]
		return v
	}
	// A record without a time ("-") is of no use on a timeline: unparsed.
	t, n := parseISO(f(), r.loc)
	if n == 0 {
		return false
	}
	sl.time = t
	nil5424 := func(v []byte) []byte {
		if string(v) == "-" {
			return nil
		}
		return v
	}
	sl.host = nil5424(f())
	sl.program = nil5424(f())
	sl.pid = num(f())
	f() // msgid
	// Structured data: "-" or one or more [id k="v" ...] elements.
	if len(b) > 0 && b[0] == '[' {
		depth, quoted := 0, false
		i := 0
		for ; i < len(b); i++ {
			c := b[i]
			switch {
			case quoted && c == '\\':
				i++
			case c == '"':
				quoted = !quoted
			case !quoted && c == '[':
				depth++
			case !quoted && c == ']':
				depth--
			}
			if depth == 0 && !quoted && (i+1 == len(b) || b[i+1] == ' ') {
				i++
				break
			}
		}
		b = b[min(i, len(b)):]
		if len(b) > 0 && b[0] == ' ' {
			b = b[1:]
		}
	} else {
		f()
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // BOM of a UTF-8 message
	sl.msg = b
	return true
}

// syslogParser reads a syslog-framed file (auth.log, secure, syslog,
// messages, cron) and gives every line to the message parsers.
func syslogParser(source string) parseFunc {
	return func(r *reader) error {
		r.years.reset(r.plan[r.fileIndex])
		return r.eachLine(source, syslogMessage)
	}
}

// syslogMessage parses one syslog-framed line into ev (a lineFunc).
func syslogMessage(r *reader, line []byte, ev *model.Event) (bool, bool) {
	var sl syslogLine
	if !r.parseSyslog(line, &sl) {
		return false, false
	}
	ev.Time = sl.time
	if len(sl.host) > 0 {
		ev.Host = r.last(&r.lastHost, sl.host)
	}
	ev.Program = r.last(&r.lastProg, sl.program)
	ev.PID = max(sl.pid, 0)
	me := msgEvent{Event: ev, r: r}
	classify(&me, sl.program, sl.msg)
	ev.Fields = r.fieldsOf(&me)
	return true, true
}

// intern returns b as a string, shared with the previous equal one: host
// and program names repeat on every line.
func (r *reader) intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if r.strs == nil {
		r.strs = map[string]string{}
	}
	if s, ok := r.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(r.strs) < maxInterned && len(b) <= 256 {
		r.strs[s] = s
	}
	return s
}

// last returns b as a string, the one of the previous call when equal
// (hosts repeat on every line, programs in runs), else interned.
func (r *reader) last(prev *string, b []byte) string {
	if string(b) == *prev {
		return *prev
	}
	*prev = r.intern(b)
	return *prev
}

// maxInterned bounds the strings one read interns (host, program, user
// names, addresses: a brute force repeats a few thousand of them).
const maxInterned = 1 << 16

// fieldsOf returns the Fields of a classified message: a map shared with
// every earlier event of the same fields and values (read-only, see
// Handler), or a new one.
func (r *reader) fieldsOf(e *msgEvent) map[string]string {
	if e.n == 0 {
		return nil
	}
	key := r.keyBuf[:0]
	keep := true // a set with a field unique to its line (a source port) is not kept
	for i := 0; i < e.n; i++ {
		key = append(append(append(append(append(key, e.kv[i].k...), '='), e.kv[i].v...), e.kv[i].sv...), 0)
		keep = keep && e.kv[i].k != "port"
	}
	r.keyBuf = key
	if m, ok := r.fieldSets[string(key)]; ok {
		return m
	}
	m := make(map[string]string, e.n)
	for i := 0; i < e.n; i++ {
		m[e.kv[i].k] = e.val(i)
	}
	if keep && len(key) <= 128 && len(r.fieldSets) < maxFieldSets {
		if r.fieldSets == nil {
			r.fieldSets = map[string]map[string]string{}
		}
		r.fieldSets[string(key)] = m
	}
	return m
}

// maxFieldSets bounds the distinct Fields sets a reader keeps (a brute
// force repeats a few dozen).
const maxFieldSets = 1024

// yearEdges reads the first and last year-less stamps of a file: the head
// of the file, and its tail (by seeking, or by streaming a gzip file).
func (r *reader) yearEdges(f File) (first, last stamp, ok bool) {
	if f.Path == "-" {
		return stamp{}, stamp{}, false
	}
	fh, err := r.t.Open(f.Path)
	if err != nil {
		return stamp{}, stamp{}, false
	}
	defer fh.Close()
	const chunk = 64 << 10
	if f.Gzip {
		rc, ok := r.gunzip(fh)
		if !ok {
			return stamp{}, stamp{}, false
		}
		defer rc.Close()
		// Stream it: the tail of a gzip stream is only reached by reading it.
		lr := newLineReader(rc, r.opts.MaxLine)
		for {
			line, more := lr.next()
			if !more {
				break
			}
			if s, found := lineStamp(line); found {
				if !ok {
					first, ok = s, true
				}
				last = s
			}
		}
		return first, last, ok
	}
	head := make([]byte, chunk)
	n, _ := io.ReadFull(fh, head)
	first, ok = headStamp(head[:n])
	if !ok {
		return stamp{}, stamp{}, false
	}
	st, err := fh.Stat()
	if err != nil {
		return first, first, true
	}
	tail := head[:n]
	if st.Size() > int64(n) {
		off := max(st.Size()-chunk, 0)
		m, _ := fh.ReadAt(head, off)
		tail = head[:m]
	}
	if last, found := tailStamp(tail); found {
		return first, last, true
	}
	return first, first, true
}

// pid text of Event.PID for Fields, when needed.
func itoa(n int) string { return strconv.Itoa(n) }
