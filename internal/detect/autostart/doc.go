// Package autostart finds three persistence places the other detectors do
// not read, and grades what each makes run (never "infected"): XDG
// autostart entries (ATT&CK T1547.013), incron tables (file-event
// triggered commands, T1546) and Python startup hooks (.pth files and
// sitecustomize/usercustomize, T1546.018). Every finding names the file
// and line, the owning package or "not from any package", the account the
// thing runs as (Evidence.User, "*" for every account) and when it runs
// (Evidence.When: "login", "event", "exec").
//
// # XDG autostart
//
// /etc/xdg/autostart/*.desktop (every graphical login) and
// ~/.config/autostart/*.desktop of every account's home. The [Desktop
// Entry] group is parsed like GLib does (comments, groups, key=value with
// blanks around =, localized keys such as Name[zh_CN], \s \n \t \r \\
// escapes); every Exec line is graded, with its field codes (%f %u ...)
// removed, through cmdscan and jobexec (the programs it starts, scripts
// they run, world-writable or hidden places; a hidden program at every
// login is high, like @reboot). Entries that would not start — Hidden=true,
// X-GNOME-Autostart-enabled=false (and the other desktops' variants), Type
// other than Application, a TryExec program that does not exist, a
// symlink to /dev/null — are graded one step lower with the not-run
// indicator when their command is suspicious and are silent otherwise. An
// enabled entry with an ordinary command is listed (persistence.autostart.entry):
// low for a user's own, medium for a system-wide one no package installed
// or one changed since (info when no package database was read), one step
// higher when it starts a program in /usr/bin, /usr/lib ... that no
// package installed. A packaged, unchanged entry is silent. A user's entry
// that replaces a system one of the same name says so (overrides).
//
// # incron
//
// System tables /etc/incron.d/* run as root; user tables
// /var/spool/incron/USER run as USER (an unknown account: not run).
// Lines are "<path> <mask> <command>" tokenized like incrond (the path may
// hold "\ "); $@ (watched path), $# (event file), $% $& and $$ are
// expanded before the command goes through cmdscan and jobexec, which
// lowers a user's own table one step below root's, as for cron. A watch on
// credentials and login configuration (/etc/passwd, shadow, sudoers, PAM,
// ssh, cron, any .ssh or authorized_keys) or on a place others write (a
// web root or upload directory, /tmp, FTP areas) raises a suspicious
// command one step; a command that runs the file the event is about ($#
// as the program or as an interpreter's script) is high, critical when
// others can write the watched place; copying from a world-writable or
// hidden place on a change of a sensitive file (re-arming a key or an
// account) is high. Other watches of tables no package installed are
// listed at info (low for a sensitive or exposed watch). A packaged,
// unchanged table is silent.
//
// # Python startup hooks
//
// The .pth files of /usr/lib{,64}/python3*/{site,dist}-packages,
// /usr/local/lib{,64}/python3*/{site,dist}-packages,
// /opt/*/lib/python3*/site-packages and ~/.local/lib/python3*/site-packages
// of every home; sitecustomize.py and usercustomize.py (or packages of
// that name) in those directories, in the standard library directories
// /usr/lib{,64}/python3* and in Debian's /etc/python3*. A .pth line that
// starts with "import" and a blank is exec()ed at every interpreter start
// (site.py checks the start exactly: a line with blanks in front is a path
// and does not run, it is reported one step lower only if it is
// suspicious). Lines are split on \n, \r\n and \r like Python's text mode.
// Packaged, unchanged files are silent. The well-known inert shapes tools
// write by the million are recognised statement by statement (anything
// appended breaks the match) and stay silent wherever they are, also when
// pip put them in /usr/local: setuptools' distutils-precedence.pth and
// namespace-package *-nspkg.pth template (google/protobuf, zope,
// mpl_toolkits ...), easy-install.pth's bracketing lines, virtualenv's
// "import _virtualenv", coverage.py's "import coverage;
// coverage.process_startup()", PEP 660 editable-install finders (when the
// imported module is setuptools' generated finder), and "import x;
// exec('literal')" lines whose literal is coverage's a1_coverage.pth or
// pytest-cov's hook and does nothing else. Path-only lines never run.
//
// Any other import line is graded by what it does: cmdscan on the line,
// and Python signals — exec/eval, decoding (base64, hex, zlib, marshal,
// rot13, long blobs), network (socket, urllib, requests, http.client ...),
// starting programs (subprocess, os.system, pty.spawn, os.dup2 ...), paths
// in world-writable or hidden places. One signal is high; exec of decoded
// or downloaded data and network plus process control (a reverse shell)
// are critical. An import line that does none of this is medium when the
// file is not from a package or changed (low in a user's own site
// directory or when no package database was read), and the module it
// imports from the same directory is read and graded as a module (signals
// combine within ten lines, single ones stay medium) and can raise it.
// sitecustomize/usercustomize not from a package or changed are medium
// (low in a user's home, info when ownership is unknown), raised by what
// their code does; an empty or comment-only one is silent. A user's own
// site directory is graded one step lower, except reverse shells and
// miners; root's own (~root/.local) counts as system-wide.
//
// Reading goes through the Target only; every file is bounded to 1 MiB
// (larger is a gap), unreadable files and directories are gaps, symlinks
// are judged by the link (a packaged link is pristine only if the file it
// reaches is) and each file is graded once however many links reach it.
//
// Limits: $XDG_CONFIG_HOME and $XDG_CONFIG_DIRS other than the defaults,
// and desktop-specific places (KDE's ~/.config/autostart-scripts, Plasma
// env scripts, LXDE/LXQt session files) are not read. incron.conf moving
// the table directories, incron.allow/deny and incrond's 1000-byte line
// limit are not modelled; the watched path is not required to exist;
// who can write a table or the table directories is not checked.
// Python: virtualenvs and conda environments outside /opt/*/ (any
// directory can be one), PYTHONPATH and PYTHONSTARTUP, Python 2, compiled
// modules (.so, .pyc in __pycache__) and modules a .pth line imports from
// another directory are not read; the module a plain import line names is
// read one level deep. Python code is graded by its text: names built at
// run time (getattr(__import__(chr(...)), ...)) are caught only through
// their tell-tale parts.
package autostart
