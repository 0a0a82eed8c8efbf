package logs

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"time"
)

// RecordSize is the size of one utmp/wtmp/btmp record on x86_64, aarch64
// and the other 64-bit little-endian ABIs glibc keeps 32-bit time fields on
// (struct utmp with __WORDSIZE_TIME64_COMPAT32).
const RecordSize = 384

// LastlogSize is the size of one lastlog record (struct lastlog: int32
// time, 32-byte line, 256-byte host), indexed by uid.
const LastlogSize = 292

// utmp record types (ut_type).
const (
	UtEmpty        = 0
	UtRunLevel     = 1
	UtBootTime     = 2
	UtNewTime      = 3
	UtOldTime      = 4
	UtInitProcess  = 5
	UtLoginProcess = 6
	UtUserProcess  = 7
	UtDeadProcess  = 8
	UtAccounting   = 9
)

// Record is one decoded utmp-family record.
type Record struct {
	Index  int       // 0-based position in the file
	Type   int16     // ut_type
	PID    int32     // ut_pid
	Line   string    // ut_line: tty name ("pts/0", "~" for boot/runlevel)
	ID     string    // ut_id
	User   string    // ut_user
	Host   string    // ut_host
	Addr   string    // ut_addr_v6 as text, "" when zero
	Time   time.Time // ut_tv, UTC
	Zeroed bool      // all 384 bytes are zero: a wiped slot
	// Garbled is set when the record cannot have been written by login
	// software: an unknown type, or control characters in the terminal
	// name. User names are not judged (btmp holds whatever an attacker
	// typed at the login prompt).
	Garbled bool
}

// Valid reports whether the record looks like one login software wrote.
func (r Record) Valid() bool { return !r.Zeroed && !r.Garbled }

// UtmpFile is a parsed utmp, wtmp or btmp file.
type UtmpFile struct {
	Records  []Record
	Trailing int // bytes after the last whole record (file size not a multiple of RecordSize)
}

// ParseUtmp decodes b as a sequence of utmp records. It never fails: a
// short tail is reported in Trailing, odd records are marked, not dropped.
func ParseUtmp(b []byte) UtmpFile {
	n := len(b) / RecordSize
	out := UtmpFile{Records: make([]Record, 0, n), Trailing: len(b) % RecordSize}
	for i := 0; i < n; i++ {
		out.Records = append(out.Records, decodeRecord(i, b[i*RecordSize:(i+1)*RecordSize]))
	}
	return out
}

func decodeRecord(i int, b []byte) Record {
	le := binary.LittleEndian
	r := Record{
		Index: i,
		Type:  int16(le.Uint16(b[0:2])),
		PID:   int32(le.Uint32(b[4:8])),
		Line:  cstr(b[8:40]),
		ID:    cstr(b[40:44]),
		User:  cstr(b[44:76]),
		Host:  cstr(b[76:332]),
	}
	sec := int64(int32(le.Uint32(b[340:344])))
	usec := int64(int32(le.Uint32(b[344:348])))
	if usec < 0 || usec >= 1e6 {
		usec = 0
	}
	r.Time = time.Unix(sec, usec*1000).UTC()
	r.Addr = addrText(b[348:364])
	if isZero(b) {
		r.Zeroed = true
		return r
	}
	if r.Type < UtEmpty || r.Type > UtAccounting || hasControl(b[8:40]) {
		r.Garbled = true
	}
	return r
}

// addrText renders ut_addr_v6: an IPv4 address fills only the first word.
func addrText(b []byte) string {
	if isZero(b) {
		return ""
	}
	if isZero(b[4:]) {
		return netip.AddrFrom4([4]byte(b[0:4])).String()
	}
	return netip.AddrFrom16([16]byte(b)).String()
}

// cstr returns the NUL-terminated prefix of b.
func cstr(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// hasControl reports control characters before the terminating NUL.
func hasControl(b []byte) bool {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// LastlogEntry is one user's last login from /var/log/lastlog.
type LastlogEntry struct {
	UID  uint32
	Time time.Time
	Line string
	Host string
}

// ParseLastlog decodes the lastlog records in data, which starts at byte
// offset off of the file (lastlog is sparse: callers read only the data
// extents). Records with a zero time (never logged in) are skipped.
func ParseLastlog(data []byte, off int64) []LastlogEntry {
	var out []LastlogEntry
	if off < 0 {
		return nil
	}
	// Align to the first whole record inside data.
	skip := int64(0)
	if rem := off % LastlogSize; rem != 0 {
		skip = LastlogSize - rem
	}
	for p := skip; p+LastlogSize <= int64(len(data)); p += LastlogSize {
		rec := data[p : p+LastlogSize]
		sec := int64(int32(binary.LittleEndian.Uint32(rec[0:4])))
		if sec == 0 {
			continue
		}
		uid := (off + p) / LastlogSize
		if uid > 1<<32-1 {
			break
		}
		out = append(out, LastlogEntry{
			UID:  uint32(uid),
			Time: time.Unix(sec, 0).UTC(),
			Line: cstr(rec[4:36]),
			Host: cstr(rec[36:292]),
		})
	}
	return out
}
