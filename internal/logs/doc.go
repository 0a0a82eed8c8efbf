// Package logs reads the logs of a target — files and their rotated
// siblings, gzip-compressed or not, or stdin — and parses them into
// model.Event, the one normalised event every format produces. It is the
// source and parser layer of `vigil logs` and `vigil timeline`; the
// detections (internal/logs/rules, internal/logs/sigma) and the timeline
// (internal/logs/timeline) consume its events. Detectors of `vigil scan`
// (logtamper, history) may use it too: it imports only target, model and
// small leaves.
//
// # Using it
//
//	srcs := logs.Discover(t)                  // standard places, rotated siblings found
//	for _, src := range srcs {
//		cov, err := logs.Read(t, rec, src, logs.Options{}, func(ev *model.Event) error {
//			// ev is valid during the call: copy *ev to keep it
//			return nil
//		})
//		// cov: lines read / parsed / unparsed (+ samples), clipped, invalid UTF-8, errors
//	}
//
// ReadBatches reads the same events, in the same order, in batches, parsed
// on every core (the files of a log at once; a large plain auth, syslog or
// cron file cut at line ends into chunks: see chunk.go); `vigil logs` uses
// it.
//
// A single file: logs.Rotated(t, "/var/log/auth.log", logs.FormatAuth), or a
// Source with one File. Stdin: Source{Name: "-", Format: ...} with
// Options.Stdin. ParseLines parses lines held in memory (tests, rules).
//
// Every read goes through internal/target (live "/" or --root). Memory is
// bounded: lines are streamed, a line longer than Options.MaxLine (64 KiB)
// is clipped and counted, gzip is decompressed as it is read; NULs and
// invalid UTF-8 are kept as bytes (and counted). A truncated gzip stream, an
// unreadable file: a gap on the target.Recorder and Coverage.Errors, and the
// next file is read. Nothing in the input makes Read fail.
//
// # Time
//
// Every Event.Time is UTC. Timestamps with a zone (RFC 3339, RFC 5424,
// rsyslog's high-precision default on Debian 12) are converted; those
// without one are in Options.Location, by default the target's zone
// (/etc/localtime). Syslog (RFC 3164) timestamps carry no year: it is
// inferred per file from the file's modification time (newest file) and the
// rotation order (an older file ends no later than the next newer one
// starts), with a New Year crossed when the month goes backwards — see
// planYears.
//
// # Formats and event kinds
//
// Source.Format picks the parser (Formats lists them). Event.Source is the
// format: auth, syslog, cron (syslog-framed lines of auth.log/secure,
// syslog/messages, cron). Event.Kind is one of the ids below (empty: the
// line is in the format, but no kind applies). Actor is who acted, Object
// what it was done to; Fields keys are listed with each kind.
//
// sshd (programs sshd, sshd-session, sshd-auth; OpenSSH 5.3 to 9.x):
//
//	ssh.login              Accepted METHOD for USER from ADDR: Actor=user, SrcIP; Fields method, port, key
//	ssh.auth.failed        Failed METHOD for [invalid user] USER from ADDR: Fields method, invalid_user
//	ssh.invalid-user       Invalid user USER from ADDR; input_userauth_request: invalid user
//	ssh.max-attempts       maximum authentication attempts exceeded; Too many authentication
//	                       failures; PAM N more authentication failures (Fields count)
//	ssh.preauth.closed     Connection closed by / Disconnected from [authenticating|invalid user] ... [preauth]
//	ssh.closed             Connection closed/reset by ... after authentication
//	ssh.disconnect         Disconnected from user USER ADDR; Received disconnect from ADDR
//	ssh.denied             User USER from ADDR not allowed because ... (Fields reason); ROOT LOGIN REFUSED
//	ssh.no-ident           Did not receive identification string; kex_exchange_identification (scanners)
//	ssh.negotiation-failed Unable to negotiate with ADDR
//	ssh.timeout            Timeout before authentication for ADDR
//	ssh.connect            Connection from ADDR port N (LogLevel VERBOSE)
//	ssh.penalty            drop connection #N from [ADDR]:PORT ... penalty: REASON (9.8+; Fields reason)
//	ssh.server.start       Server listening on ...
//	ssh.server.stop        Received signal N; terminating.
//
// Every sshd event with an address has SrcIP (a host name when sshd
// resolves names); invalid_user is "true" when sshd said the user does not
// exist. Outcome is failure for the failures, success for ssh.login. The
// source port is a field of ssh.login only (elsewhere it stays in Raw: a
// value unique to every line would cost a map per line — Fields maps of
// equal content are shared between events, which is why they are
// read-only).
//
// PAM (any program; Fields service = the PAM service: sshd, sudo, su, cron, login ...):
//
//	pam.auth.failed        authentication failure; ... rhost=ADDR user=USER (Actor=user; Fields ruser, logname, tty);
//	                       sshd's "error: PAM: Authentication failure for USER from HOST"
//	pam.user-unknown       check pass; user unknown
//	session.open           session opened for user OBJECT by ACTOR
//	session.close          session closed for user OBJECT
//	account.password.changed  password changed for OBJECT (passwd, chpasswd)
//
// sudo, su:
//
//	sudo.command           ACTOR : TTY=.. ; PWD=.. ; USER=OBJECT ; COMMAND=..  (Fields command, tty, pwd, group)
//	sudo.auth.failed       N incorrect password attempts (Fields attempts, command)
//	sudo.denied            user NOT in sudoers, command not allowed, a password is required (Fields reason)
//	su.session             (to OBJECT) ACTOR on TTY; Successful su for OBJECT by ACTOR; + TTY ACTOR:OBJECT
//	su.failed              FAILED SU (to OBJECT) ACTOR on TTY; FAILED su for ..; - TTY ACTOR:OBJECT
//
// Accounts (useradd, usermod, userdel, groupadd, groupdel, passwd, gpasswd):
//
//	account.user.added          new user: name=OBJECT, UID, GID, home, shell, from (Fields uid, gid, home, shell, tty)
//	account.user.changed        change user 'OBJECT' shell/home/UID ... from 'a' to 'b'; (un)lock user (Fields change, from, to)
//	account.user.deleted        delete user 'OBJECT'
//	account.group.added         new group: name=OBJECT, GID (Fields gid)
//	account.group.deleted       removed group 'OBJECT'; group 'OBJECT' removed
//	account.group.changed       group changed in /etc/group; change group ...
//	account.group.member-added  add 'OBJECT' to group 'G' (Fields group); gpasswd: user OBJECT added by ACTOR to group G
//	account.group.member-removed delete 'OBJECT' from group 'G'
//	account.password.changed    password for 'OBJECT' changed by 'ACTOR' (and PAM's, above)
//
// systemd-logind and cron (CRON, crond, crontab):
//
//	logind.session.new     New session ID of user ACTOR. (Fields session)
//	logind.session.removed Removed session ID. (Fields session)
//	cron.command           (ACTOR) CMD (OBJECT = the command)
//	cron.edit              (ACTOR) REPLACE|BEGIN EDIT|END EDIT|DELETE (OBJECT) (Fields action)
//	cron.reload            (*system*) RELOAD (OBJECT = the file)
//
// Login records (binary; Event.Line is the 1-based record number, Raw the
// record as utmpdump prints it; wtmp, btmp, utmp and their .N / .N.gz
// rotations; struct utmp of the 64-bit ABIs, 384 bytes):
//
//	utmp.login             USER_PROCESS: Actor=user, Object=tty, SrcIP (ut_addr_v6, else ut_host if an address);
//	                       Fields type, host, id. Outcome success.
//	utmp.logout            DEAD_PROCESS (Object=tty)
//	utmp.boot              BOOT_TIME;  utmp.shutdown: RUN_LEVEL by "shutdown";  utmp.runlevel: other RUN_LEVEL
//	utmp.time-change       NEW_TIME / OLD_TIME
//	utmp.init, utmp.login-process  INIT_PROCESS, LOGIN_PROCESS
//	utmp.login.failed      any record of btmp (a failed login; Actor = what was typed as the user name)
//	utmp.zeroed            an all-zero record: a wiped slot (Fields zeroed=true), placed at the time of the record before it
//	utmp.garbled           a record no login program writes (unknown type, control characters; Fields garbled=true)
//	                       wtmpdb (/var/lib/wtmpdb/wtmp.db, SQLite, opened read-only): a row is a
//	                       utmp.login (Actor user, Object tty, Fields host, service; Line = row ID) plus
//	                       a utmp.logout at its logout time, or utmp.boot / utmp.runlevel
//	lastlog.login          an account's last login (lastlog; Line = uid): Actor = name from /etc/passwd or "#UID", Fields uid, host
//
// Shell and REPL histories (~/.bash_history, .zsh_history, fish, mysql,
// psql, python, node, redis-cli under /root and /home/*; decoded by
// internal/logs/shellhist, the newest 32 MiB):
//
//	history.command        one command: Actor = the file's owner, Object = Fields command = the command,
//	                       Fields shell (bash, zsh, mysql ...). Time is the history's own timestamp
//	                       (bash HISTTIMEFORMAT, zsh extended, fish); without one it is the file's
//	                       mtime (an upper bound) and Fields time_from = "mtime".
//
//	history.disabled       a history path that cannot keep a history: a symlink to /dev/null or a
//	                       device in its place (read as one event; Object = the path, Fields how;
//	                       Time = the link's mtime, Actor = its owner)
//
// Shell start-up files (one Source named ShellRCName: /etc/profile,
// /etc/profile.d/*.sh, bash.bashrc, zsh's files, and .bashrc, .profile,
// .bash_profile, .zshrc ... of /root and /home/*):
//
//	shell.rc.history       a line naming HISTFILE, HISTSIZE, HISTFILESIZE, SAVEHIST or "history":
//	                       Object = Fields command = the line (trimmed), Actor = the file's owner,
//	                       Time = the file's mtime (Fields time_from = "mtime"); other lines parse
//	                       with no event.
//
// Web servers (web.access: nginx/Apache combined, common, or Source.LogFormat —
// an nginx log_format or Apache LogFormat string, see webroots.Inventory.LogFiles;
// web.error: nginx and Apache 2.2/2.4 error logs):
//
//	web.request            Object = path (no query), SrcIP = client, Actor = authenticated user;
//	                       Fields method, status, bytes, query, uri (path?query as sent), protocol,
//	                       referer, user_agent, xff, vhost; request (a request line that is not
//	                       METHOD TARGET HTTP/x, e.g. a TLS handshake on port 80).
//	                       Outcome success below 400, failure from 400.
//	web.error              Program nginx|apache, SrcIP = client; Fields level, message (nginx: method,
//	                       Object = path of request: "...")
//
// Packages (dpkg.log; yum.log, year-less like syslog; dnf.rpm.log):
//
//	package.installed | package.upgraded | package.downgraded | package.removed | package.purged
//	                       Object = package name; Fields version (and from for dpkg upgrades), arch (dpkg),
//	                       package (rpm NEVRA). dpkg's status/configure lines parse with no kind.
//
// auditd (audit.log, raw or enriched; records joined by serial into one event,
// hex-encoded values decoded, node= kept as Host):
//
//	audit.<type>           the main record's type in lower case with '-' ("audit.user-login",
//	                       "audit.daemon-end", "audit.config-change", "audit.syscall" ...);
//	audit.execve           a SYSCALL with EXECVE records: Fields command = the arguments joined.
//	                       Fields type, serial, auid, uid, euid, pid, ppid, exe, comm, key, syscall,
//	                       success, ses, tty, op, res, acct, terminal, hostname, addr, id, exit, cmd,
//	                       cwd, name (first PATH), proctitle; command also for USER_CMD (sudo).
//	                       Actor = the auid's name (/etc/passwd) or "#AUID"; Object = acct, else exe;
//	                       SrcIP = addr; Outcome from success= / res=. Raw holds every record.
//
// systemd journal files (/var/log/journal/*/ and /run/log/journal/*/,
// *.journal and *.journal~, compact and regular layouts; opened with
// github.com/Velocidex/go-journalctl, objects walked here — see journal.go):
// each entry is an event of Source "journal", its MESSAGE classified as a
// syslog message of its SYSLOG_IDENTIFIER (else _COMM), so sshd, sudo, su,
// cron ... give the kinds above; Host = _HOSTNAME, PID = _PID, Time =
// _SOURCE_REALTIME_TIMESTAMP else the entry's time; Fields unit, priority;
// Line = the entry's number in the file. Damaged objects and entries are
// skipped and counted (Coverage.Skipped, one logparse.gap.journal-corrupt
// gap per file), the walk going on after them; zstd-compressed fields are
// decoded, xz/lz4 ones (journald's older compressions, for large fields)
// are left out.
//
// Coverage.Cut names the files of a log that end early: a gzip stream cut
// off, a binary log ending inside a record, a rotated text file ending
// inside a line (the rules judge it: logs.tamper.rotation-cut).
//
// A file whose size is not a multiple of the record size is a gap
// (logparse.gap.utmp-tail) and an error in Coverage; the whole records are
// read. Zeroed and garbled records count as Coverage.Skipped.
package logs
