package users

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// maxGapsPerFile bounds the gaps one damaged file records: a binary blob in
// /etc/passwd must not flood the result with a gap per line.
const maxGapsPerFile = 20

// lineReader walks the lines of an account file, skipping blanks and
// comments, trimming CRLF, and recording malformed lines.
type lineReader struct {
	path   string
	rec    target.Recorder
	gaps   int
	compat *[]Compat
}

func (r *lineReader) bad(n int, reason model.Message) {
	r.gaps++
	switch {
	case r.gaps <= maxGapsPerFile:
		r.rec.GapMsg(model.GapError, r.path+":"+itoa(n), reason)
	case r.gaps == maxGapsPerFile+1:
		r.rec.GapMsg(model.GapError, r.path, model.Msg("users.gap.more-malformed", maxGapsPerFile))
	}
}

// each calls fn with the colon-separated fields of every account line.
func (r *lineReader) each(b []byte, fn func(n int, fields []string, text string)) {
	n := 0
	for len(b) > 0 {
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			line, b = b, nil
		}
		n++
		line = bytes.TrimRight(line, "\r")
		trimmed := bytes.TrimSpace(line)
		if len(trimmed) == 0 || trimmed[0] == '#' {
			continue
		}
		text := string(line)
		if trimmed[0] == '+' || trimmed[0] == '-' {
			if r.compat != nil {
				*r.compat = append(*r.compat, Compat{Path: r.path, Line: n, Text: text})
			}
			continue
		}
		if bytes.IndexByte(line, 0) >= 0 {
			r.bad(n, model.Msg("users.gap.nul"))
			continue
		}
		fn(n, strings.Split(text, ":"), text)
	}
}

// parseID reads a numeric uid/gid field. Values past 32 bits are
// truncated like glibc's cast of strtoul's result.
func parseID(s string) (int, bool) {
	if s == "" || len(s) > 20 {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return int(uint32(v)), true
}

// parseDays reads a shadow day count; empty or bad is -1.
func parseDays(s string) int {
	if s == "" || len(s) > 9 {
		return -1
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		return -1
	}
	return v
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, m := range strings.Split(s, ",") {
		if m = strings.TrimSpace(m); m != "" {
			out = append(out, m)
		}
	}
	return out
}

// ParsePasswd parses the content of a passwd file found at p (used in gap
// paths). Malformed lines are recorded on rec and skipped; NIS compat lines
// are returned apart.
func ParsePasswd(p string, b []byte, rec target.Recorder) ([]User, []Compat) {
	return parsePasswd(p, b, rec, nil)
}

func parsePasswd(p string, b []byte, rec target.Recorder, compat []Compat) ([]User, []Compat) {
	r := &lineReader{path: p, rec: rec, compat: &compat}
	var out []User
	r.each(b, func(n int, f []string, text string) {
		if len(f) != 7 {
			r.bad(n, model.Msg("users.gap.fields", 7, len(f)))
			return
		}
		if f[0] == "" {
			r.bad(n, model.Msg("users.gap.empty-user"))
			return
		}
		uid, ok1 := parseID(f[2])
		gid, ok2 := parseID(f[3])
		if !ok1 || !ok2 {
			r.bad(n, model.Msg("users.gap.bad-id"))
			return
		}
		out = append(out, User{Name: f[0], Password: f[1], UID: uid, GID: gid, RawUID: f[2], RawGID: f[3],
			Gecos: f[4], Home: f[5], Shell: f[6], Line: n, Text: text})
	})
	return out, compat
}

// ParseShadow parses a shadow file's content.
func ParseShadow(p string, b []byte, rec target.Recorder) ([]Shadow, []Compat) {
	return parseShadow(p, b, rec, nil)
}

func parseShadow(p string, b []byte, rec target.Recorder, compat []Compat) ([]Shadow, []Compat) {
	r := &lineReader{path: p, rec: rec, compat: &compat}
	var out []Shadow
	r.each(b, func(n int, f []string, _ string) {
		// shadow(5) has 9 fields; tools tolerate short lines, and the
		// name and hash are what matters.
		if len(f) < 2 || len(f) > 9 {
			r.bad(n, model.Msg("users.gap.fields", 9, len(f)))
			return
		}
		if f[0] == "" {
			r.bad(n, model.Msg("users.gap.empty-user"))
			return
		}
		s := Shadow{Name: f[0], Hash: f[1], LastChange: -1, Expire: -1, Line: n, Fields: len(f)}
		if len(f) > 2 {
			s.LastChange = parseDays(f[2])
		}
		if len(f) > 7 {
			s.Expire = parseDays(f[7])
		}
		out = append(out, s)
	})
	return out, compat
}

// ParseGroup parses a group file's content.
func ParseGroup(p string, b []byte, rec target.Recorder) ([]Group, []Compat) {
	return parseGroup(p, b, rec, nil)
}

func parseGroup(p string, b []byte, rec target.Recorder, compat []Compat) ([]Group, []Compat) {
	r := &lineReader{path: p, rec: rec, compat: &compat}
	var out []Group
	r.each(b, func(n int, f []string, text string) {
		if len(f) != 4 {
			r.bad(n, model.Msg("users.gap.fields", 4, len(f)))
			return
		}
		if f[0] == "" {
			r.bad(n, model.Msg("users.gap.empty-group"))
			return
		}
		gid, ok := parseID(f[2])
		if !ok {
			r.bad(n, model.Msg("users.gap.bad-gid"))
			return
		}
		out = append(out, Group{Name: f[0], Password: f[1], GID: gid, RawGID: f[2], Members: splitList(f[3]), Line: n, Text: text})
	})
	return out, compat
}

// ParseGShadow parses a gshadow file's content.
func ParseGShadow(p string, b []byte, rec target.Recorder) ([]GShadow, []Compat) {
	return parseGShadow(p, b, rec, nil)
}

func parseGShadow(p string, b []byte, rec target.Recorder, compat []Compat) ([]GShadow, []Compat) {
	r := &lineReader{path: p, rec: rec, compat: &compat}
	var out []GShadow
	r.each(b, func(n int, f []string, _ string) {
		if len(f) != 4 {
			r.bad(n, model.Msg("users.gap.fields", 4, len(f)))
			return
		}
		if f[0] == "" {
			r.bad(n, model.Msg("users.gap.empty-group"))
			return
		}
		out = append(out, GShadow{Name: f[0], Password: f[1], Admins: splitList(f[2]), Members: splitList(f[3]), Line: n})
	})
	return out, compat
}

func itoa(n int) string { return strconv.Itoa(n) }
