// Package network examines the sockets and interfaces of a live host
// (ATT&CK T1571 non-standard port, T1090 proxy, T1040 network sniffing,
// T1095 non-application layer protocol).
//
// From the netsock tables (memo "netsock") and the procs snapshot (memo
// "procs", which maps socket inodes to processes) it reports: every port
// the host listens on, with its program and package (info inventory;
// unconnected UDP client sockets in the ephemeral range are left out);
// ports served by a program no package installed, or from a writable,
// hidden, deleted or memfd executable; outgoing connections to mining pool
// ports by programs no package vouches for (containers included); raw IP
// and packet sockets held by programs that have no business sniffing
// (BPFDoor-style passive backdoors); shells and interpreters whose stdin or
// stdout is a network connection (reverse and bind shells); listening, raw
// and packet sockets that no process holds, re-checked after a delay;
// interfaces in promiscuous mode that are not bridge or bond ports; and
// IPv4 forwarding on a host with no container runtime, hypervisor, VPN or
// routing software that would need it.
//
// Limits: needs the live host (skipped on --root) and root to read other
// users' fd tables (otherwise the owner-less check is skipped with a gap).
// Unix sockets are not examined. Kernel services that hold sockets without
// a process (nfsd, lockd, ksmbd, WireGuard and VXLAN tunnels) are
// recognised by their kernel threads and interfaces. When most listening
// sockets have no visible owner, Vigil runs in another pid namespace and
// the owner-less check is recorded as not applicable. Inventory and
// owner-less checks cover the namespace Vigil runs in; the other checks
// cover every namespace.
package network
