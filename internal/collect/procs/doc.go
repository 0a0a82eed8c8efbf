// Package procs reads the running processes of a live target from its /proc
// through the Target (never through ps, never through os.* on raw paths),
// so that tests run on a fake /proc tree in a fixture.
//
// Load returns a Snapshot: for every process listed in /proc, its pid,
// parent, name, state, real and effective uid, executable (with the
// kernel's " (deleted)" and memfd: markers decoded), command line, working
// directory, start time, lifetime CPU use, resident memory, container id
// (from /proc/PID/cgroup), a few environment variables (LD_*, SSH_*),
// thread count, network namespace and the inodes of the sockets it holds.
// Shared by detectors under the memo key "procs".
//
// FindHidden looks for processes that answer when /proc/PID is asked for
// directly but are missing from the /proc directory listing (a getdents
// hooking rootkit), excluding threads and re-checking after a delay so that
// processes born or gone during the scan never count.
//
// Limits: a process that exits while it is read is skipped silently (that is
// normal churn, not a gap); one that still exists but cannot be read is a
// gap. Without root, other users' executables, fds and environments are
// unreadable: that is recorded once as a gap, not per process. The hidden
// process probe is bounded (ProbeBudget pids); a larger pid space is
// recorded as a gap. CLK_TCK is assumed to be 100, as on every Linux
// architecture Vigil supports.
package procs
