package logs

import (
	"bytes"

	"github.com/vigil-ir/vigil/internal/model"
)

// classifySSHDError handles sshd's "error: ..." messages.
func classifySSHDError(ev *msgEvent, msg []byte) {
	switch {
	case hasPrefix(msg, "error: maximum authentication attempts exceeded for "):
		// "error: maximum authentication attempts exceeded for [invalid user ]USER from ADDR port N ssh2"
		if userFromAddr(ev, msg[len("error: maximum authentication attempts exceeded for "):]) {
			ev.Kind, ev.Outcome = "ssh.max-attempts", model.OutcomeFailure
		}
	case hasPrefix(msg, "error: PAM: Authentication failure for "):
		// RHEL 5/6: "error: PAM: Authentication failure for [illegal user ]USER from HOST"
		if userFromAddr(ev, msg[len("error: PAM: Authentication failure for "):]) {
			ev.Kind, ev.Outcome = "pam.auth.failed", model.OutcomeFailure
			ev.setStr("service", "sshd")
		}
	case hasPrefix(msg, "error: kex_exchange_identification: "), hasPrefix(msg, "error: Protocol major versions differ"):
		ev.Kind = "ssh.no-ident"
	case hasPrefix(msg, "error: Received disconnect from "):
		ev.Kind = "ssh.disconnect"
		setAddr(ev, msg[len("error: Received disconnect from "):])
	}
}

// classifySSHDDisconnect handles "Disconnected from ...", "Disconnecting
// ...: Too many authentication failures" and "Did not receive
// identification string".
func classifySSHDDisconnect(ev *msgEvent, msg []byte, preauth bool) {
	switch {
	case hasPrefix(msg, "Disconnected from "):
		// 7.5+: "Disconnected from [authenticating |invalid ]user USER ADDR port N"
		rest := msg[len("Disconnected from "):]
		closed(ev, rest, "ssh.disconnect", preauth)
	case hasPrefix(msg, "Disconnecting: Too many authentication failures"):
		// 5.x-7.x: "Disconnecting: Too many authentication failures for USER"
		ev.Kind, ev.Outcome = "ssh.max-attempts", model.OutcomeFailure
		if rest, ok := cut(msg, "Disconnecting: Too many authentication failures for "); ok {
			ev.Actor = ev.str(bytes.TrimPrefix(rest, bInvalid))
		}
	case hasPrefix(msg, "Disconnecting ") && bytes.Contains(msg, []byte(": Too many authentication failures")):
		// 7.5+: "Disconnecting authenticating user USER ADDR port N: Too many authentication failures"
		rest := msg[len("Disconnecting "):]
		userAddr(ev, rest[:bytes.LastIndex(rest, []byte(": Too many"))])
		ev.Kind, ev.Outcome = "ssh.max-attempts", model.OutcomeFailure
	case hasPrefix(msg, "Did not receive identification string from "):
		ev.Kind = "ssh.no-ident"
		setAddr(ev, msg[len("Did not receive identification string from "):])
	}
}

// pamKV reads the "logname= uid=0 euid=0 tty=ssh ruser= rhost=ADDR  user=U"
// part of a pam_unix failure into ev.
func pamKV(ev *msgEvent, b []byte) {
	// One pass over the bytes (a word and a cut per pair were an eighth of
	// the parse of a brute-forced host's auth.log).
	for i := 0; i < len(b); {
		for i < len(b) && b[i] == ' ' {
			i++
		}
		start, eq := i, -1
		for i < len(b) && b[i] != ' ' {
			if b[i] == '=' && eq < 0 {
				eq = i
			}
			i++
		}
		if eq < 0 || eq+1 == i {
			continue // not k=v, or no value
		}
		v := b[eq+1 : i]
		switch string(b[start:eq]) {
		case "rhost":
			ev.SrcIP = ev.str(v)
		case "user":
			// The last key: a user name may hold spaces (all that follows,
			// unless it is one trailing space).
			if i+1 < len(b) {
				v = b[eq+1:]
			}
			ev.Actor = ev.str(v)
			return
		case "ruser":
			ev.set("ruser", v)
		case "logname":
			ev.set("logname", v)
		case "tty":
			ev.set("tty", v)
		}
	}
}

// classifyPAM handles pam_unix / pam_* module messages of any program:
// "pam_unix(SERVICE:TYPE): ...".
func classifyPAM(ev *msgEvent, msg []byte) {
	open := bytes.IndexByte(msg, '(')
	end := bytes.Index(msg, []byte("): "))
	if open < 0 || end < open {
		return
	}
	svc, typ, _ := bytes.Cut(msg[open+1:end], []byte(":"))
	rest := msg[end+3:]
	switch {
	case hasPrefix(rest, "authentication failure;"):
		ev.Kind, ev.Outcome = "pam.auth.failed", model.OutcomeFailure
		pamKV(ev, rest[len("authentication failure;"):])
	case hasPrefix(rest, "check pass; user unknown"):
		ev.Kind, ev.Outcome = "pam.user-unknown", model.OutcomeFailure
	case hasPrefix(rest, "session opened for user "):
		// "session opened for user root(uid=0) by alice(uid=1000)"; older: "... for user root by (uid=0)"
		ev.Kind, ev.Outcome = "session.open", model.OutcomeSuccess
		sessionUsers(ev, rest[len("session opened for user "):])
	case hasPrefix(rest, "session closed for user "):
		ev.Kind = "session.close"
		sessionUsers(ev, rest[len("session closed for user "):])
	case hasPrefix(rest, "password changed for "):
		ev.Kind, ev.Outcome = "account.password.changed", model.OutcomeSuccess
		ev.Object = ev.str(rest[len("password changed for "):])
	default:
		return
	}
	ev.set("service", svc)
	_ = typ
}

// sessionUsers reads "USER[(uid=N)][ by [BY](uid=N)]".
func sessionUsers(ev *msgEvent, b []byte) {
	user, by, _ := bytes.Cut(b, []byte(" by "))
	ev.Object = ev.str(stripUID(user))
	if by := stripUID(by); len(by) > 0 {
		ev.Actor = ev.str(by)
	}
}

// stripUID drops a "(uid=N)" suffix.
func stripUID(b []byte) []byte {
	if i := bytes.Index(b, []byte("(uid=")); i >= 0 {
		return b[:i]
	}
	return bytes.TrimSpace(b)
}
