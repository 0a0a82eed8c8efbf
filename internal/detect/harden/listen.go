package harden

import (
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/collect/netsock"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/model"
)

const ruleListenAll = "harden.net.listen-all"

// listenAll reports the TCP services of the host's network namespace that
// listen on every interface (0.0.0.0 or ::), one finding per port: the
// baseline wants each bound to the interface it serves, or filtered at the
// firewall. Sockets exist only on the live host: on an offline root this
// part has nothing to read and says so with a gap. Which program owns the
// port is `vigil scan`'s network check's business (network.listen); the
// baseline judges the exposure only.
func (r *run) listenAll() {
	if !r.t.IsLive() {
		r.env.GapMsg(model.GapSkipped, "/proc/net", model.Msg("harden.gap.listen-offline"))
		return
	}
	tb := engine.Shared(r.env, "netsock", netsock.Load)
	addrs := map[uint16][]string{}
	for _, s := range tb.Sockets {
		if !s.HostNS || !s.IsTCP() || !s.Listening() || !s.Local.Addr().IsUnspecified() {
			continue
		}
		a := s.Local.Addr().String()
		if p := s.Local.Port(); !slices.Contains(addrs[p], a) {
			addrs[p] = append(addrs[p], a)
		}
	}
	ports := make([]uint16, 0, len(addrs))
	for p := range addrs {
		ports = append(ports, p)
	}
	slices.Sort(ports)
	for _, p := range ports {
		a := addrs[p]
		slices.Sort(a)
		on := strings.Join(a, ", ")
		ev := model.Evidence{Text: "tcp/" + strconv.Itoa(int(p)) + " " + on,
			Extra: map[string]string{"port": strconv.Itoa(int(p)), "addresses": on}}
		r.emit(ruleListenAll, "tcp/"+strconv.Itoa(int(p))+" "+on, ev, model.Low, model.ConfHigh)
	}
}
