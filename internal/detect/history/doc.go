// Package history reads the command histories of every account (bash,
// zsh, sh/ash, fish, mysql/mariadb, psql, python, node, redis-cli) for what
// an intruder typed (ATT&CK T1552.003, T1059) and for signs that the trail
// was wiped (T1070.003).
//
// Each history line goes through cmdscan, the line grader every detector
// shares, with one history-specific change: a command typed by hand is one
// step less severe than the same command running unattended, except
// reverse shells, miners, anti-forensics and account or key manipulation,
// which keep their grade. Database histories are also read for SQL and
// redis tradecraft (INTO OUTFILE webshells, UDF libraries, COPY ...
// PROGRAM, CONFIG SET dir). There is one finding per (file, indicator):
// evidence is the first line at the worst grade, with the count and the
// history's own timestamps (bash HISTTIMEFORMAT, zsh extended history, fish
// "when") in Extra.
//
// Passwords and tokens typed as arguments (mysql -p..., sshpass -p, curl
// -u user:pass, URLs with user:password@, export ..._TOKEN=) are reported
// as an exposure (T1552.003); every evidence text and fragment of this
// package has such secrets replaced by ****.
//
// It also reports a history file that is a symlink to /dev/null (or a
// device) and, for bash accounts, a missing or empty .bash_history while
// other interactive traces in the home (.viminfo, .lesshst, REPL
// histories) are newer: history that should be there but is not.
//
// Limits: HISTFILE/HISTSIZE settings in start-up files are the shellinit
// detector's job. Histories written elsewhere through HISTFILE are not
// found. A file over 32 MiB is read from its last 32 MiB only (a gap says
// so). .lesshst is not read. Python and node REPL sessions are graded line
// by line: a payload typed over several lines is seen only through its
// parts.
package history
