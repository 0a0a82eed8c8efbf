// Package services finds what the init system starts (ATT&CK T1543.002
// systemd services, T1037.004 rc scripts, T1546 event triggers, T1053.006
// systemd timers) and grades every command it runs.
//
// systemd: unit files of the system manager (/etc/systemd/system,
// /run/systemd/system and transient units on a live host, /usr/local/lib,
// /lib and /usr/lib/systemd/system), of the user managers (/etc/systemd/user,
// /usr/lib/systemd/user ...) and of every home (~/.config/systemd/user,
// ~/.local/share/systemd/user, homes from the shared users inventory).
// Unit files are parsed as systemd does (sections, comments, backslash
// continuations, Exec prefixes @-:+!). Enabled means started at boot or
// login: linked from a .wants/.requires/.upholds directory, pulled in by a
// started unit, or triggered by a started timer, socket or path unit; a
// symlink to /dev/null masks a unit. Drop-ins (NAME.d/*.conf, also
// template, prefix and type-wide ones) that change what a packaged unit
// runs are reported, as are full copies in /etc that change its commands,
// non-packaged units named like system components, and generators
// (programs systemd runs at every boot and daemon-reload) that no package
// installed.
//
// SysV: /etc/init.d and /etc/rc.d/init.d scripts no package installed (or
// changed since), runlevel start links to scripts elsewhere, and
// /etc/rc.local (every command other than exit 0 is listed; it runs only
// when executable). inetd and xinetd: services whose server is a shell
// (a bind shell), or a program no package installed.
//
// A unit or timer no package installed (or a changed packaged one) whose
// commands look ordinary is listed with what it runs, enabled or not, low;
// medium when what it runs writes into a temporary or hidden place
// (cmdscan.WriteTargets, StandardOutput=file:) or when its file's change
// time (ctime, else mtime) follows every other file in /etc/systemd by
// more than 30 days (files within a day of it, such as its .wants link,
// are its companions). Without a package database only enabled units are
// listed, as info. Boot scripts this system does not run (/etc/rc.common,
// an rc.local without the execute bit) are attempts:
// persistence.rclocal.inert, low, medium when a line looks hostile.
//
// Every Exec line, Environment=LD_PRELOAD, EnvironmentFile and script line
// is graded with cmdscan through jobexec; a packaged file unchanged since
// installation (pkgdb Pristine) is known-good and not read for content.
// Unit files and directories a non-root account can write, and programs
// run as root that a non-root account can change, are reported as
// permission findings.
//
// Limits: generator output (/run/systemd/generator*) is not read, the
// generators are; specifiers other than %h and environment expansion are
// not applied; the enabled state of user units of one home does not
// consider links in other homes; OpenRC, runit and upstart are not read.
package services
