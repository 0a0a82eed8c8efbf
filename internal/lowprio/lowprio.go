// Package lowprio lowers the CPU and I/O priority of the running process on
// a live host, so a scan never competes with the services of the server it
// examines (the complaint users raise most about Wazuh, osquery and THOR).
package lowprio

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

const (
	ioprioClassShift = 13
	ioprioClassBE    = 2
	ioprioWhoProcess = 1
)

// Apply sets nice 10 and best-effort I/O priority 7 on every thread of the
// process (Linux applies both per thread; threads created later inherit from
// their creator). Failures are ignored: priority is a courtesy, not a
// precondition.
func Apply() {
	tids := []int{0}
	if ents, err := os.ReadDir("/proc/self/task"); err == nil {
		tids = tids[:0]
		for _, e := range ents {
			if id, err := strconv.Atoi(e.Name()); err == nil {
				tids = append(tids, id)
			}
		}
	}
	prio := ioprioClassBE<<ioprioClassShift | 7
	for _, tid := range tids {
		_ = unix.Setpriority(unix.PRIO_PROCESS, tid, 10)
		_, _, _ = unix.Syscall(unix.SYS_IOPRIO_SET, ioprioWhoProcess, uintptr(tid), uintptr(prio))
	}
}
