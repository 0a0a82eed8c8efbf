// Package netsock reads the sockets of a live target from /proc/net/{tcp,
// tcp6,udp,udp6,raw,raw6,packet} through the Target (never netstat, ss or
// lsof): local and remote address and port, TCP state, owning uid and
// inode. Owners (pids) come from the procs snapshot, which maps every fd
// link "socket:[inode]" to its process.
//
// Besides the namespace Vigil runs in, it reads the tables of every other
// network namespace (containers) through /proc/PID/net of one process in
// each, so that a miner inside a container is seen too. Socket.HostNS tells
// the two apart.
//
// Limits: unix sockets are not read. Addresses are decoded with the host's
// byte order, as the kernel prints them. Malformed lines are skipped and
// recorded as a gap; at most MaxNamespaces foreign namespaces are read.
package netsock
