package netsock

import (
	"net/netip"
	"os"
	"testing"

	"github.com/vigil-ir/vigil/internal/collect/procs/proctest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

func TestParseAddrPort(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0100007F:0016", "127.0.0.1:22"},
		{"050AA8C0:C822", "192.168.10.5:51234"},
		{"00000000:0000", "0.0.0.0:0"},
		{"00000000000000000000000001000000:0143", "[::1]:323"},
		{"0000000000000000FFFF0000050AA8C0:0050", "[::ffff:192.168.10.5]:80"},
		{"B80D0120000000000000000001000000:01BB", "[2001:db8::1]:443"},
	}
	for _, tc := range tests {
		got, err := ParseAddrPort(tc.in)
		if err != nil || got.String() != tc.want {
			t.Errorf("ParseAddrPort(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "0100007F", "0100007F:", "0100007G:0016", "01007F:0016", "0100007F:10000"} {
		if _, err := ParseAddrPort(bad); err == nil {
			t.Errorf("ParseAddrPort(%q) accepted", bad)
		}
	}
}

func TestParseNet(t *testing.T) {
	in := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 20001 1 0000000000000000 100 0 0 10 0
   1: 050AA8C0:C822 427100CB:0D05 01 00000000:00000000 02:000A7B1F 00000000  1000        0 31001 2 0000000000000000 20 4 30 10 -1
   2: garbage
   3: 050AA8C0:0050 146433C6:9CB0 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
`
	socks, bad := ParseNet("tcp", []byte(in))
	if bad != 1 || len(socks) != 3 {
		t.Fatalf("%d sockets, %d bad", len(socks), bad)
	}
	l, c, tw := socks[0], socks[1], socks[2]
	if !l.Listening() || l.Local.Port() != 22 || l.Inode != 20001 || l.StateName() != "LISTEN" {
		t.Errorf("listener %+v", l)
	}
	if !c.Connected() || c.Remote != netip.MustParseAddrPort("203.0.113.66:3333") || c.UID != 1000 {
		t.Errorf("connection %+v", c)
	}
	if tw.Connected() || tw.Listening() || tw.Inode != 0 {
		t.Errorf("time-wait %+v", tw)
	}
	udp, _ := ParseNet("udp", []byte("h\n   0: 0100007F:0143 00000000:0000 07 00000000:00000000 00:00000000 00000000   100        0 22001 2 0000000000000000 0\n"))
	if len(udp) != 1 || !udp[0].Listening() || udp[0].Family() != "udp" {
		t.Errorf("udp %+v", udp)
	}
}

func TestParsePacket(t *testing.T) {
	in := `sk               RefCnt Type Proto  Iface R Rmem   User   Inode
ffff8b1c4a5e0001 3      3    0003   2     1 0      0      23001
ffff8b1c4a5e0002 3      2    0800   0     1 0      0      33001
short line
`
	socks, bad := ParsePacket([]byte(in))
	if bad != 1 || len(socks) != 2 {
		t.Fatalf("%d sockets, %d bad", len(socks), bad)
	}
	if s := socks[0]; !s.IsRaw() || s.PacketType != 3 || s.PacketProto != 3 || s.Ifindex != 2 || s.Inode != 23001 {
		t.Errorf("packet %+v", s)
	}
	if socks[1].PacketProto != 0x0800 {
		t.Errorf("ethertype %x", socks[1].PacketProto)
	}
}

type gaps struct{ target.GapLog }

func TestLoadNamespaces(t *testing.T) {
	root := proctest.Host(t, `-- proc/7000/ns/net -> net:[4026532501] --
-- proc/7000/net/tcp --
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0200110A:A1B2 427100CB:0D05 01 00000000:00000000 00:00000000 00000000     0        0 40001 1 0000000000000000 20 4 30 10 -1
   1: 0200110A:A1B3 427100CB:0D05 01 00000000:00000000 00:00000000 00000000     0        0 nope 1 0000000000000000 20 4 30 10 -1
-- proc/7001/ns/net -> net:[4026532501] --
`)
	var g gaps
	tb := Load(target.NewUnchecked(root, true), &g)
	if tb.SelfNS != "net:[4026531840]" {
		t.Errorf("self ns %q", tb.SelfNS)
	}
	s, ok := tb.ByInode(40001)
	if !ok || s.HostNS || s.NetNS != "net:[4026532501]" || s.Remote.Port() != 3333 {
		t.Errorf("container socket %+v %v", s, ok)
	}
	if h, ok := tb.ByInode(20001); !ok || !h.HostNS {
		t.Errorf("host socket %+v", h)
	}
	if len(g.Gaps) != 1 || g.Gaps[0].Path != "/proc/7000/net/tcp" {
		t.Errorf("gaps = %+v, want the malformed line", g.Gaps)
	}
	if off := Load(target.NewUnchecked(root, false), &g); len(off.Sockets) != 0 {
		t.Error("offline target has sockets")
	}
}

// Hostile /proc/net files: a FIFO is refused without blocking (a gap), a
// table of garbage is a gap, a missing table (no IPv6) is not.
func TestLoadHostile(t *testing.T) {
	root := proctest.Root(t, `-- proc/1/ns/net -> net:[1] --
-- proc/net/tcp fifo --
-- proc/net/udp --
\xff\xfe garbage
   0: not a socket line at all
-- proc/net/packet --
sk RefCnt
x y z
`)
	var g gaps
	tb := Load(target.NewUnchecked(root, true), &g)
	if len(tb.Sockets) != 0 {
		t.Errorf("sockets from garbage: %+v", tb.Sockets)
	}
	kinds := map[string]model.GapKind{}
	for _, x := range g.Gaps {
		kinds[x.Path] = x.Kind
	}
	if kinds["/proc/net/tcp"] != model.GapSkipped || kinds["/proc/net/udp"] != model.GapError || kinds["/proc/net/packet"] != model.GapError {
		t.Errorf("gaps = %+v", g.Gaps)
	}
	if _, ok := kinds["/proc/net/tcp6"]; ok {
		t.Error("a missing table is not a gap")
	}
}

func TestLoadLiveSmoke(t *testing.T) {
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("no /proc/net")
	}
	Load(target.Live(), target.Discard{}) // must not fail or panic; the host may have no sockets
}

func FuzzParseNet(f *testing.F) {
	f.Add([]byte("h\n   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 20001 1 0 100 0 0 10 0\n"))
	f.Add([]byte("h\n0: 00000000000000000000000001000000:0143 00000000000000000000000000000000:0000 07 0:0 0:0 0 0 0 1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, p := range []string{"tcp", "udp6", "raw"} {
			socks, _ := ParseNet(p, b)
			for _, s := range socks {
				s.Listening()
				s.StateName()
			}
		}
		ParsePacket(b)
	})
}

func BenchmarkParseNet(b *testing.B) {
	line := "   0: 050AA8C0:C822 427100CB:0D05 01 00000000:00000000 02:000A7B1F 00000000  1000        0 31001 2 0000000000000000 20 4 30 10 -1\n"
	data := []byte("header\n")
	for range 2000 {
		data = append(data, line...)
	}
	for b.Loop() {
		ParseNet("tcp", data)
	}
}
