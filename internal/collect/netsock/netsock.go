package netsock

import (
	"strconv"

	"github.com/vigil-ir/vigil/internal/collect/procs"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// tables are the /proc/net files read, with the protocol they hold. Unix
// sockets are not read: they never leave the host.
var tables = []struct{ file, proto string }{
	{"tcp", "tcp"}, {"tcp6", "tcp6"}, {"udp", "udp"}, {"udp6", "udp6"},
	{"raw", "raw"}, {"raw6", "raw6"}, {"packet", "packet"},
}

// MaxNamespaces bounds the network namespaces read besides Vigil's own.
const MaxNamespaces = 256

// tableLimit bounds one /proc/net file (a busy proxy can hold 100k lines).
const tableLimit = 256 << 20

// Table is every socket of the target's network namespaces.
type Table struct {
	Sockets []Socket
	SelfNS  string // Vigil's network namespace ("net:[4026531840]"), "" when unknown
	byInode map[uint64]int
}

// ByInode returns the socket with the given inode.
func (t *Table) ByInode(ino uint64) (Socket, bool) {
	if t == nil || ino == 0 {
		return Socket{}, false
	}
	i, ok := t.byInode[ino]
	if !ok {
		return Socket{}, false
	}
	return t.Sockets[i], true
}

// Load reads the socket tables of a live target: those of the namespace
// Vigil runs in (/proc/net) and, through one process of each, those of
// every other namespace (containers). Offline targets have no sockets.
// Shared by detectors under the memo key "netsock".
func Load(t *target.Target, rec target.Recorder) *Table {
	tb := &Table{byInode: map[uint64]int{}}
	if !t.IsLive() {
		return tb
	}
	tb.SelfNS = selfNS(t)
	tb.read(t, rec, "/proc/net", tb.SelfNS, true)
	pids, err := procs.ListPIDs(t)
	if err != nil {
		target.Record(rec, "/proc", err)
		return tb
	}
	seen := map[string]bool{tb.SelfNS: true, "": true}
	n := 0
	for _, pid := range pids {
		dir := "/proc/" + strconv.Itoa(pid)
		ns, err := t.Readlink(dir + "/ns/net")
		if err != nil || seen[ns] {
			continue
		}
		seen[ns] = true
		if n++; n > MaxNamespaces {
			rec.GapMsg(model.GapSkipped, dir+"/net", model.Msg("netsock.gap.namespaces", MaxNamespaces))
			break
		}
		tb.read(t, rec, dir+"/net", ns, false)
	}
	return tb
}

// selfNS is Vigil's network namespace; on a fixture without /proc/self,
// pid 1's.
func selfNS(t *target.Target) string {
	for _, p := range []string{"/proc/self/ns/net", "/proc/1/ns/net"} {
		if ns, err := t.Readlink(p); err == nil {
			return ns
		}
	}
	return ""
}

func (tb *Table) read(t *target.Target, rec target.Recorder, dir, ns string, host bool) {
	for _, f := range tables {
		p := dir + "/" + f.file
		b, ok := t.ReadFileRec(rec, p, tableLimit)
		if !ok {
			continue
		}
		var socks []Socket
		var bad int
		if f.proto == "packet" {
			socks, bad = ParsePacket(b)
		} else {
			socks, bad = ParseNet(f.proto, b)
		}
		if bad > 0 {
			rec.GapMsg(model.GapError, p, model.Msg("gap.malformed-lines", bad))
		}
		for _, s := range socks {
			s.NetNS, s.HostNS = ns, host
			if s.Inode != 0 {
				if _, dup := tb.byInode[s.Inode]; !dup {
					tb.byInode[s.Inode] = len(tb.Sockets)
				}
			}
			tb.Sockets = append(tb.Sockets, s)
		}
	}
}
