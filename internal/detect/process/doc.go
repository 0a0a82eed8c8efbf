// Package process examines the running processes of a live host (ATT&CK
// T1055 process injection, T1036.004/.005 masquerading, T1496 resource
// hijacking, T1620 reflective loading, T1014 rootkits).
//
// From the procs snapshot (memo "procs") it flags: executables that run
// from memory only (memfd), whose file was deleted, or that sit in a
// world-writable or hidden directory (for an interpreter, the script it
// runs); user-space processes named or dressed like kernel threads
// ("[kworker/0:1]"); command lines that cmdscan grades (reverse shells,
// download-and-run, miners — ignoring an administrator's grep or pkill
// that merely names them); programs that talk to a mining pool port while
// burning CPU; long-running CPU hogs that no package installed; LD_PRELOAD
// in a process's environment (grouped by value, graded by the libraries it
// names); writable-and-executable anonymous memory and executable mappings
// of files in writable or hidden places; programs from a home directory
// left running under init after their session ended; and processes hidden
// from the /proc listing, re-checked after a delay so that churn never
// counts.
//
// Evidence carries the pid, user, executable, command line, cwd, start
// time and container id; the fingerprint uses the executable and command
// line, never the pid. Identical processes (nginx workers) are one finding
// with the list of pids. Vigil's own process is never judged.
//
// Limits: needs the live host (skipped on --root) and root (other users'
// exe links, fds, maps and environments are unreadable otherwise, recorded
// as gaps). A deleted executable whose path holds a file again (a package
// upgrade or redeploy) is not reported. JIT runtimes (java, node, python,
// browsers, PCRE-JIT servers) are not judged by their memory maps.
// Package ownership is unknown inside containers, so the "not from a
// package" signals apply to host processes only.
package process
