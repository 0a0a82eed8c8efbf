package netfw

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// lab is two network namespaces joined by a veth pair: "host" (the one
// isolated, 10.231.0.1 and fd31::1) and "peer" (the operator and the
// outside world, 10.231.0.2 and fd31::2, plus 10.231.0.3 as an address
// that is not allowed). Nothing of the machine running the tests is
// touched: every rule lives in the host namespace of the lab.
type lab struct {
	host, peer string // /run/netns paths
	names      []string
}

func newLab(t *testing.T) *lab {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("network namespaces need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("iproute2 not installed")
	}
	id := fmt.Sprintf("vigil-%d-%d", os.Getpid(), time.Now().UnixNano()%100000)
	l := &lab{names: []string{id + "-h", id + "-p"}}
	l.host, l.peer = "/run/netns/"+l.names[0], "/run/netns/"+l.names[1]
	t.Cleanup(func() {
		for _, n := range l.names {
			exec.Command("ip", "netns", "del", n).Run()
		}
	})
	veth := fmt.Sprintf("vh%d", time.Now().UnixNano()%100000)
	for _, c := range [][]string{
		{"netns", "add", l.names[0]},
		{"netns", "add", l.names[1]},
		{"-n", l.names[0], "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", l.names[1]},
		{"-n", l.names[0], "link", "set", veth, "name", "eth0"},
		{"-n", l.names[0], "addr", "add", "10.231.0.1/24", "dev", "eth0"},
		{"-n", l.names[0], "addr", "add", "fd31::1/64", "dev", "eth0", "nodad"},
		{"-n", l.names[1], "addr", "add", "10.231.0.2/24", "dev", "eth0"},
		{"-n", l.names[1], "addr", "add", "10.231.0.3/24", "dev", "eth0"},
		{"-n", l.names[1], "addr", "add", "fd31::2/64", "dev", "eth0", "nodad"},
		{"-n", l.names[0], "link", "set", "eth0", "up"},
		{"-n", l.names[0], "link", "set", "lo", "up"},
		{"-n", l.names[1], "link", "set", "eth0", "up"},
		{"-n", l.names[1], "link", "set", "lo", "up"},
	} {
		if out, err := exec.Command("ip", c...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v %s", strings.Join(c, " "), err, out)
		}
	}
	return l
}

// listen starts a TCP listener in netns on addr; it accepts and closes.
func listen(t *testing.T, netns, addr string) {
	t.Helper()
	var ln net.Listener
	err := inNetNS(netns, func() (err error) {
		ln, err = net.Listen("tcp", addr)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
}

// reach is dial for a connection that must succeed: a timeout is tried
// again (twice), so that a loaded machine (CI running every package at
// once) does not read as a broken lab; a blocked connection is tested with
// dial, once.
func reach(netns, local, addr string) error {
	var err error
	for range 3 {
		if err = dial(netns, local, addr); err == nil || !os.IsTimeout(err) {
			return err
		}
	}
	return err
}

// dial connects from netns to addr (optionally from a local address).
func dial(netns, local, addr string) error {
	return inNetNS(netns, func() error {
		d := net.Dialer{Timeout: 700 * time.Millisecond}
		if local != "" {
			d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(local)}
		}
		c, err := d.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err
	})
}
