package autostart

import (
	"bytes"
	"strings"
)

// DesktopKey is one key of the [Desktop Entry] group of a desktop entry
// file.
type DesktopKey struct {
	N      int    // 1-based line number
	Raw    string // the line as written (CR removed)
	Key    string // the key without its locale ("Name" for Name[zh_CN])
	Locale string // "zh_CN" for Name[zh_CN]; "" for the plain key
	Value  string // the value, string escapes (\s \n \t \r \\) resolved
}

// DesktopEntry is the [Desktop Entry] group of a desktop entry file
// (freedesktop.org Desktop Entry Specification).
type DesktopEntry struct {
	HasGroup bool         // a [Desktop Entry] group header was found
	Keys     []DesktopKey // its keys, in file order (duplicated headers are merged, as GLib does)
	Bad      []int        // lines that are neither comment, blank, group header nor key=value
}

// maxDesktopLines bounds the lines read from one file.
const maxDesktopLines = 100000

// ParseDesktop parses a desktop entry file as GLib's key file parser
// does: leading blanks are ignored, # starts a comment line, [Group]
// starts a group, key=value (blanks around = ignored) is a key, and Key[ll_CC]
// a localized key. Only the [Desktop Entry] group is kept: autostart reads
// nothing else. A key before any group header is malformed.
func ParseDesktop(b []byte) DesktopEntry {
	var d DesktopEntry
	group := ""
	inGroup := false
	n := 0
	for len(b) > 0 && n < maxDesktopLines {
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			line, b = b, nil
		}
		n++
		raw := strings.TrimSuffix(string(line), "\r")
		s := strings.TrimLeft(raw, " \t")
		switch {
		case s == "" || s[0] == '#':
			continue
		case s[0] == '[':
			end := strings.IndexByte(s, ']')
			if end < 0 || strings.TrimRight(s[end+1:], " \t") != "" {
				d.Bad = append(d.Bad, n)
				continue
			}
			group = s[1:end]
			inGroup = group == "Desktop Entry"
			if inGroup {
				d.HasGroup = true
			}
			continue
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 || group == "" {
			d.Bad = append(d.Bad, n)
			continue
		}
		if !inGroup {
			continue
		}
		key := strings.TrimRight(s[:eq], " \t")
		if key == "" {
			d.Bad = append(d.Bad, n)
			continue
		}
		loc := ""
		if i := strings.IndexByte(key, '['); i > 0 && strings.HasSuffix(key, "]") {
			key, loc = key[:i], key[i+1:len(key)-1]
		}
		d.Keys = append(d.Keys, DesktopKey{N: n, Raw: raw, Key: key, Locale: loc,
			Value: unescapeDesktop(strings.TrimLeft(s[eq+1:], " \t"))})
	}
	return d
}

// unescapeDesktop resolves the escapes of a desktop entry string value.
// An unknown escape keeps the character after the backslash.
func unescapeDesktop(v string) string {
	if !strings.Contains(v, `\`) {
		return v
	}
	var sb strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\\' || i+1 == len(v) {
			sb.WriteByte(c)
			continue
		}
		i++
		switch v[i] {
		case 's':
			sb.WriteByte(' ')
		case 'n':
			sb.WriteByte('\n')
		case 't':
			sb.WriteByte('\t')
		case 'r':
			sb.WriteByte('\r')
		case '\\':
			sb.WriteByte('\\')
		default:
			sb.WriteByte('\\')
			sb.WriteByte(v[i])
		}
	}
	return sb.String()
}

// Get returns the last plain (unlocalized) value of key: what a launcher
// uses when a key is repeated.
func (d DesktopEntry) Get(key string) (DesktopKey, bool) {
	for i := len(d.Keys) - 1; i >= 0; i-- {
		if k := d.Keys[i]; k.Key == key && k.Locale == "" {
			return k, true
		}
	}
	return DesktopKey{}, false
}

// All returns every plain value of key, in file order.
func (d DesktopEntry) All(key string) []DesktopKey {
	var out []DesktopKey
	for _, k := range d.Keys {
		if k.Key == key && k.Locale == "" {
			out = append(out, k)
		}
	}
	return out
}

// Bool reads a boolean key as GLib does (true/1, false/0); ok is false
// when the key is absent or not a boolean.
func (d DesktopEntry) Bool(key string) (val, ok bool) {
	k, found := d.Get(key)
	if !found {
		return false, false
	}
	switch strings.TrimSpace(k.Value) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// Disabled says why a session manager would not start the entry ("" when
// it would): Hidden=true deletes it, and GNOME, MATE, Cinnamon and others
// honour X-<Desktop>-Autostart-enabled=false.
func (d DesktopEntry) Disabled() string {
	if v, ok := d.Bool("Hidden"); ok && v {
		return "Hidden=true (the entry is deleted)"
	}
	for i := len(d.Keys) - 1; i >= 0; i-- {
		k := d.Keys[i]
		if k.Locale != "" || !strings.HasPrefix(k.Key, "X-") || !strings.EqualFold(afterVendor(k.Key), "Autostart-enabled") {
			continue
		}
		if v := strings.TrimSpace(k.Value); v == "false" || v == "0" {
			return k.Key + "=false (switched off)"
		}
		break
	}
	return ""
}

// afterVendor strips the X-VENDOR- prefix of an extension key.
func afterVendor(key string) string {
	rest := strings.TrimPrefix(key, "X-")
	if i := strings.IndexByte(rest, '-'); i >= 0 {
		return rest[i+1:]
	}
	return rest
}

// ExecCommand turns an Exec value into the command line it starts: field
// codes (%f %F %u %U %i %c %k and the deprecated %d %D %n %N %v %m) expand
// to nothing at autostart, %% is a percent sign.
func ExecCommand(v string) string {
	if !strings.Contains(v, "%") {
		return strings.TrimSpace(v)
	}
	var sb strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '%' || i+1 == len(v) {
			sb.WriteByte(v[i])
			continue
		}
		i++
		switch v[i] {
		case '%':
			sb.WriteByte('%')
		case 'f', 'F', 'u', 'U', 'i', 'c', 'k', 'd', 'D', 'n', 'N', 'v', 'm':
		default:
			sb.WriteByte('%')
			sb.WriteByte(v[i])
		}
	}
	return strings.TrimSpace(sb.String())
}
