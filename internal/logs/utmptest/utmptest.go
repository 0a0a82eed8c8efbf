// Package utmptest encodes utmp-family and lastlog records (and gzip
// rotations) for the tests of the readers (internal/logs) and of the
// checks that use them.
package utmptest

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"net/netip"
	"strings"
	"time"
)

// The sizes of logs.RecordSize and logs.LastlogSize (this package cannot
// import logs, whose own tests use it).
const (
	recordSize  = 384
	lastlogSize = 292
)

// Rec is a utmp record to encode. A negative Type encodes an all-zero
// record (a wiped slot).
type Rec struct {
	Type             int16
	PID              int32
	Line, User, Host string
	At               time.Time
}

// R is a Rec from its fields in order.
func R(typ int16, pid int32, line, user, host string, at time.Time) Rec {
	return Rec{Type: typ, PID: pid, Line: line, User: user, Host: host, At: at}
}

// Encode returns the records as the bytes of a wtmp/btmp/utmp file of the
// 64-bit ABIs (ut_addr_v6 filled when Host is an IPv4 address).
func Encode(recs ...Rec) []byte {
	var out []byte
	for _, r := range recs {
		b := make([]byte, recordSize)
		if r.Type >= 0 {
			le := binary.LittleEndian
			le.PutUint16(b[0:2], uint16(r.Type))
			le.PutUint32(b[4:8], uint32(r.PID))
			copy(b[8:40], r.Line)
			copy(b[40:44], strings.TrimPrefix(r.Line, "pts/"))
			copy(b[44:76], r.User)
			copy(b[76:332], r.Host)
			le.PutUint32(b[340:344], uint32(r.At.Unix()))
			if a, err := netip.ParseAddr(r.Host); err == nil && a.Is4() {
				a4 := a.As4()
				copy(b[348:352], a4[:])
			}
		}
		out = append(out, b...)
	}
	return out
}

// Lastlog returns a lastlog file with a record per uid (Line, Host, At).
func Lastlog(entries map[uint32]Rec) []byte {
	top := uint32(0)
	for uid := range entries {
		top = max(top, uid)
	}
	b := make([]byte, int(top+1)*lastlogSize)
	for uid, e := range entries {
		o := int(uid) * lastlogSize
		binary.LittleEndian.PutUint32(b[o:o+4], uint32(e.At.Unix()))
		copy(b[o+4:o+36], e.Line)
		copy(b[o+36:o+292], e.Host)
	}
	return b
}

// Gzip returns b gzip-compressed, as logrotate leaves a rotated log (.gz).
func Gzip(b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}
