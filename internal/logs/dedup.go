package logs

import (
	"hash/maphash"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

// Dedup drops the second copy of a message that two logs of one run both
// hold: on a host where rsyslog writes auth.log from the journal, every
// sshd line is in auth.log and in the journal, and would be counted twice
// by the rules (a brute force of 6 failures looking like 12). Two events
// are one message when they come from different sources (different
// Source.Name), name the same host, program, pid and message, and lie
// within a second of each other (rsyslog's traditional stamps have whole
// seconds, the journal's microseconds). Events of one source are never
// dropped: a log may repeat a line.
//
// Only events with a program and a pid take part (the syslog-framed lines
// and journal entries). Memory is bounded: past maxKeys messages it stops
// remembering (Capped says so) and lets every later event through.
type Dedup struct {
	seed    maphash.Seed
	seen    map[uint64]dedupSeen
	max     int
	capped  bool
	dropped map[string]int64 // per source name
	buf     []byte
}

type dedupSeen struct {
	nanos int64
	src   int32
}

// dedupMax bounds the messages a Dedup remembers (about 40 bytes each).
const dedupMax = 2_000_000

// NewDedup returns an empty Dedup remembering at most maxKeys messages
// (dedupMax when 0).
func NewDedup(maxKeys int) *Dedup {
	if maxKeys <= 0 {
		maxKeys = dedupMax
	}
	return &Dedup{seed: maphash.MakeSeed(), seen: map[uint64]dedupSeen{}, max: maxKeys, dropped: map[string]int64{}}
}

// NeedsDedup reports whether a run over srcs can meet one message twice:
// a journal beside a syslog-framed text log (auth, syslog, cron).
func NeedsDedup(srcs []Source) bool {
	var journal, text bool
	for _, s := range srcs {
		switch s.Format {
		case FormatJournal:
			journal = true
		case FormatAuth, FormatSyslog, FormatCron:
			text = true
		}
	}
	return journal && text
}

// Duplicate reports whether ev, read from the source numbered src (its
// index in the run) under the name name, repeats a message another source
// already gave; if so it is counted under name. Otherwise ev is
// remembered.
func (d *Dedup) Duplicate(src int, name string, ev *model.Event) bool {
	if ev.PID <= 0 || ev.Program == "" || ev.Time.IsZero() {
		return false
	}
	msg := message(ev)
	if msg == "" {
		return false
	}
	b := append(d.buf[:0], ev.Host...)
	b = append(append(b, 0), ev.Program...)
	b = strconv.AppendInt(append(b, 0), int64(ev.PID), 10)
	b = append(append(b, 0), msg...)
	d.buf = b
	h := maphash.Bytes(d.seed, b)
	t := ev.Time.UnixNano()
	if prev, ok := d.seen[h]; ok {
		if int(prev.src) != src && abs(t-prev.nanos) <= int64(time.Second) {
			d.dropped[name]++
			return true
		}
		d.seen[h] = dedupSeen{nanos: t, src: int32(src)}
		return false
	}
	if len(d.seen) >= d.max {
		d.capped = true
		return false
	}
	d.seen[h] = dedupSeen{nanos: t, src: int32(src)}
	return false
}

// Dropped returns how many events of the source name were dropped as
// copies.
func (d *Dedup) Dropped(name string) int64 { return d.dropped[name] }

// Capped reports whether messages went unremembered (the cap was reached):
// copies after that were counted twice.
func (d *Dedup) Capped() bool { return d.capped }

// message is the text the program logged: the raw line after its
// "program[pid]: " tag (the syslog framing and the journal's rendering
// both end the tag so).
func message(ev *model.Event) string {
	raw := ev.Raw
	tag := ev.Program + "["
	i := strings.Index(raw, tag)
	if i < 0 {
		return ""
	}
	rest := raw[i+len(tag):]
	j := strings.Index(rest, "]: ")
	if j < 0 {
		return ""
	}
	return rest[j+3:]
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
