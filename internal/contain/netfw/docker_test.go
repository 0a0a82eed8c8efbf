package netfw

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/contain"
	"github.com/vigil-ir/vigil/internal/store"
)

// dockerRules are the rules Docker writes for a container 172.31.0.2 on
// the bridge docker0 with port 8080 of the host published to its port 80
// (`docker run -p 8080:80`), in the order dockerd adds them. The DNAT in
// nat PREROUTING sends the connection down the forward path: a firewall
// that filters only INPUT never sees it.
var dockerRules = [][]string{
	{"-t", "nat", "-N", "DOCKER"},
	{"-t", "nat", "-A", "PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-j", "DOCKER"},
	{"-t", "nat", "-A", "OUTPUT", "!", "-d", "127.0.0.0/8", "-m", "addrtype", "--dst-type", "LOCAL", "-j", "DOCKER"},
	{"-t", "nat", "-A", "POSTROUTING", "-s", "172.31.0.0/24", "!", "-o", "docker0", "-j", "MASQUERADE"},
	{"-t", "nat", "-A", "DOCKER", "-i", "docker0", "-j", "RETURN"},
	{"-t", "nat", "-A", "DOCKER", "!", "-i", "docker0", "-p", "tcp", "-m", "tcp", "--dport", "8080", "-j", "DNAT", "--to-destination", "172.31.0.2:80"},
	{"-t", "filter", "-N", "DOCKER"},
	{"-t", "filter", "-N", "DOCKER-USER"},
	{"-t", "filter", "-P", "FORWARD", "DROP"},
	{"-t", "filter", "-A", "FORWARD", "-j", "DOCKER-USER"},
	{"-t", "filter", "-A", "FORWARD", "-o", "docker0", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"},
	{"-t", "filter", "-A", "FORWARD", "-o", "docker0", "-j", "DOCKER"},
	{"-t", "filter", "-A", "FORWARD", "-i", "docker0", "!", "-o", "docker0", "-j", "ACCEPT"},
	{"-t", "filter", "-A", "DOCKER", "-d", "172.31.0.2/32", "!", "-i", "docker0", "-o", "docker0", "-p", "tcp", "-m", "tcp", "--dport", "80", "-j", "ACCEPT"},
	{"-t", "filter", "-A", "DOCKER-USER", "-j", "RETURN"},
}

// nsRun runs a command inside the network namespace at netns.
func nsRun(netns string, args ...string) (string, error) {
	out, err := exec.Command("nsenter", append([]string{"--net=" + netns}, args...)...).CombinedOutput()
	return string(out), err
}

// dockerHost adds to the lab a "container" namespace behind the bridge-side
// veth docker0 of the host (172.31.0.1, the container 172.31.0.2 with its
// default route through the host), turns forwarding on in the host, and
// writes Docker's nat and filter chains with iptables there.
func dockerHost(t *testing.T, l *lab) string {
	t.Helper()
	for _, tool := range []string{"iptables", "nsenter"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (scripts/need-iptables.sh)", tool)
		}
	}
	name := strings.TrimSuffix(l.names[0], "-h") + "-c"
	l.names = append(l.names, name)
	ctr := "/run/netns/" + name
	veth := fmt.Sprintf("vc%d", time.Now().UnixNano()%100000)
	for _, c := range [][]string{
		{"netns", "add", name},
		{"-n", l.names[0], "link", "add", "docker0", "type", "veth", "peer", "name", veth, "netns", name},
		{"-n", name, "link", "set", veth, "name", "eth0"},
		{"-n", l.names[0], "addr", "add", "172.31.0.1/24", "dev", "docker0"},
		{"-n", name, "addr", "add", "172.31.0.2/24", "dev", "eth0"},
		{"-n", l.names[0], "link", "set", "docker0", "up"},
		{"-n", name, "link", "set", "eth0", "up"},
		{"-n", name, "link", "set", "lo", "up"},
		{"-n", name, "route", "add", "default", "via", "172.31.0.1"},
	} {
		if out, err := exec.Command("ip", c...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v %s", strings.Join(c, " "), err, out)
		}
	}
	if out, err := nsRun(l.host, "sysctl", "-qw", "net.ipv4.ip_forward=1"); err != nil {
		t.Fatalf("forwarding: %v %s", err, out)
	}
	for _, r := range dockerRules {
		if out, err := nsRun(l.host, append([]string{"iptables", "-w"}, r...)...); err != nil {
			t.Fatalf("iptables %s: %v %s", strings.Join(r, " "), err, out)
		}
	}
	return ctr
}

// TestIsolateCutsPublishedPort: a port published to a container (Docker's
// DNAT to a veth namespace) is unreachable from a non-allowed address while
// the host is isolated — the forward path is cut, not only input — while
// the operator still reaches the host's SSH; release gives back the
// published port and leaves Docker's rules exactly as they were.
func TestIsolateCutsPublishedPort(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	ctr := dockerHost(t, l)
	listen(t, ctr, ":80")                // the container's service
	listen(t, l.host, "10.231.0.1:2222") // the host's sshd
	listen(t, l.peer, ":443")            // the outside world
	save := func() string {
		out, err := nsRun(l.host, "iptables-save")
		if err != nil {
			t.Fatalf("iptables-save: %v %s", err, out)
		}
		var keep []string
		for _, line := range strings.Split(out, "\n") {
			if !strings.HasPrefix(line, "#") { // the dated comments
				keep = append(keep, line)
			}
		}
		return strings.Join(keep, "\n")
	}
	docker := save()
	if err := reach(l.peer, "10.231.0.3", "10.231.0.1:8080"); err != nil {
		t.Fatalf("the published port does not answer before isolation (lab broken): %v", err)
	}
	if err := reach(ctr, "", "10.231.0.3:443"); err != nil {
		t.Fatalf("the container does not reach out before isolation (lab broken): %v", err)
	}
	a, err := PlanIsolate(contain.Live(), IsolateOptions{Operator: "10.231.0.2", DeadMan: time.Hour, NetNS: l.host, Probe: "10.231.0.3"})
	if err != nil {
		t.Fatal(err)
	}
	r := runner(t)
	out := r.Apply(ctx, a)
	if out.Err != nil || out.State != store.ActionApplied {
		t.Fatalf("isolate: %+v", out)
	}
	if err := dial(l.peer, "10.231.0.3", "10.231.0.1:8080"); err == nil {
		t.Error("the published container port is reachable from a non-allowed address while isolated")
	}
	if err := dial(ctr, "", "10.231.0.3:443"); err == nil {
		t.Error("the container reaches a non-allowed address while isolated")
	}
	if err := reach(l.peer, "10.231.0.2", "10.231.0.1:2222"); err != nil {
		t.Errorf("the operator's SSH path was cut: %v", err)
	}
	if o := r.Undo(ctx, out.ID); o.Err != nil {
		t.Fatalf("release: %v", o.Err)
	}
	if err := reach(l.peer, "10.231.0.3", "10.231.0.1:8080"); err != nil {
		t.Errorf("the published port does not answer after release: %v", err)
	}
	if got := save(); got != docker {
		t.Errorf("Docker's rules changed:\n%s\nbefore:\n%s", got, docker)
	}
}
