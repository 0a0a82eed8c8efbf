// Package schedule finds what the system runs on a schedule (ATT&CK
// T1053.003 cron, T1053.002 at) and grades every job line by what it runs.
//
// Places: /etc/crontab and /etc/cron.d/* (with a user field), user
// crontabs in /var/spool/cron/crontabs (Debian), /var/spool/cron (RHEL)
// and /var/spool/cron/tabs (SUSE), /etc/anacrontab, the run-parts
// directories /etc/cron.{hourly,daily,weekly,monthly,yearly}, at and batch
// jobs in /var/spool/cron/atjobs and /var/spool/at, and logrotate's
// configuration (/etc/logrotate.conf, /etc/logrotate.d and what they
// include), whose postrotate, prerotate, firstaction, lastaction and
// preremove scripts and compress commands run as root every day.
//
// Every command goes through cmdscan and jobexec (the programs it starts,
// where they live, scripts they run): a download piped to a shell in a
// root job is critical, the same in an ordinary user's own crontab one step
// lower (reverse shells and miners are not lowered). @reboot jobs from
// writable or hidden places are high. A job in a file no package installed
// (or a packaged file changed since) that looks ordinary is still listed at
// info level, one finding per job, so the responder sees every scheduled
// thing; a packaged file unchanged since installation (pkgdb Pristine) is
// known-good and not reported. Cron files and directories a non-root
// account can write, user crontabs owned by another account, root jobs
// whose program a non-root account can change, and crontab environment
// lines that hijack every job (PATH with a writable directory first,
// SHELL, BASH_ENV, LD_PRELOAD) are reported too.
//
// Files cron or run-parts would skip (names with dots on Debian, editor
// backups, non-executable scripts, unknown users) are still read: their
// findings carry the not-run indicator and one grade less. A dropped file
// that runs nothing as written (not executable or a skipped name in a
// cron.* directory or cron.d, lines cron rejects, a job or a crontab for
// no account) is still evidence of an attempt: persistence.cron.inert, low
// (medium when the rejected line looks hostile), with the reason in
// Extra["inert"]; package-manager backups and .placeholder are explained.
//
// Limits: cron has no line continuation and none is assumed; the schedule
// fields are checked for shape, not meaning; logrotate include is followed
// three levels; programs named without a path are not looked up in PATH;
// systemd timers belong to the services detector.
package schedule
