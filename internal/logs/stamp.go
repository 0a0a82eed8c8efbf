package logs

import (
	"bytes"
	"path"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/target"
)

// TargetLocation is the time zone of the target: /etc/localtime (a TZif
// file, read through the target), else the zone /etc/timezone names, else
// UTC. Syslog timestamps without a zone are in it.
func TargetLocation(t *target.Target) *time.Location {
	if b, err := t.ReadFile("/etc/localtime", 1<<20); err == nil {
		name := "Local"
		if dest, err := t.Resolve("/etc/localtime"); err == nil {
			if _, z, ok := strings.Cut(dest, "/zoneinfo/"); ok {
				name = z
			}
		}
		if loc, err := time.LoadLocationFromTZData(name, b); err == nil {
			return loc
		}
	}
	if b, err := t.ReadFile("/etc/timezone", 4096); err == nil {
		name := strings.TrimSpace(string(b))
		if name != "" && !strings.Contains(name, "..") {
			if z, err := t.ReadFile(path.Join("/usr/share/zoneinfo", name), 1<<20); err == nil {
				if loc, err := time.LoadLocationFromTZData(name, z); err == nil {
					return loc
				}
			}
		}
	}
	return time.UTC
}

// stamp is a syslog timestamp without a year (RFC 3164): month, day and
// time of day, as written.
type stamp struct {
	month, day, hour, min, sec, nsec int
}

// key orders stamps within a year.
func (s stamp) key() int64 {
	return ((int64(s.month)*32+int64(s.day))*86400+int64(s.hour*3600+s.min*60+s.sec))*1e9 + int64(s.nsec)
}

// month3 returns the month of a three-letter English abbreviation.
func month3(b []byte) int {
	if len(b) < 3 {
		return 0
	}
	switch string(b[:3]) { // no allocation: the compiler switches on the bytes
	case "Jan":
		return 1
	case "Feb":
		return 2
	case "Mar":
		return 3
	case "Apr":
		return 4
	case "May":
		return 5
	case "Jun":
		return 6
	case "Jul":
		return 7
	case "Aug":
		return 8
	case "Sep":
		return 9
	case "Oct":
		return 10
	case "Nov":
		return 11
	case "Dec":
		return 12
	}
	return 0
}

// num parses b as a decimal number of digits only; -1 when it is not.
func num(b []byte) int {
	if len(b) == 0 || len(b) > 18 {
		return -1
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// parse3164 parses "Mmm dd hh:mm:ss" (day space- or zero-padded, optional
// fraction) at the start of b; n is the bytes used, 0 when b does not start
// with one.
func parse3164(b []byte) (s stamp, n int) {
	n = parse3164Into(b, &s)
	return s, n
}

// parse3164Into is parse3164 into *s (the parse of every syslog line: no
// copy of the stamp).
func parse3164Into(b []byte, s *stamp) (n int) {
	if len(b) < 15 || b[3] != ' ' || b[6] != ' ' || b[9] != ':' || b[12] != ':' {
		return 0
	}
	s.month = month3(b)
	if s.month == 0 {
		return 0
	}
	s.day = digit(b[5])
	if b[4] != ' ' {
		s.day += 10 * digit(b[4])
	}
	s.hour = 10*digit(b[7]) + digit(b[8])
	s.min = 10*digit(b[10]) + digit(b[11])
	s.sec = 10*digit(b[13]) + digit(b[14])
	if s.day < 1 || s.day > 31 || s.hour < 0 || s.hour > 23 || s.min < 0 || s.min > 59 || s.sec < 0 || s.sec > 60 {
		return 0
	}
	n = 15
	s.nsec = 0
	if n < len(b) && b[n] == '.' {
		n, s.nsec = fraction(b, n+1)
	}
	return n
}

// digit is the value of decimal digit c; a large negative number when c is
// not one (so that a sum of digits with one bad is out of every range).
func digit(c byte) int {
	if c < '0' || c > '9' {
		return -1000
	}
	return int(c - '0')
}

// fraction parses the digits of a fractional second starting at i.
func fraction(b []byte, i int) (end, nsec int) {
	scale := 100000000
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		nsec += int(b[i]-'0') * scale
		scale /= 10
	}
	return i, nsec
}

// parseISO parses an RFC 3339 / ISO 8601 timestamp at the start of b
// ("2024-01-02T15:04:05[.ffffff](Z|±hh:mm)", a space for T accepted, a
// missing zone meaning loc), returning it in UTC; n is 0 when b does not
// start with one.
func parseISO(b []byte, loc *time.Location) (t time.Time, n int) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return t, 0
	}
	y, mo, d := num(b[0:4]), num(b[5:7]), num(b[8:10])
	h, mi, s := num(b[11:13]), num(b[14:16]), num(b[17:19])
	if y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60 {
		return t, 0
	}
	n = 19
	nsec := 0
	if n < len(b) && (b[n] == '.' || b[n] == ',') {
		n, nsec = fraction(b, n+1)
	}
	switch {
	case n < len(b) && b[n] == 'Z':
		return time.Date(y, time.Month(mo), d, h, mi, s, nsec, time.UTC), n + 1
	case n+6 <= len(b) && (b[n] == '+' || b[n] == '-') && b[n+3] == ':':
		oh, om := num(b[n+1:n+3]), num(b[n+4:n+6])
		if oh < 0 || om < 0 || oh > 14 || om > 59 {
			return t, 0
		}
		off := time.Duration(oh)*time.Hour + time.Duration(om)*time.Minute
		if b[n] == '-' {
			off = -off
		}
		return time.Date(y, time.Month(mo), d, h, mi, s, nsec, time.UTC).Add(-off), n + 6
	case n+5 <= len(b) && (b[n] == '+' || b[n] == '-') && num(b[n+1:n+5]) >= 0:
		oh, om := num(b[n+1:n+3]), num(b[n+3:n+5])
		off := time.Duration(oh)*time.Hour + time.Duration(om)*time.Minute
		if b[n] == '-' {
			off = -off
		}
		return time.Date(y, time.Month(mo), d, h, mi, s, nsec, time.UTC).Add(-off), n + 5
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, nsec, loc).UTC(), n
}

// yearPlan places year-less timestamps of a log's files in years. Logs are
// written in order: the last line of a file is no later than its
// modification time, and the last line of a rotated file is no later than
// the first line of the next newer one. So the newest file's end year is its
// mtime's year (one less when its last stamp lies after the mtime), every
// older file ends in the year the next newer one starts (one less when its
// last stamp lies after that start), and a file whose first stamp lies after
// its last one crossed one New Year. Inside a file, a month that goes
// backwards is a New Year; the year never passes the file's end year.
type yearPlan struct {
	start, end int // years of the first and last line
}

// planYears computes the years of every file of a year-less log, newest
// first. first/last give each file's first and last stamp (ok false when
// the file holds none).
func planYears(files []File, loc *time.Location, now time.Time, edges func(File) (first, last stamp, ok bool)) []yearPlan {
	out := make([]yearPlan, len(files))
	var nextFirst stamp
	nextYear := 0
	for i := len(files) - 1; i >= 0; i-- {
		f := files[i]
		first, last, ok := edges(f)
		ref := f.ModTime
		if ref.IsZero() {
			ref = now
		}
		ref = ref.In(loc)
		var end int
		switch {
		case nextYear != 0 && ok:
			end = nextYear
			if last.key() > nextFirst.key() {
				end--
			}
		default:
			end = ref.Year()
			refStamp := stamp{month: int(ref.Month()), day: ref.Day(), hour: ref.Hour(), min: ref.Minute(), sec: ref.Second()}
			// A day of slack: a clock a little ahead is not a year ago.
			if ok && last.key() > refStamp.key()+86400*1e9 {
				end--
			}
		}
		start := end
		if ok && first.key() > last.key() {
			start--
		}
		out[i] = yearPlan{start: start, end: end}
		if ok {
			nextFirst, nextYear = first, start
		} else if nextYear != 0 {
			nextYear = start
		}
	}
	return out
}

// yearTracker follows the year through one file.
type yearTracker struct {
	plan      yearPlan
	year      int
	lastMonth int
	minute    minuteCache
}

// minuteCache is the instant of the start of the last minute placed: a log
// writes many lines a minute, and time.Date (calendar arithmetic and a zone
// lookup) was a tenth of the parse.
type minuteCache struct {
	key  int64 // year, month, day, hour, minute; 0 when empty
	loc  *time.Location
	base time.Time // second 0 of the minute, UTC
	// linear: second s of the minute is base+s (no zone transition
	// inside it); else every stamp of it goes through time.Date.
	linear bool
}

func (y *yearTracker) reset(p yearPlan) { *y = yearTracker{plan: p, year: p.start} }

// place returns s as a time in loc, UTC.
func (y *yearTracker) place(s *stamp, loc *time.Location) time.Time {
	y.advance(s.month)
	if s.sec > 59 || s.nsec < 0 || s.nsec >= 1e9 { // a leap second: time.Date normalises it
		return time.Date(y.year, time.Month(s.month), s.day, s.hour, s.min, s.sec, s.nsec, loc).UTC()
	}
	// The fields in bits (parse3164 bounds them: month 1-12, day 1-31,
	// hour 0-23, minute 0-59); 0 never occurs (month >= 1).
	key := int64(y.year)<<24 | int64(s.month&15)<<18 | int64(s.day&31)<<12 | int64(s.hour&31)<<6 | int64(s.min&63)
	c := &y.minute
	if c.key != key || c.loc != loc {
		c.key, c.loc = key, loc
		c.base = time.Date(y.year, time.Month(s.month), s.day, s.hour, s.min, 0, 0, loc).UTC()
		// Zone transitions fall on whole seconds: when second 59 is 59 s
		// after second 0, none lies inside the minute.
		last := time.Date(y.year, time.Month(s.month), s.day, s.hour, s.min, 59, 0, loc).UTC()
		c.linear = last.Sub(c.base) == 59*time.Second
	}
	if !c.linear {
		return time.Date(y.year, time.Month(s.month), s.day, s.hour, s.min, s.sec, s.nsec, loc).UTC()
	}
	return c.base.Add(time.Duration(s.sec)*time.Second + time.Duration(s.nsec))
}

// advance moves the tracker past a stamp of month m: a month that goes
// backwards is a New Year (never past the plan's end year).
func (y *yearTracker) advance(m int) {
	if y.lastMonth != 0 && m < y.lastMonth && y.year < y.plan.end {
		y.year++
	}
	y.lastMonth = m
}

// headStamp finds the first year-less stamp in the first lines of b.
func headStamp(b []byte) (stamp, bool) {
	for i := 0; i < 200 && len(b) > 0; i++ {
		line := b
		if j := bytes.IndexByte(b, '\n'); j >= 0 {
			line, b = b[:j], b[j+1:]
		} else {
			b = nil
		}
		if s, ok := lineStamp(line); ok {
			return s, true
		}
	}
	return stamp{}, false
}

// tailStamp finds the last year-less stamp in the lines of b.
func tailStamp(b []byte) (stamp, bool) {
	for i := 0; i < 200 && len(b) > 0; i++ {
		b = bytes.TrimRight(b, "\r\n")
		j := bytes.LastIndexByte(b, '\n')
		line := b[j+1:]
		if s, ok := lineStamp(line); ok {
			return s, true
		}
		if j < 0 {
			break
		}
		b = b[:j]
	}
	return stamp{}, false
}

// lineStamp is the RFC 3164 stamp at the start of a syslog line (after an
// optional <PRI>).
func lineStamp(line []byte) (stamp, bool) {
	line = skipPRI(line)
	s, n := parse3164(line)
	return s, n > 0
}
