package logs

import (
	"bytes"

	"github.com/vigil-ir/vigil/internal/model"
)

// The sshd messages are matched with prefixes and cuts, not regular
// expressions: they are most of an attacked host's auth log, and this is
// the hot path (see bench/). Formats are those of OpenSSH 5.3 to 9.9,
// written by sshd, sshd-session (9.8+) and sshd-auth (10.0).

var (
	bPreauth  = []byte(" [preauth]")
	bFrom     = []byte(" from ")
	bPort     = []byte(" port ")
	bInvalid  = []byte("invalid user ")
	bAuthUser = []byte("authenticating user ")
	bUser     = []byte("user ")
	bNotAllow = []byte(" not allowed because ")
	bPenalty  = []byte(" penalty: ")
)

func hasPrefix(b []byte, p string) bool { return len(b) >= len(p) && string(b[:len(p)]) == p }

// trimByte drops one trailing c from b (bytes.TrimSuffix with a one-byte
// suffix calls a general comparison on every line).
func trimByte(b []byte, c byte) []byte {
	if n := len(b); n > 0 && b[n-1] == c {
		return b[:n-1]
	}
	return b
}

// lastIndex is bytes.LastIndex for the short separators of sshd messages
// (" from ", " port "), which sit near the end of the line: it steps back
// over the separator's last byte instead of hashing the whole line from
// the end (bytes.LastIndex's Rabin-Karp was 4% of the parse).
func lastIndex(b, sep []byte) int {
	n := len(sep)
	if n == 0 {
		return len(b)
	}
	last := sep[n-1]
	for i := len(b); i >= n; {
		j := bytes.LastIndexByte(b[:i], last)
		if j < n-1 {
			return -1
		}
		if string(b[j-n+1:j+1]) == string(sep) {
			return j - n + 1
		}
		i = j
	}
	return -1
}

// cut returns what follows prefix p in b.
func cut(b []byte, p string) ([]byte, bool) {
	if hasPrefix(b, p) {
		return b[len(p):], true
	}
	return nil, false
}

// word splits the first space-separated word off b.
func word(b []byte) (w, rest []byte) {
	if i := bytes.IndexByte(b, ' '); i >= 0 {
		return b[:i], b[i+1:]
	}
	return b, nil
}

// msgEvent is the event a syslog message is classified into, with its
// Fields gathered in place: most auth.log lines carry the same one or two
// fields ({method: password}, {service: sshd}), so the reader gives such
// events one shared, read-only map instead of a new one per line (see
// reader.fieldsOf), and names and addresses are interned. This is the hot
// path of a brute-forced host's log.
type msgEvent struct {
	*model.Event
	r  *reader
	kv [8]struct {
		k  string
		v  []byte
		sv string // a constant value (setStr), when v is nil
	}
	n    int
	port []byte // the source port an sshd line named (Fields port of ssh.login only)
}

// set records field k (values are copied when the event is emitted).
func (e *msgEvent) set(k string, v []byte) {
	if len(v) == 0 {
		return
	}
	e.put(k, v, "")
}

// put records field k as v, or sv when v is nil.
func (e *msgEvent) put(k string, v []byte, sv string) {
	for i := 0; i < e.n; i++ {
		if e.kv[i].k == k {
			e.kv[i].v, e.kv[i].sv = v, sv
			return
		}
	}
	if e.n < len(e.kv) {
		e.kv[e.n].k, e.kv[e.n].v, e.kv[e.n].sv = k, v, sv
		e.n++
	}
}

// setStr is set for a constant value (not copied: []byte(v) would be, on
// every line).
func (e *msgEvent) setStr(k, v string) {
	if v != "" {
		e.put(k, nil, v)
	}
}

// val is the value of field i.
func (e *msgEvent) val(i int) string {
	if e.kv[i].v == nil {
		return e.kv[i].sv
	}
	return string(e.kv[i].v)
}

// get returns field k as set so far.
func (e *msgEvent) get(k string) string {
	for i := 0; i < e.n; i++ {
		if e.kv[i].k == k {
			return e.val(i)
		}
	}
	return ""
}

// str returns b as a string, interned.
func (e *msgEvent) str(b []byte) string { return e.r.intern(b) }

// addrPort parses "ADDR port N[ rest]" (the host may be a name when sshd
// resolves names); rest is what follows the port.
func addrPort(b []byte) (addr, port, rest []byte) {
	addr, b = word(b)
	if p, ok := cut(b, "port "); ok {
		port, rest = word(p)
		if i := bytes.IndexByte(port, ':'); i >= 0 {
			port = port[:i] // "port 22:11:" (7.x Received disconnect)
		}
		return addr, port, rest
	}
	return bytes.TrimSuffix(addr, []byte(":")), nil, b
}

// userFromAddr parses "[invalid user ]USER from ADDR port N ...", where the
// user name may hold spaces (an attacker chooses it): the last " from "
// ends it.
func userFromAddr(ev *msgEvent, b []byte) bool {
	i := lastIndex(b, bFrom)
	if i < 0 {
		return false
	}
	user := b[:i]
	if u, ok := cut(user, "invalid user "); ok {
		user = u
		ev.setStr("invalid_user", "true")
	} else if u, ok := cut(user, "illegal user "); ok {
		user = u
		ev.setStr("invalid_user", "true")
	}
	addr, port, _ := addrPort(b[i+len(bFrom):])
	if len(user) == 0 || len(addr) == 0 {
		return false
	}
	ev.Actor = ev.str(user)
	ev.SrcIP = ev.str(addr)
	ev.port = port
	return true
}

// userAddr parses "[authenticating |invalid ]user USER ADDR port N" (user
// names with spaces: the address is the third word from the end).
func userAddr(ev *msgEvent, b []byte) bool {
	switch {
	case hasPrefix(b, "authenticating user "):
		b = b[len(bAuthUser):]
	case hasPrefix(b, "invalid user "):
		b = b[len(bInvalid):]
		ev.setStr("invalid_user", "true")
	case hasPrefix(b, "user "):
		b = b[len(bUser):]
	default:
		return false
	}
	i := lastIndex(b, bPort)
	if i < 0 {
		return false
	}
	j := bytes.LastIndexByte(b[:i], ' ')
	if j < 0 {
		return false
	}
	ev.Actor = ev.str(b[:j])
	ev.SrcIP = ev.str(b[j+1 : i])
	return true
}

// classifySSHD sets the kind and details of an sshd message.
func classifySSHD(ev *msgEvent, msg []byte) {
	preauth := len(msg) >= len(bPreauth) && msg[len(msg)-1] == ']' && string(msg[len(msg)-len(bPreauth):]) == string(bPreauth)
	if preauth {
		msg = msg[:len(msg)-len(bPreauth)]
	}
	if len(msg) == 0 {
		return
	}
	switch msg[0] {
	case 'A':
		if rest, ok := cut(msg, "Accepted "); ok {
			method, rest := word(rest)
			rest, ok = cut(rest, "for ")
			if !ok || !userFromAddr(ev, rest) {
				return
			}
			ev.Kind, ev.Outcome = "ssh.login", model.OutcomeSuccess
			ev.set("method", method)
			ev.set("port", ev.port)
			if i := bytes.Index(rest, []byte("ssh2: ")); i >= 0 {
				ev.set("key", rest[i+6:])
			}
		}
	case 'F':
		if rest, ok := cut(msg, "Failed "); ok {
			method, rest := word(rest)
			rest, ok = cut(rest, "for ")
			if !ok || !userFromAddr(ev, rest) {
				return
			}
			ev.Kind, ev.Outcome = "ssh.auth.failed", model.OutcomeFailure
			ev.set("method", method)
		}
	case 'I':
		if rest, ok := cut(msg, "Invalid user "); ok {
			// "Invalid user NAME from ADDR[ port N]"; 5.x wrote no port.
			if userFromAddr(ev, rest) {
				ev.Kind, ev.Outcome = "ssh.invalid-user", model.OutcomeFailure
			}
		}
	case 'i':
		if rest, ok := cut(msg, "input_userauth_request: invalid user "); ok {
			ev.Kind, ev.Outcome, ev.Actor = "ssh.invalid-user", model.OutcomeFailure, ev.str(rest)
		}
	case 'e':
		classifySSHDError(ev, msg)
	case 'D':
		classifySSHDDisconnect(ev, msg, preauth)
	case 'C':
		switch {
		case hasPrefix(msg, "Connection closed by "):
			rest := msg[len("Connection closed by "):]
			closed(ev, rest, "ssh.closed", preauth)
		case hasPrefix(msg, "Connection reset by "):
			rest := msg[len("Connection reset by "):]
			closed(ev, rest, "ssh.closed", preauth)
		case hasPrefix(msg, "Connection from "):
			ev.Kind = "ssh.connect"
			setAddr(ev, msg[len("Connection from "):])
		}
	case 'R':
		switch {
		case hasPrefix(msg, "Received disconnect from "):
			ev.Kind = "ssh.disconnect"
			setAddr(ev, msg[len("Received disconnect from "):])
		case hasPrefix(msg, "Received signal "):
			ev.Kind = "ssh.server.stop"
		case hasPrefix(msg, "ROOT LOGIN REFUSED FROM "):
			addr, _, _ := addrPort(msg[len("ROOT LOGIN REFUSED FROM "):])
			ev.Kind, ev.Outcome, ev.Actor, ev.SrcIP = "ssh.denied", model.OutcomeFailure, "root", string(addr)
		}
	case 'U':
		switch {
		case hasPrefix(msg, "User ") && bytes.Contains(msg, bNotAllow):
			rest := msg[len("User "):]
			i := bytes.Index(rest, bNotAllow)
			who := rest[:i]
			if j := lastIndex(who, bFrom); j >= 0 {
				ev.SrcIP = ev.str(who[j+len(bFrom):])
				who = who[:j]
			}
			ev.Kind, ev.Outcome, ev.Actor = "ssh.denied", model.OutcomeFailure, string(who)
			ev.set("reason", rest[i+len(bNotAllow):])
		case hasPrefix(msg, "Unable to negotiate with "):
			ev.Kind = "ssh.negotiation-failed"
			setAddr(ev, msg[len("Unable to negotiate with "):])
		}
	case 'T':
		if rest, ok := cut(msg, "Timeout before authentication for "); ok {
			rest = bytes.TrimPrefix(rest, []byte("connection from "))
			ev.Kind = "ssh.timeout"
			setAddr(ev, rest)
		}
	case 'S':
		if hasPrefix(msg, "Server listening on ") {
			ev.Kind = "ssh.server.start"
		}
	case 'P':
		if rest, ok := cut(msg, "PAM "); ok {
			// "PAM 2 more authentication failures; logname= uid=0 ... rhost=ADDR  user=root"
			n, rest := word(rest)
			if hasPrefix(rest, "more authentication failure") {
				ev.Kind, ev.Outcome = "ssh.max-attempts", model.OutcomeFailure
				ev.set("count", n)
				pamKV(ev, rest)
			}
		}
	case 'd':
		if rest, ok := cut(msg, "drop connection #"); ok {
			// 9.8+: "drop connection #0 from [ADDR]:PORT on [ADDR]:22 penalty: failed authentication"
			if i := bytes.Index(rest, bFrom); i >= 0 {
				a, _ := word(rest[i+len(bFrom):])
				if j := bytes.LastIndexByte(a, ':'); j > 0 {
					a = a[:j]
				}
				ev.SrcIP = ev.str(bytes.Trim(a, "[]"))
			}
			ev.Kind, ev.Outcome = "ssh.penalty", model.OutcomeFailure
			if i := bytes.Index(rest, bPenalty); i >= 0 {
				ev.set("reason", rest[i+len(bPenalty):])
			}
		}
	}
	if ev.Kind == "" && hasPrefix(msg, "pam_") {
		classifyPAM(ev, msg)
	}
}

// setAddr reads "ADDR port N" into SrcIP (the source port stays in Raw:
// a field unique to every line would cost a map per line).
func setAddr(ev *msgEvent, b []byte) {
	addr, _, _ := addrPort(b)
	ev.SrcIP = ev.str(addr)
}

// closed reads "[authenticating |invalid ]user USER ADDR port N" or "ADDR
// port N" of a closed connection: kind, or ssh.preauth.closed before
// authentication.
func closed(ev *msgEvent, b []byte, kind string, preauth bool) {
	if !userAddr(ev, b) {
		setAddr(ev, b)
	}
	ev.Kind = kind
	if preauth {
		ev.Kind = "ssh.preauth.closed"
	}
}
