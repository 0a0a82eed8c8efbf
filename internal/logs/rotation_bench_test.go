package logs

import (
	"strconv"
	"testing"
	"time"
)

func BenchmarkRotationHoles(b *testing.B) {
	var rots []int
	d := time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC)
	for i := range 52 {
		if i != 30 {
			n, _ := strconv.Atoi(d.AddDate(0, 0, 7*i).Format("20060102"))
			rots = append(rots, n)
		}
	}
	for b.Loop() {
		RotationHoles("/var/log/secure", rots)
	}
}

// BenchmarkCompare judges a log of 50 rotated copies against the
// previous run's states.
func BenchmarkCompare(b *testing.B) {
	var prev, cur []FileState
	for i := range 50 {
		head := []byte("Dec  1 00:00:00 web1 sshd[" + strconv.Itoa(i) + "]: line")
		st := FileState{Path: "/var/log/auth.log." + strconv.Itoa(i), Rotation: i, Ino: uint64(100 + i), Size: 1 << 20, Head: hashHead(head), HeadLen: len(head)}
		prev = append(prev, st)
		st.head = head
		cur = append(cur, st)
	}
	for b.Loop() {
		Compare(prev, cur)
	}
}
