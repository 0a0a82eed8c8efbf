package netsock

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net/netip"
	"strconv"
	"strings"
)

// TCP states as the kernel numbers them (include/net/tcp_states.h).
const (
	TCPEstablished = 0x01
	TCPSynSent     = 0x02
	TCPSynRecv     = 0x03
	TCPFinWait1    = 0x04
	TCPFinWait2    = 0x05
	TCPTimeWait    = 0x06
	TCPClose       = 0x07 // also an unconnected UDP or raw socket
	TCPCloseWait   = 0x08
	TCPLastAck     = 0x09
	TCPListen      = 0x0A
	TCPClosing     = 0x0B
)

var stateNames = map[uint8]string{
	TCPEstablished: "ESTABLISHED", TCPSynSent: "SYN_SENT", TCPSynRecv: "SYN_RECV", TCPFinWait1: "FIN_WAIT1",
	TCPFinWait2: "FIN_WAIT2", TCPTimeWait: "TIME_WAIT", TCPClose: "CLOSE", TCPCloseWait: "CLOSE_WAIT",
	TCPLastAck: "LAST_ACK", TCPListen: "LISTEN", TCPClosing: "CLOSING",
}

// Socket is one line of a /proc/net table.
type Socket struct {
	Proto  string // tcp, tcp6, udp, udp6, raw, raw6, packet
	Local  netip.AddrPort
	Remote netip.AddrPort
	State  uint8
	UID    int
	Inode  uint64
	NetNS  string // the network namespace the table was read from
	HostNS bool   // the namespace Vigil itself runs in (the host's, normally)
	// Packet sockets only.
	PacketType  int    // SOCK_RAW 3, SOCK_DGRAM 2
	PacketProto uint16 // ethertype, host order (0x0003 ETH_P_ALL)
	Ifindex     int    // 0: every interface
}

// StateName is the TCP state name ("LISTEN", "ESTABLISHED" ...).
func (s Socket) StateName() string {
	if n, ok := stateNames[s.State]; ok {
		return n
	}
	return strconv.Itoa(int(s.State))
}

// IsTCP reports a TCP socket (v4 or v6).
func (s Socket) IsTCP() bool { return s.Proto == "tcp" || s.Proto == "tcp6" }

// IsUDP reports a UDP socket (v4 or v6).
func (s Socket) IsUDP() bool { return s.Proto == "udp" || s.Proto == "udp6" }

// IsRaw reports a raw IP socket or a packet (link layer) socket: both see
// traffic that is not addressed to them.
func (s Socket) IsRaw() bool { return s.Proto == "raw" || s.Proto == "raw6" || s.Proto == "packet" }

// Listening reports a TCP socket in LISTEN or a UDP socket bound to a port
// and not connected to a peer.
func (s Socket) Listening() bool {
	switch {
	case s.IsTCP():
		return s.State == TCPListen
	case s.IsUDP():
		return s.State == TCPClose && s.Local.Port() != 0 && s.Remote.Port() == 0
	}
	return false
}

// Connected reports a TCP or UDP socket with a peer.
func (s Socket) Connected() bool {
	return (s.IsTCP() || s.IsUDP()) && s.State == TCPEstablished && s.Remote.Port() != 0
}

// Family returns "tcp" or "udp" for both address families, else Proto.
func (s Socket) Family() string { return strings.TrimSuffix(s.Proto, "6") }

// ErrMalformed marks a line that does not have the kernel's format.
var ErrMalformed = errors.New("malformed /proc/net line")

// ParseNet parses /proc/net/{tcp,tcp6,udp,udp6,raw,raw6}. The header line
// is skipped; malformed lines are skipped and counted.
func ParseNet(proto string, b []byte) (out []Socket, bad int) {
	lines := strings.Split(string(b), "\n")
	for i, line := range lines {
		if i == 0 || strings.TrimSpace(line) == "" {
			continue
		}
		s, err := parseNetLine(line)
		if err != nil {
			bad++
			continue
		}
		s.Proto = proto
		out = append(out, s)
	}
	return out, bad
}

// parseNetLine reads "sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...".
func parseNetLine(line string) (Socket, error) {
	var s Socket
	f := strings.Fields(line)
	if len(f) < 10 || !strings.HasSuffix(f[0], ":") {
		return s, ErrMalformed
	}
	var err error
	if s.Local, err = ParseAddrPort(f[1]); err != nil {
		return s, err
	}
	if s.Remote, err = ParseAddrPort(f[2]); err != nil {
		return s, err
	}
	st, err := strconv.ParseUint(f[3], 16, 8)
	if err != nil {
		return s, ErrMalformed
	}
	s.State = uint8(st)
	uid, err := strconv.Atoi(f[7])
	if err != nil {
		return s, ErrMalformed
	}
	s.UID = uid
	if s.Inode, err = strconv.ParseUint(f[9], 10, 64); err != nil {
		return s, ErrMalformed
	}
	return s, nil
}

// ParseAddrPort reads the kernel's "0100007F:0016" (IPv4) or 32-hex-digit
// IPv6 form. The address is printed as 32-bit words in the host's byte
// order, so the bytes are recovered with the native endianness.
func ParseAddrPort(s string) (netip.AddrPort, error) {
	a, p, ok := strings.Cut(s, ":")
	if !ok {
		return netip.AddrPort{}, ErrMalformed
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return netip.AddrPort{}, ErrMalformed
	}
	raw, err := hex.DecodeString(a)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, ErrMalformed
	}
	var out [16]byte
	for i := 0; i < len(raw); i += 4 {
		w := binary.BigEndian.Uint32(raw[i:])
		binary.NativeEndian.PutUint32(out[i:], w)
	}
	var addr netip.Addr
	if len(raw) == 4 {
		addr = netip.AddrFrom4([4]byte(out[:4]))
	} else {
		addr = netip.AddrFrom16(out)
	}
	return netip.AddrPortFrom(addr, uint16(port)), nil
}

// ParsePacket parses /proc/net/packet:
// "sk RefCnt Type Proto Iface R Rmem User Inode".
func ParsePacket(b []byte) (out []Socket, bad int) {
	lines := strings.Split(string(b), "\n")
	for i, line := range lines {
		if i == 0 || strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 9 {
			bad++
			continue
		}
		typ, e1 := strconv.Atoi(f[2])
		proto, e2 := strconv.ParseUint(f[3], 16, 16)
		ifx, e3 := strconv.Atoi(f[4])
		uid, e4 := strconv.Atoi(f[7])
		ino, e5 := strconv.ParseUint(f[8], 10, 64)
		if e := errors.Join(e1, e2, e3, e4, e5); e != nil {
			bad++
			continue
		}
		out = append(out, Socket{Proto: "packet", PacketType: typ, PacketProto: uint16(proto), Ifindex: ifx, UID: uid, Inode: ino, State: TCPClose})
	}
	return out, bad
}

// poolPorts are the ports mining pools serve stratum on by convention.
// Ports that ordinary services share widely (8080, 8888, 9999) are left
// out: the list must stay quiet on a normal host.
var poolPorts = map[uint16]bool{3333: true, 3334: true, 4444: true, 5555: true, 7777: true, 14433: true, 14444: true, 45560: true, 45700: true}

// PoolPort reports whether port is a conventional mining pool port.
func PoolPort(port uint16) bool { return poolPorts[port] }
