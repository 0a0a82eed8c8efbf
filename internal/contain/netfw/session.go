package netfw

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// OperatorAddress finds the address the operator is connected from:
// $SSH_CONNECTION when the environment still has it, else the peer of the
// established TCP socket held by the nearest sshd among Vigil's ancestors
// (sudo drops SSH_CONNECTION). "" when Vigil runs on a console.
func OperatorAddress(getenv func(string) string) (string, string) {
	if f := strings.Fields(getenv("SSH_CONNECTION")); len(f) == 4 && net.ParseIP(f[0]) != nil {
		return f[0], "SSH_CONNECTION"
	}
	for pid, depth := os.Getppid(), 0; pid > 1 && depth < 64; depth++ {
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if strings.HasPrefix(strings.TrimSpace(string(comm)), "sshd") {
			if a := socketPeer(pid); a != "" {
				return a, fmt.Sprintf("the socket of sshd (pid %d)", pid)
			}
		}
		pid = parentOf(pid)
	}
	return "", ""
}

func parentOf(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		f := strings.Fields(s[i+1:])
		if len(f) > 1 {
			p, _ := strconv.Atoi(f[1])
			return p
		}
	}
	return 0
}

// socketPeer returns the remote address of an established TCP socket the
// process holds.
func socketPeer(pid int) string {
	inodes := map[string]bool{}
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	for _, fd := range fds {
		l, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if ino, ok := strings.CutPrefix(l, "socket:["); ok && err == nil {
			inodes[strings.TrimSuffix(ino, "]")] = true
		}
	}
	for _, tbl := range []string{"tcp", "tcp6"} {
		f, err := os.Open(fmt.Sprintf("/proc/%d/net/%s", pid, tbl))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			x := strings.Fields(sc.Text())
			// sl local rem st ... inode(9)
			if len(x) > 9 && x[3] == "01" && inodes[x[9]] {
				f.Close()
				return hexAddr(x[2])
			}
		}
		f.Close()
	}
	return ""
}

// hexAddr decodes /proc/net/tcp's "0100007F:0016" (address in host order
// words).
func hexAddr(s string) string {
	h, _, _ := strings.Cut(s, ":")
	b, err := hex.DecodeString(h)
	if err != nil || (len(b) != 4 && len(b) != 16) {
		return ""
	}
	for i := 0; i+4 <= len(b); i += 4 {
		b[i], b[i+1], b[i+2], b[i+3] = b[i+3], b[i+2], b[i+1], b[i]
	}
	ip := net.IP(b)
	if v4 := ip.To4(); v4 != nil && len(b) == 16 {
		ip = v4
	}
	return ip.String()
}

// Resolvers returns the nameservers of a resolv.conf text.
func Resolvers(resolv string) []string {
	var out []string
	for _, l := range strings.Split(resolv, "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && f[0] == "nameserver" {
			if ip := net.ParseIP(strings.Split(f[1], "%")[0]); ip != nil {
				out = append(out, ip.String())
			}
		}
	}
	return out
}
