package logs

import (
	"bytes"

	"github.com/vigil-ir/vigil/internal/model"
)

// classify sets Kind and the details of a syslog message by the program
// that wrote it. A message no rule knows keeps Kind "" (parsed, no kind).
func classify(ev *msgEvent, program, msg []byte) {
	if len(msg) == 0 {
		return
	}
	switch string(program) {
	case "sshd", "sshd-session", "sshd-auth":
		classifySSHD(ev, msg)
		return
	case "sudo":
		classifySudo(ev, msg)
	case "su", "su-l":
		classifySu(ev, msg)
	case "useradd", "usermod", "userdel", "groupadd", "groupdel", "groupmod", "passwd", "chpasswd", "gpasswd", "chage", "newusers":
		classifyAccount(ev, msg)
	case "systemd-logind":
		classifyLogind(ev, msg)
	case "CRON", "cron", "crond", "CROND", "crontab":
		classifyCron(ev, msg)
	}
	if ev.Kind == "" && hasPrefix(msg, "pam_") {
		classifyPAM(ev, msg)
	}
}

// classifySudo: "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ;
// COMMAND=/bin/bash", with a reason first on refusals ("3 incorrect
// password attempts", "user NOT in sudoers", "command not allowed", "a
// password is required").
func classifySudo(ev *msgEvent, msg []byte) {
	msg = bytes.TrimLeft(msg, " ")
	i := bytes.Index(msg, []byte(" : "))
	if i <= 0 || hasPrefix(msg, "pam_") {
		return
	}
	ev.Actor = ev.str(msg[:i])
	rest := msg[i+3:]
	reason := []byte(nil)
	for len(rest) > 0 {
		var seg []byte
		if hasPrefix(rest, "COMMAND=") {
			seg, rest = rest, nil // the command may hold " ; "
		} else if j := bytes.Index(rest, []byte(" ; ")); j >= 0 {
			seg, rest = rest[:j], rest[j+3:]
		} else {
			seg, rest = rest, nil
		}
		k, v, ok := bytes.Cut(seg, []byte("="))
		if !ok || bytes.IndexByte(k, ' ') >= 0 {
			if reason == nil {
				reason = seg
			}
			continue
		}
		putKV(ev, sudoKeys, k, v)
	}
	switch {
	case reason == nil:
		if ev.get("command") != "" {
			ev.Kind, ev.Outcome = "sudo.command", model.OutcomeSuccess
		}
	case bytes.Contains(reason, []byte("incorrect password attempt")):
		ev.Kind, ev.Outcome = "sudo.auth.failed", model.OutcomeFailure
		n, _ := word(reason)
		ev.set("attempts", n)
	case bytes.Contains(reason, []byte("NOT in sudoers")), bytes.Contains(reason, []byte("not allowed")),
		bytes.Contains(reason, []byte("password is required")), bytes.Contains(reason, []byte("NOT allowed")):
		ev.Kind, ev.Outcome = "sudo.denied", model.OutcomeFailure
		ev.set("reason", reason)
	default:
		ev.set("reason", reason)
	}
}

// classifySu: util-linux "(to root) alice on pts/0" and "FAILED SU (to
// root) alice on pts/0"; shadow "Successful su for root by alice", "FAILED
// su for root by alice", "+ pts/0 alice:root", "- pts/0 alice:root".
func classifySu(ev *msgEvent, msg []byte) {
	failed := false
	if rest, ok := cut(msg, "FAILED SU "); ok {
		msg, failed = rest, true
	}
	switch {
	case hasPrefix(msg, "(to "):
		j := bytes.IndexByte(msg, ')')
		if j < 0 {
			return
		}
		ev.Object = ev.str(msg[4:j])
		rest := bytes.TrimPrefix(msg[j+1:], []byte(" "))
		who, tty, _ := bytes.Cut(rest, []byte(" on "))
		ev.Actor = ev.str(who)
		ev.set("tty", tty)
	case hasPrefix(msg, "Successful su for "), hasPrefix(msg, "FAILED su for "):
		failed = hasPrefix(msg, "FAILED")
		rest := msg[bytes.Index(msg, []byte(" for "))+5:]
		to, by, _ := bytes.Cut(rest, []byte(" by "))
		ev.Object, ev.Actor = ev.str(to), string(by)
	case len(msg) > 2 && (msg[0] == '+' || msg[0] == '-') && msg[1] == ' ':
		failed = msg[0] == '-'
		tty, pair := word(msg[2:])
		by, to, ok := bytes.Cut(pair, []byte(":"))
		if !ok {
			return
		}
		ev.Object, ev.Actor = ev.str(to), string(by)
		ev.set("tty", tty)
	default:
		return
	}
	if failed {
		ev.Kind, ev.Outcome = "su.failed", model.OutcomeFailure
	} else {
		ev.Kind, ev.Outcome = "su.session", model.OutcomeSuccess
	}
}

// quoted returns the first 'x' of b and what follows it.
func quoted(b []byte) (q, rest []byte, ok bool) {
	i := bytes.IndexByte(b, '\'')
	if i < 0 {
		return nil, nil, false
	}
	j := bytes.IndexByte(b[i+1:], '\'')
	if j < 0 {
		return nil, nil, false
	}
	return b[i+1 : i+1+j], b[i+j+2:], true
}

// commaKV reads "name=bob, UID=1001, GID=1001, home=/home/bob,
// shell=/bin/bash, from=/dev/pts/0" into ev (name as Object).
func commaKV(ev *msgEvent, b []byte) {
	for _, kv := range bytes.Split(b, []byte(", ")) {
		k, v, ok := bytes.Cut(bytes.TrimSpace(kv), []byte("="))
		if !ok {
			continue
		}
		putKV(ev, shadowKeys, k, v)
	}
}

// Keys of sudo's and the shadow utilities' key=value lists, by the Fields
// name they are kept under ("=object": Event.Object).
var (
	sudoKeys   = map[string]string{"USER": "=object", "COMMAND": "command", "TTY": "tty", "PWD": "pwd", "GROUP": "group"}
	shadowKeys = map[string]string{"name": "=object", "UID": "uid", "GID": "gid", "home": "home", "shell": "shell", "from": "tty"}
)

// putKV stores v where keys says k goes.
func putKV(ev *msgEvent, keys map[string]string, k, v []byte) {
	switch name := keys[string(k)]; name {
	case "":
	case "=object":
		ev.Object = ev.str(v)
	default:
		ev.set(name, v)
	}
}

// classifyAccount handles the shadow utilities' messages (useradd,
// usermod, userdel, groupadd, groupdel, passwd, chpasswd, gpasswd).
func classifyAccount(ev *msgEvent, msg []byte) {
	ev.Outcome = model.OutcomeSuccess
	switch {
	case hasPrefix(msg, "new user: "):
		ev.Kind = "account.user.added"
		commaKV(ev, msg[len("new user: "):])
	case hasPrefix(msg, "new group: "):
		ev.Kind = "account.group.added"
		commaKV(ev, msg[len("new group: "):])
	case hasPrefix(msg, "group added to /etc/group: "):
		ev.Kind = "account.group.added"
		commaKV(ev, msg[len("group added to /etc/group: "):])
	case hasPrefix(msg, "add '"):
		// "add 'bob' to group 'sudo'", "add 'bob' to shadow group 'sudo'"
		user, rest, ok := quoted(msg)
		group, _, ok2 := quoted(rest)
		if !ok || !ok2 || bytes.Contains(rest, []byte("shadow group")) {
			ev.Outcome = ""
			return
		}
		ev.Kind, ev.Object = "account.group.member-added", string(user)
		ev.set("group", group)
	case hasPrefix(msg, "user ") && bytes.Contains(msg, []byte(" added by ")):
		// gpasswd: "user bob added by root to group sudo"
		rest := msg[len("user "):]
		i := bytes.Index(rest, []byte(" added by "))
		if i < 0 {
			ev.Outcome = ""
			return
		}
		by, group, _ := bytes.Cut(rest[i+len(" added by "):], []byte(" to group "))
		ev.Kind, ev.Object, ev.Actor = "account.group.member-added", string(rest[:i]), string(by)
		ev.set("group", group)
	case hasPrefix(msg, "delete '"):
		// "delete 'bob' from group 'sudo'"
		user, rest, _ := quoted(msg)
		group, _, _ := quoted(rest)
		if bytes.Contains(rest, []byte("shadow group")) {
			ev.Outcome = ""
			return
		}
		ev.Kind, ev.Object = "account.group.member-removed", string(user)
		ev.set("group", group)
	case hasPrefix(msg, "delete user '"):
		user, _, _ := quoted(msg)
		ev.Kind, ev.Object = "account.user.deleted", string(user)
	case hasPrefix(msg, "removed group '"), hasPrefix(msg, "group '") && bytes.HasSuffix(msg, []byte("' removed")):
		group, _, _ := quoted(msg)
		ev.Kind, ev.Object = "account.group.deleted", string(group)
	case hasPrefix(msg, "change user "), hasPrefix(msg, "lock user '"), hasPrefix(msg, "unlock user '"):
		user, rest, _ := quoted(msg)
		ev.Kind, ev.Object = "account.user.changed", string(user)
		what, _ := word(msg)
		if what2, _ := word(bytes.TrimSpace(rest)); len(what2) > 0 && string(what) == "change" {
			what = what2
		}
		ev.set("change", what)
		if f, r2, ok := quoted(rest); ok {
			ev.set("from", f)
			if to, _, ok := quoted(r2); ok {
				ev.set("to", to)
			}
		}
	case hasPrefix(msg, "password for '") && bytes.Contains(msg, []byte("' changed by '")):
		user, rest, _ := quoted(msg)
		_, after, _ := bytes.Cut(rest, []byte(" by "))
		by, _, _ := quoted(after)
		ev.Kind, ev.Object, ev.Actor = "account.password.changed", string(user), string(by)
	case hasPrefix(msg, "group changed in /etc/group"), hasPrefix(msg, "change group "):
		ev.Kind = "account.group.changed"
		if g, _, ok := quoted(msg); ok {
			ev.Object = ev.str(g)
		}
	default:
		ev.Outcome = ""
	}
}

// classifyLogind: "New session 12 of user alice.", "Removed session 12.",
// "Session 12 logged out. Waiting for processes to exit."
func classifyLogind(ev *msgEvent, msg []byte) {
	switch {
	case hasPrefix(msg, "New session "):
		id, rest := word(msg[len("New session "):])
		user, ok := cut(rest, "of user ")
		if !ok {
			return
		}
		ev.Kind, ev.Outcome, ev.Actor = "logind.session.new", model.OutcomeSuccess, ev.str(bytes.TrimSuffix(user, []byte(".")))
		ev.set("session", id)
	case hasPrefix(msg, "Removed session "):
		ev.Kind = "logind.session.removed"
		ev.set("session", bytes.TrimSuffix(msg[len("Removed session "):], []byte(".")))
	}
}

// classifyCron: "(root) CMD (command)", "(root) REPLACE (root)", "(root)
// BEGIN EDIT (root)", "(*system*) RELOAD (/etc/cron.d/x)".
func classifyCron(ev *msgEvent, msg []byte) {
	if len(msg) < 3 || msg[0] != '(' {
		return
	}
	j := bytes.IndexByte(msg, ')')
	if j < 0 || j+2 > len(msg) {
		return
	}
	user := msg[1:j]
	rest := msg[j+2:]
	verb := rest
	arg := []byte(nil)
	if k := bytes.Index(rest, []byte(" (")); k >= 0 {
		verb, arg = rest[:k], bytes.TrimSuffix(rest[k+2:], []byte(")"))
	}
	switch string(verb) {
	case "CMD":
		ev.Kind, ev.Actor, ev.Object = "cron.command", ev.str(user), string(arg)
	case "REPLACE", "BEGIN EDIT", "END EDIT", "DELETE":
		ev.Kind, ev.Actor, ev.Object = "cron.edit", string(user), string(arg)
		ev.set("action", verb)
	case "RELOAD":
		ev.Kind, ev.Object = "cron.reload", string(arg)
	}
}
