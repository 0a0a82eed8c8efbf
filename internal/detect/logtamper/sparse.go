package logtamper

import (
	"time"

	"golang.org/x/sys/unix"
)

// statTimes returns the modification, change and birth times of the host
// path hp (not following a final symlink). Birth time is zero where the
// filesystem does not record it.
func statTimes(hp string) (m, c, b time.Time, ok bool) {
	var stx unix.Statx_t
	err := unix.Statx(unix.AT_FDCWD, hp, unix.AT_SYMLINK_NOFOLLOW|unix.AT_STATX_DONT_SYNC,
		unix.STATX_MTIME|unix.STATX_CTIME|unix.STATX_BTIME, &stx)
	if err != nil {
		return
	}
	ts := func(t unix.StatxTimestamp) time.Time { return time.Unix(t.Sec, int64(t.Nsec)).UTC() }
	m, c = ts(stx.Mtime), ts(stx.Ctime)
	if stx.Mask&unix.STATX_BTIME != 0 && stx.Btime.Sec != 0 {
		b = ts(stx.Btime)
	}
	return m, c, b, true
}
