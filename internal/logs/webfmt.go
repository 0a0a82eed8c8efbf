package logs

import (
	"strings"
)

// A web access log line layout, compiled from an nginx log_format or an
// Apache LogFormat string: literals and fields in order. Written here
// because no maintained Go library parses both servers' format strings
// into a streaming, allocation-light matcher.
type webLayout struct {
	parts []webPart
}

type webPart struct {
	lit   string // a literal (field == "")
	field string // normalised field name ("" for a literal, "-" for a field that is skipped)
}

// Common layouts.
const (
	// LayoutCombined is the combined log format of nginx and Apache.
	LayoutCombined = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`
	// LayoutCommon is the common log format (no referer or user agent).
	LayoutCommon = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent`
)

// nginxVars maps nginx variables to field names; apacheDirectives maps
// Apache % directives (after the %, without modifiers).
var (
	nginxVars = map[string]string{
		"remote_addr": "client", "binary_remote_addr": "-", "realip_remote_addr": "client",
		"remote_user": "user", "time_local": "time_local", "time_iso8601": "time_iso",
		"msec": "msec", "request": "request", "status": "status", "body_bytes_sent": "bytes",
		"bytes_sent": "bytes", "http_referer": "referer", "http_user_agent": "user_agent",
		"http_x_forwarded_for": "xff", "host": "vhost", "server_name": "vhost", "http_host": "vhost",
		"request_method": "method", "request_uri": "uri", "uri": "uri", "args": "query", "query_string": "query",
		"server_protocol": "protocol", "request_time": "request_time",
	}
	apacheDirectives = map[string]string{
		"h": "client", "a": "client", "u": "user", "t": "time_apache", "r": "request", "s": "status",
		">s": "status", "b": "bytes", "B": "bytes", "O": "bytes", "{Referer}i": "referer",
		"{User-agent}i": "user_agent", "{User-Agent}i": "user_agent", "{X-Forwarded-For}i": "xff",
		"v": "vhost", "V": "vhost", "m": "method", "U": "uri", "q": "query", "H": "protocol",
		"D": "request_time", "T": "request_time",
	}
)

// compileNginx compiles an nginx log_format string ("$var" and "${var}").
func compileNginx(f string) webLayout {
	var l webLayout
	lit := strings.Builder{}
	flush := func() {
		if lit.Len() > 0 {
			l.parts = append(l.parts, webPart{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(f); i++ {
		if f[i] != '$' {
			lit.WriteByte(f[i])
			continue
		}
		j := i + 1
		name := ""
		if j < len(f) && f[j] == '{' {
			k := strings.IndexByte(f[j:], '}')
			if k < 0 {
				lit.WriteString(f[i:])
				break
			}
			name, j = f[j+1:j+k], j+k+1
		} else {
			for j < len(f) && (f[j] == '_' || f[j] >= 'a' && f[j] <= 'z' || f[j] >= 'A' && f[j] <= 'Z' || f[j] >= '0' && f[j] <= '9') {
				j++
			}
			name = f[i+1 : j]
		}
		flush()
		field := nginxVars[name]
		if field == "" {
			field = "-"
		}
		l.parts = append(l.parts, webPart{field: field})
		i = j - 1
	}
	flush()
	return l
}

// compileApache compiles an Apache LogFormat string ("%h", "%>s",
// "%{Referer}i", "%{%d/%b/%Y}t" ...).
func compileApache(f string) webLayout {
	var l webLayout
	lit := strings.Builder{}
	flush := func() {
		if lit.Len() > 0 {
			l.parts = append(l.parts, webPart{lit: lit.String()})
			lit.Reset()
		}
	}
	f = strings.ReplaceAll(f, `\"`, `"`)
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			lit.WriteByte(f[i])
			continue
		}
		if f[i+1] == '%' {
			lit.WriteByte('%')
			i++
			continue
		}
		j := i + 1
		// Modifiers: "<", ">", status lists like "!400,501".
		for j < len(f) && (f[j] == '<' || f[j] == '>' || f[j] == '!' || f[j] == ',' || f[j] >= '0' && f[j] <= '9') {
			j++
		}
		arg := ""
		if j < len(f) && f[j] == '{' {
			k := strings.IndexByte(f[j:], '}')
			if k < 0 {
				lit.WriteString(f[i:])
				break
			}
			arg, j = f[j:j+k+1], j+k+1
		}
		if j >= len(f) {
			lit.WriteString(f[i:])
			break
		}
		d := arg + string(f[j])
		if strings.HasPrefix(f[i+1:j], ">") && f[j] == 's' {
			d = ">s"
		}
		field := apacheDirectives[d]
		if field == "" {
			field = apacheDirectives[string(f[j])]
			if arg != "" || field == "" {
				field = "-"
			}
			if f[j] == 't' && arg == "" {
				field = "time_apache"
			}
		}
		flush()
		l.parts = append(l.parts, webPart{field: field})
		i = j
	}
	flush()
	return l
}

// compileLayout compiles a configured format: Apache's when it holds a
// "%" directive and no "$" variable, else nginx's.
func compileLayout(f string) webLayout {
	if strings.Contains(f, "%") && !strings.Contains(f, "$") {
		return compileApache(f)
	}
	return compileNginx(f)
}

// match splits line by the layout, calling set for each field. A field
// ends at the first byte of the literal that follows it (inside quotes, at
// an unescaped quote); the last field takes the rest. ok is false when a
// literal is not where the layout puts it.
func (l *webLayout) match(line []byte, set func(field string, v []byte)) bool {
	i := 0
	for pi, p := range l.parts {
		if p.field == "" {
			if len(line)-i < len(p.lit) || string(line[i:i+len(p.lit)]) != p.lit {
				return false
			}
			i += len(p.lit)
			continue
		}
		end := len(line)
		if pi+1 < len(l.parts) && l.parts[pi+1].field == "" {
			next := l.parts[pi+1].lit
			quoted := i > 0 && line[i-1] == '"' && next[0] == '"'
			end = -1
			for k := i; k < len(line); k++ {
				if line[k] != next[0] {
					continue
				}
				if quoted && k > i && line[k-1] == '\\' {
					continue
				}
				if len(line)-k >= len(next) && string(line[k:k+len(next)]) == next {
					end = k
					break
				}
			}
			if end < 0 {
				return false
			}
		} else if pi+1 < len(l.parts) {
			// Two fields in a row: split at a space.
			end = i
			for end < len(line) && line[end] != ' ' {
				end++
			}
		}
		if p.field != "-" {
			set(p.field, line[i:end])
		}
		i = end
	}
	return true
}
