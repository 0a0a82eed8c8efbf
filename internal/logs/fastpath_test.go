package logs

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

// TestPlaceMinuteCache: the cached placement equals time.Date for every
// stamp, in zones with daylight saving (an hour, half an hour), across
// their transitions, New Year and leap seconds, in any order.
func TestPlaceMinuteCache(t *testing.T) {
	// Algiers (1911) and Addis Ababa (1936) changed zone at a local time
	// that was not a whole minute: a minute with two offsets.
	zones := []string{"UTC", "Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Lord_Howe",
		"America/St_Johns", "Africa/Monrovia", "Africa/Algiers", "Africa/Addis_Ababa"}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range zones {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Skipf("no zone data: %v", err)
		}
		var y yearTracker
		y.reset(yearPlan{start: 1972, end: 1972})
		check := func(year int, s stamp) {
			y.year, y.lastMonth = year, 0
			got := y.place(&s, loc)
			want := time.Date(year, time.Month(s.month), s.day, s.hour, s.min, s.sec, s.nsec, loc).UTC()
			if !got.Equal(want) || got != want {
				t.Fatalf("%s %d %+v: %v, time.Date %v", name, year, s, got, want)
			}
		}
		// Every second of the hours around each transition of a few years
		// (Monrovia moved by 44 min 30 s in 1972), in order.
		for _, year := range []int{1911, 1936, 1972, 2007, 2024} {
			start := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
			for t0 := start; t0.Year() == year; {
				_, end := t0.ZoneBounds()
				if end.IsZero() || end.Year() != year {
					break
				}
				for u := end.Add(-2 * time.Hour); u.Before(end.Add(2 * time.Hour)); u = u.Add(time.Second) {
					l := u.In(loc)
					check(l.Year(), stamp{month: int(l.Month()), day: l.Day(), hour: l.Hour(), min: l.Minute(), sec: l.Second()})
				}
				t0 = end.Add(time.Second)
			}
		}
		// Random stamps, including impossible ones time.Date normalises
		// (Feb 30, second 60) and fractions.
		for i := 0; i < 20000; i++ {
			s := stamp{month: 1 + rng.IntN(12), day: 1 + rng.IntN(31), hour: rng.IntN(24), min: rng.IntN(60), sec: rng.IntN(61), nsec: rng.IntN(1e9)}
			check(1970+rng.IntN(60), s)
		}
	}
}

// TestLastIndex: lastIndex is bytes.LastIndex.
func TestLastIndex(t *testing.T) {
	seps := []string{" from ", " port ", "x", "aa", "aba"}
	texts := []string{"", " from ", "user a from 1.2.3.4 port 22", "a from b from c", "from", " from", "aaaa", "abababa", "x from  from ", "ababa"}
	for _, sep := range seps {
		for _, s := range texts {
			if got, want := lastIndex([]byte(s), []byte(sep)), bytes.LastIndex([]byte(s), []byte(sep)); got != want {
				t.Errorf("lastIndex(%q, %q) = %d, want %d", s, sep, got, want)
			}
		}
	}
}

// FuzzLastIndex: lastIndex is bytes.LastIndex on any input.
func FuzzLastIndex(f *testing.F) {
	f.Add([]byte("a from b port 2"), []byte(" port "))
	f.Fuzz(func(t *testing.T, b, sep []byte) {
		if got, want := lastIndex(b, sep), bytes.LastIndex(b, sep); got != want {
			t.Fatalf("lastIndex(%q, %q) = %d, want %d", b, sep, got, want)
		}
	})
}

// refParse3164 is the straightforward reading of a year-less stamp that
// parse3164 must agree with.
func refParse3164(b []byte) (s stamp, n int) {
	if len(b) < 15 || b[3] != ' ' {
		return s, 0
	}
	s.month = month3(b)
	if s.month == 0 {
		return s, 0
	}
	d := b[4:6]
	if d[0] == ' ' {
		d = d[1:]
	}
	s.day = num(d)
	if s.day < 1 || s.day > 31 || b[6] != ' ' || b[9] != ':' || b[12] != ':' {
		return s, 0
	}
	s.hour, s.min, s.sec = num(b[7:9]), num(b[10:12]), num(b[13:15])
	if s.hour < 0 || s.hour > 23 || s.min < 0 || s.min > 59 || s.sec < 0 || s.sec > 60 {
		return s, 0
	}
	n = 15
	if n < len(b) && b[n] == '.' {
		n, s.nsec = fraction(b, n+1)
	}
	return s, n
}

// FuzzParse3164: the fast stamp parser agrees with the reference.
func FuzzParse3164(f *testing.F) {
	for _, s := range []string{"Nov  1 00:00:01 web1", "Dec 31 23:59:60.123456 h", "Jan 01 00:00:00", "Feb 3x 00:00:00 ", "Mar  1 0a:00:00 x", "Apr 10 24:00:00 x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want, wn := refParse3164(b)
		got, gn := parse3164(b)
		if gn != wn || wn > 0 && got != want {
			t.Fatalf("%q: %+v %d, want %+v %d", b, got, gn, want, wn)
		}
	})
}

// refPamKV is the word-by-word reading of pam_unix's key=value list that
// pamKV must agree with.
func refPamKV(ev *msgEvent, b []byte) {
	for len(b) > 0 {
		var w []byte
		w, b = word(b)
		k, v, ok := bytes.Cut(w, []byte("="))
		if !ok || len(v) == 0 {
			continue
		}
		switch string(k) {
		case "rhost":
			ev.SrcIP = ev.str(v)
		case "user":
			if len(b) > 0 {
				v = append(v[:len(v):len(v)], ' ')
				v = append(v, b...)
				b = nil
			}
			ev.Actor = ev.str(v)
		case "ruser":
			ev.set("ruser", v)
		case "logname":
			ev.set("logname", v)
		case "tty":
			ev.set("tty", v)
		}
	}
}

// FuzzPamKV: the one-pass reading of pam_unix's list agrees with the
// reference.
func FuzzPamKV(f *testing.F) {
	for _, s := range []string{" logname= uid=0 euid=0 tty=ssh ruser= rhost=53.18.56.9  user=root", "rhost=1.2.3.4 user=a b c", "user=root ", "user=x  ", "=x rhost= tty=a=b", "  "} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want, got model.Event
		w := msgEvent{Event: &want, r: &reader{}}
		g := msgEvent{Event: &got, r: &reader{}}
		refPamKV(&w, append([]byte(nil), b...))
		pamKV(&g, b)
		if got.SrcIP != want.SrcIP || got.Actor != want.Actor || g.n != w.n {
			t.Fatalf("%q: %q %q %d, want %q %q %d", b, got.SrcIP, got.Actor, g.n, want.SrcIP, want.Actor, w.n)
		}
		for i := 0; i < w.n; i++ {
			if g.kv[i].k != w.kv[i].k || g.val(i) != w.val(i) {
				t.Fatalf("%q: field %d %s=%q, want %s=%q", b, i, g.kv[i].k, g.val(i), w.kv[i].k, w.val(i))
			}
		}
	})
}
